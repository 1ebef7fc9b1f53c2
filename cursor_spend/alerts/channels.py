"""The channels alerts go to from the CLI (httpx and smtplib: the plain install has no Airflow) and their settings
in the environment. A channel sends one :class:`~.messages.Message` and raises :class:`AlertDeliveryError` when the
receiver did not take it, :class:`AlertOutcomeUnknown` when it may have (the request went out, no answer came)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import SplitResult, unquote, urlsplit

from ..errors import AlertDeliveryError, AlertOutcomeUnknown, ConfigError
from .mail import SMTP_SCHEMES, send_email, smtp_target
from .messages import Message

TIMEOUT_SECONDS = 30
WEBHOOK_ENV = "CURSOR_SPEND_ALERT_WEBHOOK_URL"
SLACK_ENV = "CURSOR_SPEND_ALERT_SLACK_WEBHOOK_URL"
SMTP_ENV = "CURSOR_SPEND_ALERT_SMTP_URL"
EMAIL_FROM_ENV = "CURSOR_SPEND_ALERT_EMAIL_FROM"
EMAIL_TO_ENV = "CURSOR_SPEND_ALERT_EMAIL_TO"


@dataclass(frozen=True)
class Channel:
    """A named way to deliver alerts: ``send`` delivers one message or raises (with a message free of secrets)."""

    name: str
    send: Callable[[Message], None] = field(repr=False)
    target: str = ""  # for messages: where it goes, without secrets


def where(parts: SplitResult) -> str:
    """A URL as far as a message may show it: scheme and host (paths and queries of webhooks hold tokens)."""
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")


def _post(url: str, message: Message, body: dict, name: str) -> None:
    import httpx

    headers = {"Content-Type": "application/json", "Idempotency-Key": message.idempotency_key}
    try:
        response = httpx.post(url, content=json.dumps(body).encode(), headers=headers, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        error = AlertOutcomeUnknown if _maybe_received(exc) else AlertDeliveryError
        raise error(f"{name} at {where(urlsplit(url))} is not reachable ({type(exc).__name__})") from None
    if response.status_code >= 300:
        raise AlertDeliveryError(f"{name} at {where(urlsplit(url))} answered HTTP {response.status_code}")


def _maybe_received(exc: Exception) -> bool:
    """Whether the receiver may have the request: it went out whole and no answer came (a read timeout, a connection
    closed before the answer). A refused connection or a request not written whole did not arrive."""
    import httpx

    not_sent = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout)
    return not isinstance(exc, not_sent + (httpx.LocalProtocolError, httpx.UnsupportedProtocol, httpx.ProxyError))


def webhook_channel(url: str) -> Channel:
    def send(message: Message) -> None:
        _post(url, message, message.webhook_body(), "the webhook")

    return Channel("webhook", send, where(urlsplit(url)))


def slack_channel(url: str) -> Channel:
    def send(message: Message) -> None:
        _post(url, message, {"text": message.slack_text()}, "the Slack webhook")

    return Channel("slack", send, where(urlsplit(url)))


def _emailer(parts: SplitResult, sender: str, recipients: list[str]) -> Callable[[Message], None]:
    return lambda message: send_email(parts, message.email(sender, recipients), TIMEOUT_SECONDS)


def checked_url(name: str, url: str, schemes: tuple[str, ...], example: str) -> SplitResult:
    """``url`` split, or one line naming the setting and the fix (never the URL: it may hold a token)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number from 0 to 65535, a broken IPv6 address
        raise ConfigError(f"{name} has a bad port or host: use a URL like {example}") from None
    if parts.scheme not in schemes or not parts.hostname:
        raise ConfigError(f"{name} is not a URL like {example}")
    if port == 0:
        raise ConfigError(f"{name} has port 0: give a port from 1 to 65535, like {example}")
    return parts


def channels_from_env(env: Mapping[str, str]) -> list[Channel]:
    """The channels the environment configures (none when nothing is set)."""
    channels = []
    for name, make in ((WEBHOOK_ENV, webhook_channel), (SLACK_ENV, slack_channel)):
        if url := (env.get(name) or "").strip():
            checked_url(name, url, ("http", "https"), "https://hooks.example.com/...")
            channels.append(make(url))
    if smtp_url := (env.get(SMTP_ENV) or "").strip():
        parts = checked_url(SMTP_ENV, smtp_url, SMTP_SCHEMES, "smtp://user:password@host:587 (or smtps://)")
        sender = (env.get(EMAIL_FROM_ENV) or "").strip()
        recipients = [a.strip() for a in (env.get(EMAIL_TO_ENV) or "").split(",") if a.strip()]
        if not sender or not recipients:
            raise ConfigError(f"{SMTP_ENV} is set: set {EMAIL_FROM_ENV} and {EMAIL_TO_ENV} (addresses, by commas)")
        channels.append(Channel("email", _emailer(parts, sender, recipients), smtp_target(parts, recipients)))
    return channels


def secrets_from_env(env: Mapping[str, str]) -> list[str]:
    """What must never be logged: the webhook URLs and the SMTP password."""
    found = [env.get(WEBHOOK_ENV) or "", env.get(SLACK_ENV) or ""]
    found.append(unquote(urlsplit(env.get(SMTP_ENV) or "").password or ""))
    return [secret for secret in found if secret]
