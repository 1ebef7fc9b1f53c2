"""The alert channels under Airflow: Airflow's notifiers on the connections ``cursor_spend_webhook`` (HTTP
provider), ``cursor_spend_slack`` (Slack provider) and ``cursor_spend_smtp`` (SMTP provider), each where it exists,
and the environment's channels (:mod:`cursor_spend.alerts.channels`) for the others, under the same names and
with the same messages. Webhook URLs are registered with the secrets masker."""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cursor_spend.alerts import channels as cli_channels
from cursor_spend.alerts.channels import Channel
from cursor_spend.errors import AlertDeliveryError, ConfigError

from .connections import SLACK_CONN, SMTP_CONN, WEBHOOK_CONN, get_connection


def _notifier_channel(name: str, conn_id: str, notify: Callable[[Sequence], None]) -> Channel:
    """A channel that sends through one of Airflow's notifiers; its failure names the connection, never its URL."""

    def send(batch: Sequence) -> None:
        try:
            notify(batch)
        except Exception as exc:
            raise AlertDeliveryError(f"{name} through connection {conn_id} failed ({type(exc).__name__})") from None

    return Channel(name, send, f"connection {conn_id}")


def _webhook() -> Channel:
    from airflow.providers.http.notifications.http import HttpNotifier

    def notify(batch: Sequence) -> None:
        HttpNotifier(http_conn_id=WEBHOOK_CONN, json=cli_channels.webhook_body(batch)).notify({})

    return _notifier_channel("webhook", WEBHOOK_CONN, notify)


def _slack() -> Channel:
    from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier

    def notify(batch: Sequence) -> None:
        SlackWebhookNotifier(slack_webhook_conn_id=SLACK_CONN, text=cli_channels.text(batch)).notify({})

    return _notifier_channel("slack", SLACK_CONN, notify)


def _email(extra: dict[str, Any], env: Mapping[str, str]) -> Channel:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    sender = extra.get("from_email") or env.get(cli_channels.EMAIL_FROM_ENV)
    recipients = extra.get("to") or env.get(cli_channels.EMAIL_TO_ENV)
    if not sender or not recipients:
        raise ConfigError(f'connection {SMTP_CONN}: set extra {{"from_email": ..., "to": ...}}')

    def notify(batch: Sequence) -> None:
        SmtpNotifier(
            to=recipients,
            from_email=sender,
            subject=cli_channels.subject(batch),
            html_content="<pre>" + html.escape(cli_channels.text(batch)) + "</pre>",
            smtp_conn_id=SMTP_CONN,
        ).notify({})

    return _notifier_channel("email", SMTP_CONN, notify)


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
