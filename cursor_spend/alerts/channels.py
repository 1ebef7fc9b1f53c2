"""The channels alerts go to from the CLI (httpx and smtplib: the plain install has no Airflow), their settings
in the environment, and the messages every channel sends (the Airflow notifiers send the same)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ..errors import AlertDeliveryError, ConfigError

if TYPE_CHECKING:
    from ..marts.alerts import Alert

TIMEOUT_SECONDS = 30
WEBHOOK_ENV = "CURSOR_SPEND_ALERT_WEBHOOK_URL"
SLACK_ENV = "CURSOR_SPEND_ALERT_SLACK_WEBHOOK_URL"
SMTP_ENV = "CURSOR_SPEND_ALERT_SMTP_URL"
EMAIL_FROM_ENV = "CURSOR_SPEND_ALERT_EMAIL_FROM"
EMAIL_TO_ENV = "CURSOR_SPEND_ALERT_EMAIL_TO"


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
