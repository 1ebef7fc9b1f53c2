"""The transform DAG's alert channels: Airflow's own notifiers (HTTP, Slack, SMTP providers) on Airflow connections,
against real local receivers. They send the CLI's messages with the same idempotency keys and escaping, tell a
failure from an unknown outcome, send each message once (no resend inside a provider), and Airflow's SMTP
connection is as strict about TLS as the CLI's smtp:// (docs/alerts.md)."""

from __future__ import annotations

import json

import pytest

from cursor_simulator import free_port
from cursor_spend.airflow.connections import SLACK_CONN, SMTP_CONN, WEBHOOK_CONN
from cursor_spend.airflow.notifiers import alert_channels
from cursor_spend.alerts import channels
from cursor_spend.alerts.messages import Message
from cursor_spend.errors import AlertDeliveryError, AlertOutcomeUnknown
from tests.receivers import an_alert, self_signed_certificate, smtp_server, webhook

MESSAGE = Message("budget|b|t|2026-11-01|100", (an_alert("Budget <b> & co: 100% reached\non 2026-11-20"),))


def _connect(monkeypatch, conn_id: str, **fields) -> None:
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(fields))


def _smtp(monkeypatch, url: str, **extra) -> None:
    host, port = url.split("://")[1].split(":")
    extra = {"from_email": "alerts@acme.io", "to": "finops@acme.io"} | extra
    _connect(monkeypatch, SMTP_CONN, conn_type="smtp", host=host, port=int(port), login="u", password="hunter2",
             extra=extra)  # fmt: skip


@pytest.fixture(autouse=True)
def no_channels(monkeypatch):
    for name in (WEBHOOK_CONN, SLACK_CONN, SMTP_CONN):
        monkeypatch.delenv(f"AIRFLOW_CONN_{name.upper()}", raising=False)
    for name in (channels.WEBHOOK_ENV, channels.SLACK_ENV, channels.SMTP_ENV):
        monkeypatch.delenv(name, raising=False)


def test_notifiers_send_the_clis_messages_with_idempotency_keys_escaped_and_mail_over_starttls(monkeypatch, tmp_path):
    certificate = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # Airflow's SMTP hook trusts the CA as the CLI does
    with webhook() as hook, webhook() as slack, smtp_server(certificate, login=True) as mailbox:
        _connect(monkeypatch, WEBHOOK_CONN, conn_type="http", host=hook.url)
        _connect(monkeypatch, SLACK_CONN, conn_type="slackwebhook", password=slack.url)
        _smtp(monkeypatch, mailbox.url, disable_ssl=True)  # STARTTLS, as smtp:// does
        found = alert_channels({})
        assert [channel.name for channel in found] == ["webhook", "slack", "email"]
        for channel in found:
            channel.send(MESSAGE)

    assert hook.keys == [MESSAGE.idempotency_key] and hook.bodies == [json.loads(json.dumps(MESSAGE.webhook_body()))]
    assert slack.bodies == [{"text": MESSAGE.slack_text()}]
    assert "Budget &lt;b&gt; &amp; co: 100% reached\\non 2026-11-20" in slack.bodies[0]["text"]
    assert [login[1:] for login in mailbox.logins] == [("u", "hunter2", True)]  # over TLS
    (mail,) = mailbox.messages
    assert mail["Message-ID"] == MESSAGE.message_id("alerts@acme.io")
    assert f"Idempotency key: {MESSAGE.idempotency_key}" in mail.get_body().get_content()


@pytest.mark.parametrize("plain", [False, True], ids=["starttls-required", "disable_tls"])
def test_the_smtp_connection_sends_in_clear_only_with_disable_tls(monkeypatch, plain):
    with smtp_server(login=True) as mailbox:  # a server without STARTTLS that would take a password in clear
        _smtp(monkeypatch, mailbox.url, disable_ssl=True, disable_tls=plain)
        (email,) = alert_channels({})
        if plain:
            email.send(MESSAGE)
        else:
            with pytest.raises(AlertDeliveryError, match="offers no STARTTLS, so nothing was sent") as failed:
                email.send(MESSAGE)
            assert "hunter2" not in str(failed.value)
    assert [login[1:] for login in mailbox.logins] == ([("u", "hunter2", False)] if plain else [])
    assert len(mailbox.messages) == int(plain)


def test_a_webhook_slower_than_the_timeout_or_hanging_up_is_an_unknown_outcome_and_a_refusal_a_failure(monkeypatch):
    monkeypatch.setattr(channels, "TIMEOUT_SECONDS", 0.5)
    with webhook() as hook, webhook() as slack:
        _connect(monkeypatch, WEBHOOK_CONN, conn_type="http", host=hook.url)
        _connect(monkeypatch, SLACK_CONN, conn_type="slackwebhook", password=slack.url)
        hook.delay = slack.delay = 2
        for channel in alert_channels({}):
            with pytest.raises(AlertOutcomeUnknown, match=f"through connection cursor_spend_{channel.name} failed"):
                channel.send(MESSAGE)
        hook.delay = slack.delay = 0
        hook.hang_up_next = slack.hang_up_next = 1  # took it, closed the connection: no resend inside the client
        for channel in alert_channels({}):
            with pytest.raises(AlertOutcomeUnknown):
                channel.send(MESSAGE)
        hook.fail_next = slack.fail_next = 1
        for channel in alert_channels({}):
            with pytest.raises(AlertDeliveryError) as failed:
                channel.send(MESSAGE)
            assert not isinstance(failed.value, AlertOutcomeUnknown)
    assert len(hook.bodies) == 2 and len(slack.bodies) == 2  # taken once each time, no resend inside the clients
    monkeypatch.delenv(f"AIRFLOW_CONN_{SLACK_CONN.upper()}")
    _connect(monkeypatch, WEBHOOK_CONN, conn_type="http", host=f"http://127.0.0.1:{free_port()}/hook")
    (refused,) = alert_channels({})
    with pytest.raises(AlertDeliveryError) as failed:
        refused.send(MESSAGE)
    assert not isinstance(failed.value, AlertOutcomeUnknown)


def test_the_smtp_notifier_sends_once_when_the_server_answers_after_the_timeout(monkeypatch):
    with smtp_server(login=True) as mailbox:
        mailbox.delay = 3  # it takes the mail, then answers after the client's timeout
        _smtp(monkeypatch, mailbox.url, disable_ssl=True, disable_tls=True, timeout=1)
        (email,) = alert_channels({})
        with pytest.raises(AlertOutcomeUnknown):
            email.send(MESSAGE)
    assert len(mailbox.messages) == 1  # taken once: the hook's resend loop finds the connection closed
