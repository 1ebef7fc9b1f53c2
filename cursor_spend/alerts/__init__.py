"""Alert delivery: the alerts of the mart ``rpt_cursor_alerts`` sent once per channel, recorded in a ledger.

dbt decides what is an alert (budgets, forecasts, anomalies: ``dbt_project/models/marts/reporting/alerts``); the
read side selects them (:mod:`cursor_spend.marts.alerts`); this package only sends the ones a channel has not had
yet (:mod:`.channels`, :mod:`.delivery`), and records each delivery in the warehouse table
``cursor_alerts.alert_deliveries`` (one row per alert and channel, merged by dlt on both), so a rerun, a cleared
Airflow task or a backfill sends nothing twice. A channel that fails records ``failed`` for its alerts and they
are sent again on the next run; the alerts a channel did take are never sent to it again.

Channels (each optional; README "Alerts"):

* ``webhook``: a JSON POST ``{"source": "cursor-spend", "alerts": [...]}`` to ``CURSOR_SPEND_ALERT_WEBHOOK_URL``;
* ``slack``: a Slack incoming webhook, ``CURSOR_SPEND_ALERT_SLACK_WEBHOOK_URL``;
* ``email``: SMTP, ``CURSOR_SPEND_ALERT_SMTP_URL`` (``smtp://user:password@host:587``, STARTTLS when the server
  offers it; ``smtps://`` for TLS from the start) from ``CURSOR_SPEND_ALERT_EMAIL_FROM`` to
  ``CURSOR_SPEND_ALERT_EMAIL_TO`` (addresses separated by commas).

The CLI sends with httpx and smtplib (the plain install has no Airflow); the transform DAG sends through Airflow's
notifiers and connections (:mod:`cursor_spend.airflow.notifiers`), under the same channel names and ledger. A
webhook URL or an SMTP password never appears in a message: errors name the channel and the host only.
"""
