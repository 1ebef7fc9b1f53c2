"""The alert channels under Airflow: Airflow's notifiers on the connections ``cursor_spend_webhook`` (HTTP
provider), ``cursor_spend_slack`` (Slack provider) and ``cursor_spend_smtp`` (SMTP provider), each where it exists,
and the environment's channels (:mod:`cursor_spend.alerts.channels`) for the others, under the same names, with the
same messages, idempotency keys and outbox (:mod:`cursor_spend.alerts.delivery`). Webhook URLs are registered with
the secrets masker.

Each notifier sends once per call: the Slack client's own retries are off, because a resend after a timeout is a
duplicate the ledger cannot see; the outbox retries instead, at most once, with the same idempotency key. A
failure is told apart from an unknown outcome by the exception of the library underneath (requests, urllib,
smtplib).
"""

from __future__ import annotations

import html
import os
import smtplib
import socket
import ssl
from collections.abc import Callable, Mapping
from typing import Any

from cursor_spend.alerts import channels as cli_channels
from cursor_spend.alerts.channels import Channel
from cursor_spend.alerts.messages import Message
from cursor_spend.errors import AlertDeliveryError, AlertOutcomeUnknown, ConfigError

from .connections import SLACK_CONN, SMTP_CONN, WEBHOOK_CONN, get_connection


def _notifier_channel(
    name: str,
    conn_id: str,
    notify: Callable[[Message], None],
    maybe_received: Callable[[Exception], bool],
    reason: Callable[[Exception], str] = lambda exc: type(exc).__name__,
) -> Channel:
    """A channel that sends through one of Airflow's notifiers; its failure names the connection, never its URL."""

    def send(message: Message) -> None:
        try:
            notify(message)
        except Exception as exc:
            error = AlertOutcomeUnknown if maybe_received(exc) else AlertDeliveryError
            raise error(f"{name} through connection {conn_id} failed ({reason(exc)})") from None

    return Channel(name, send, f"connection {conn_id}")


def _http_maybe_received(exc: Exception) -> bool:
    """requests (the HTTP provider): no answer after the request went out, or the connection dropped before it."""
    import requests
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(exc, requests.exceptions.ReadTimeout | requests.exceptions.ChunkedEncodingError):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    connect_failed = isinstance(reason, NewConnectionError | ConnectTimeoutError)
    return isinstance(exc, requests.exceptions.ConnectionError) and not connect_failed


def _urllib_maybe_received(exc: Exception) -> bool:
    """urllib (the Slack client): it wraps what fails before the answer in URLError; what fails reading the answer
    (a timeout, a dropped connection) comes as it is."""
    import http.client
    from urllib.error import URLError

    return not isinstance(exc, URLError) and isinstance(exc, TimeoutError | ConnectionError | http.client.HTTPException)


def _smtp_maybe_received(exc: Exception) -> bool:
    """smtplib (the SMTP provider): a broken connection may come after the mail went out; a refusal, a TLS or login
    failure or a refused connection come before."""
    refused = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused, smtplib.SMTPNotSupportedError)
    if isinstance(exc, refused + (ssl.SSLError, ConnectionRefusedError, socket.gaierror)):
        return False
    return isinstance(exc, OSError | smtplib.SMTPServerDisconnected)


def _smtp_reason(exc: Exception) -> str:
    """What went wrong before the mail went out, as the CLI says it (:mod:`cursor_spend.alerts.mail`)."""
    if isinstance(exc, smtplib.SMTPNotSupportedError) and "STARTTLS" in str(exc):
        return (
            "the server offers no STARTTLS, so nothing was sent, not the password, not the mail; extra disable_tls "
            "sends in clear (unsafe)"
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the server's certificate is not trusted: {exc.verify_message}; point SSL_CERT_FILE at its CA"
    return type(exc).__name__


def _webhook() -> Channel:
    from airflow.providers.http.notifications.http import HttpNotifier

    def notify(message: Message) -> None:
        HttpNotifier(
            http_conn_id=WEBHOOK_CONN,
            json=message.webhook_body(),
            headers={"Idempotency-Key": message.idempotency_key},
            extra_options={"timeout": cli_channels.TIMEOUT_SECONDS},
        ).notify({})

    return _notifier_channel("webhook", WEBHOOK_CONN, notify, _http_maybe_received)


def _slack() -> Channel:
    from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier

    def notify(message: Message) -> None:
        SlackWebhookNotifier(
            slack_webhook_conn_id=SLACK_CONN,
            text=message.slack_text(),
            timeout=cli_channels.TIMEOUT_SECONDS,
            retry_handlers=[],  # no resend inside the client: the outbox decides
        ).notify({})

    return _notifier_channel("slack", SLACK_CONN, notify, _urllib_maybe_received)


def _email(extra: dict[str, Any], env: Mapping[str, str]) -> Channel:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    sender = extra.get("from_email") or env.get(cli_channels.EMAIL_FROM_ENV)
    recipients = extra.get("to") or env.get(cli_channels.EMAIL_TO_ENV)
    if not sender or not recipients:
        raise ConfigError(f'connection {SMTP_CONN}: set extra {{"from_email": ..., "to": ...}}')

    def notify(message: Message) -> None:
        SmtpNotifier(
            to=recipients,
            from_email=sender,
            subject=message.subject,
            html_content="<pre>" + html.escape(message.text()) + "</pre>",
            custom_headers={"Message-ID": message.message_id(sender)},
            smtp_conn_id=SMTP_CONN,
        ).notify({})

    return _notifier_channel("email", SMTP_CONN, notify, _smtp_maybe_received, _smtp_reason)


def alert_channels(env: Mapping[str, str] | None = None) -> list[Channel]:
    """The notifier of each alert connection that exists, then the environment's channels for the others."""
    from airflow.sdk.log import mask_secret

    env = os.environ if env is None else env
    channels = []
    if conn := get_connection(WEBHOOK_CONN):
        mask_secret(conn.host or "")
        channels.append(_webhook())
    if conn := get_connection(SLACK_CONN):
        mask_secret(conn.host or "")
        channels.append(_slack())
    if conn := get_connection(SMTP_CONN):
        channels.append(_email(conn.extra_dejson if conn.extra else {}, env))
    taken = {channel.name for channel in channels}
    for secret in cli_channels.secrets_from_env(env):
        mask_secret(secret)
    return channels + [channel for channel in cli_channels.channels_from_env(env) if channel.name not in taken]
