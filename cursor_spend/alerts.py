"""Alert delivery: the alerts of the mart ``rpt_cursor_alerts`` sent once per channel, recorded in a ledger.

dbt decides what is an alert (budgets, forecasts, anomalies: ``dbt_project/models/marts/alerts``); this module only
selects them, sends the ones a channel has not had yet, and records each delivery in the warehouse table
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
notifiers and connections (:mod:`cursor_spend.airflow_tasks`), under the same channel names and ledger. A webhook URL
or an SMTP password never appears in a message: errors name the channel and the host only.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from .config import Settings
from .errors import AlertDeliveryError, ConfigError
from .marts import LEDGER_SCHEMA, LEDGER_TABLE
from .marts.alerts import FAILED, SENT, Alert, current_alerts, open_alerts

LEDGER_PIPELINE = "cursor_spend_alerts"
TIMEOUT_SECONDS = 30
WEBHOOK_ENV = "CURSOR_SPEND_ALERT_WEBHOOK_URL"
SLACK_ENV = "CURSOR_SPEND_ALERT_SLACK_WEBHOOK_URL"
SMTP_ENV = "CURSOR_SPEND_ALERT_SMTP_URL"
EMAIL_FROM_ENV = "CURSOR_SPEND_ALERT_EMAIL_FROM"
EMAIL_TO_ENV = "CURSOR_SPEND_ALERT_EMAIL_TO"


# --- channels --------------------------------------------------------------------------------------------------


def subject(alerts: Sequence[Alert]) -> str:
    return f"cursor-spend: {len(alerts)} new Cursor spend alert{'s' if len(alerts) != 1 else ''}"


def text(alerts: Sequence[Alert]) -> str:
    return "\n".join([subject(alerts) + ":", *(f"- {alert.message}" for alert in alerts)])


def webhook_body(alerts: Sequence[Alert]) -> dict:
    return {"source": "cursor-spend", "alerts": [alert.as_json() for alert in alerts]}


def _where(url: str) -> str:
    """A URL as far as a message may show it: scheme and host (paths and queries of webhooks hold tokens)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")


@dataclass(frozen=True)
class Channel:
    """A named way to deliver alerts: ``send`` raises on failure (with a message free of secrets)."""

    name: str
    send: Callable[[Sequence[Alert]], None] = field(repr=False)
    target: str = ""  # for messages: where it goes, without secrets


def _post(url: str, body: dict, name: str) -> None:
    import httpx

    try:
        response = httpx.post(url, json=body, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        raise AlertDeliveryError(f"{name} at {_where(url)} is not reachable ({type(exc).__name__})") from None
    if response.status_code >= 300:
        raise AlertDeliveryError(f"{name} at {_where(url)} answered HTTP {response.status_code}")


def webhook_channel(url: str) -> Channel:
    return Channel("webhook", lambda alerts: _post(url, webhook_body(alerts), "the webhook"), _where(url))


def slack_channel(url: str) -> Channel:
    return Channel("slack", lambda alerts: _post(url, {"text": text(alerts)}, "the Slack webhook"), _where(url))


def email_message(alerts: Sequence[Alert], sender: str, recipients: Sequence[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject(alerts), sender, ", ".join(recipients)
    message.set_content(text(alerts))
    return message


def email_channel(smtp_url: str, sender: str, recipients: Sequence[str]) -> Channel:
    parts = urlsplit(smtp_url)
    host, port = parts.hostname or "", parts.port or (465 if parts.scheme == "smtps" else 587)

    def send(alerts: Sequence[Alert]) -> None:
        try:
            smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
            with smtp_class(host, port, timeout=TIMEOUT_SECONDS) as smtp:
                if parts.scheme == "smtp" and smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                if parts.username:
                    smtp.login(unquote(parts.username), unquote(parts.password or ""))
                smtp.send_message(email_message(alerts, sender, recipients))
        except (OSError, smtplib.SMTPException) as exc:
            reason = type(exc).__name__
            raise AlertDeliveryError(f"e-mail through {host}:{port} failed ({reason})") from None

    return Channel("email", send, f"{', '.join(recipients)} through {host}:{port}")


def channels_from_env(env: Mapping[str, str]) -> list[Channel]:
    """The channels the environment configures (none when nothing is set)."""
    channels = []
    for name, make in ((WEBHOOK_ENV, webhook_channel), (SLACK_ENV, slack_channel)):
        if url := (env.get(name) or "").strip():
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise ConfigError(f"{name} is not an http(s) URL")  # the URL itself may hold a token
            channels.append(make(url))
    if smtp_url := (env.get(SMTP_ENV) or "").strip():
        if urlsplit(smtp_url).scheme not in ("smtp", "smtps") or not urlsplit(smtp_url).hostname:
            raise ConfigError(f"{SMTP_ENV} is not a URL like smtp://user:password@host:587 (or smtps://)")
        sender = (env.get(EMAIL_FROM_ENV) or "").strip()
        recipients = [a.strip() for a in (env.get(EMAIL_TO_ENV) or "").split(",") if a.strip()]
        if not sender or not recipients:
            raise ConfigError(f"{SMTP_ENV} is set: set {EMAIL_FROM_ENV} and {EMAIL_TO_ENV} (addresses, by commas)")
        channels.append(email_channel(smtp_url, sender, recipients))
    return channels


def secrets_from_env(env: Mapping[str, str]) -> list[str]:
    """What must never be logged: the webhook URLs and the SMTP password."""
    found = [env.get(WEBHOOK_ENV) or "", env.get(SLACK_ENV) or ""]
    found.append(unquote(urlsplit(env.get(SMTP_ENV) or "").password or ""))
    return [secret for secret in found if secret]


# --- delivery and the ledger ----------------------------------------------------------------------------------


@dataclass
class Delivery:
    """What one run delivered: channel -> number of alerts sent, and the error of each channel that failed."""

    sent: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def line(self) -> str:
        parts = [f"{channel}: {count} sent" for channel, count in self.sent.items()]
        parts += [f"{channel}: FAILED ({error}); retried next run" for channel, error in self.errors.items()]
        return "; ".join(parts) or "no alert channel configured"


def deliver(settings: Settings, channels: Sequence[Channel]) -> Delivery:
    """Send each channel the alerts it has not taken yet, then record every attempt in the ledger."""
    alerts, ledger = current_alerts(settings.warehouse)
    delivery, records, now = Delivery(), [], datetime.now(UTC)
    for channel in channels:
        pending = open_alerts(alerts, ledger, [channel.name])
        if not pending:
            delivery.sent[channel.name] = 0
            continue
        try:
            channel.send(pending)
        except Exception as exc:  # any failure of a channel: record it, keep the other channels going
            delivery.errors[channel.name] = _one_line(exc, settings)
            status, error = FAILED, delivery.errors[channel.name]
        else:
            delivery.sent[channel.name] = len(pending)
            status, error = SENT, None
        records += [
            {"alert_key": a.alert_key, "channel": channel.name, "status": status, "attempted_at": now, "error": error}
            for a in pending
        ]
    if records:
        record(settings, records)
    return delivery


def _one_line(exc: BaseException, settings: Settings) -> str:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    for secret in settings.secrets + secrets_from_env(os.environ):
        message = message.replace(secret, "***")
    return message[:300]


def record(settings: Settings, records: list[dict]) -> None:
    """Merge delivery records into the ledger (dlt: the same destination as the raw load, its own dataset)."""
    import dlt

    from .pipeline import load_errors, make_pipeline, prune_loaded_packages

    resource = dlt.resource(
        records,
        name=LEDGER_TABLE,
        write_disposition="merge",
        primary_key=("alert_key", "channel"),
        columns={
            "alert_key": {"data_type": "text", "nullable": False},
            "channel": {"data_type": "text", "nullable": False},
            "status": {"data_type": "text", "nullable": False},
            "attempted_at": {"data_type": "timestamp", "nullable": False},
            "error": {"data_type": "text", "nullable": True},
        },
    )
    pipeline = make_pipeline(settings, name=LEDGER_PIPELINE, dataset=LEDGER_SCHEMA)
    with load_errors(settings):
        pipeline.run(resource)
    prune_loaded_packages(pipeline)


def as_lines(alerts: Sequence[Alert], ledger: Mapping) -> list[str]:
    """One line per alert for a terminal: kind, day, message, and where it was sent."""
    lines = []
    for alert in alerts:
        sent = sorted(c for (key, c), status in ledger.items() if key == alert.alert_key and status == SENT)
        where = f" [sent: {', '.join(sent)}]" if sent else ""
        lines.append(f"{alert.alert_date} {alert.kind}: {alert.message}{where}")
    return lines
