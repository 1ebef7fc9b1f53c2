"""Alert delivery: the alerts of the mart ``rpt_cursor_alerts`` sent to each channel as the mart says (one message
each, or in one daily digest per channel, or not at all), through an outbox ledger in the warehouse.

dbt decides what is an alert, its severity and its delivery mode (``dbt_project/models/marts/reporting/alerts``);
the read side selects them with the ledger (:mod:`cursor_spend.marts.alerts`); this package builds the messages
(:mod:`.messages`: idempotency keys, escaping), decides what each channel is due and writes the ledger
``cursor_alerts.alert_deliveries`` before and after each attempt (:mod:`.outbox`), sends (:mod:`.delivery`) and
holds the CLI's channels (:mod:`.channels`, e-mail in :mod:`.mail`). The guarantee (docs/alerts.md): a failed alert
is sent again next run; one of unknown outcome once more with the same idempotency key; none more than twice.

Channels (each optional; README "Configuration"):

* ``webhook``: a JSON POST with an ``Idempotency-Key`` header to ``CURSOR_SPEND_ALERT_WEBHOOK_URL``;
* ``slack``: a Slack incoming webhook, ``CURSOR_SPEND_ALERT_SLACK_WEBHOOK_URL``;
* ``email``: SMTP, ``CURSOR_SPEND_ALERT_SMTP_URL`` (``smtp://`` with STARTTLS required, ``smtps://``, or
  ``smtp+insecure://`` in clear) from ``CURSOR_SPEND_ALERT_EMAIL_FROM`` to ``CURSOR_SPEND_ALERT_EMAIL_TO``.

The CLI sends with httpx and smtplib (the plain install has no Airflow); the transform DAG sends through Airflow's
notifiers and connections (:mod:`cursor_spend.airflow.notifiers`), under the same channel names, messages and
ledger. A webhook URL or an SMTP password never appears in a message: errors name the channel and the host only.
"""
