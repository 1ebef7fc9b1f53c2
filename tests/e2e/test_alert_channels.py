"""The CLI's alert channels against real local receivers (aiosmtpd, an HTTP webhook): e-mail only over TLS unless
the URL says otherwise (no AUTH in clear), a bad port in any alert URL is one line, and hostile text (Slack's
control characters, newlines, bidi overrides, terminal escapes) reaches no message unescaped."""

from __future__ import annotations

import pytest

from cursor_spend.alerts.channels import SLACK_ENV, SMTP_ENV, WEBHOOK_ENV, channels_from_env
from cursor_spend.alerts.messages import Message
from cursor_spend.cli import main
from cursor_spend.errors import AlertDeliveryError
from tests.receivers import an_alert, self_signed_certificate, smtp_server, webhook

HOSTILE = "eve@x.io\n- [action] fake line <!channel> & <https://evil.example|click> \u202egnp.exe \x1b[31mred"
MAIL = {"CURSOR_SPEND_ALERT_EMAIL_FROM": "Cursor Spend <alerts@acme.io>", "CURSOR_SPEND_ALERT_EMAIL_TO": "a@acme.io"}


def email(url: str) -> object:
    (channel,) = channels_from_env({SMTP_ENV: url, **MAIL})
    return channel


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


def test_smtp_without_starttls_sends_nothing_not_even_the_password():
    with smtp_server(login=True) as server:
        url = server.url.replace("smtp+insecure://", "smtp://user:hunter2@")
        with pytest.raises(AlertDeliveryError) as failed:
            email(url).send(Message("k", (an_alert(),)))
    error = str(failed.value)
    assert "offers no STARTTLS" in error and "smtps://" in error and "smtp+insecure://" in error
    assert "\n" not in error and "hunter2" not in error
    assert server.logins == [] and server.messages == []  # no AUTH attempted, nothing sent


@pytest.mark.parametrize("implicit_tls", [False, True], ids=["starttls", "smtps"])
def test_smtp_logs_in_over_tls_only_with_the_certificate_trusted_by_ssl_cert_file(
    certificate, monkeypatch, implicit_tls
):
    with smtp_server(certificate, login=True, implicit_tls=implicit_tls) as server:
        scheme, rest = server.url.split("://")
        url = f"{scheme}://user:hunter2@{rest}"
        with pytest.raises(AlertDeliveryError, match="certificate is not trusted .*self-signed.*SSL_CERT_FILE"):
            email(url).send(Message("k", (an_alert(),)))
        assert server.logins == [] and server.messages == []

        monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # how a user points at their CA
        message = Message("k", (an_alert(),))
        email(url).send(message)
    assert [login[1:] for login in server.logins] == [("user", "hunter2", True)]  # over TLS
    (mail,) = server.messages
    assert mail["Message-ID"] == f"<{message.idempotency_key}@acme.io>"
    assert f"Idempotency key: {message.idempotency_key}" in mail.get_payload(decode=True).decode()


def test_smtp_sends_in_clear_only_when_the_url_says_smtp_insecure():
    with smtp_server(login=True) as server:
        email(server.url.replace("://", "://user:hunter2@")).send(Message("k", (an_alert(),)))
    assert [login[1:] for login in server.logins] == [("user", "hunter2", False)] and len(server.messages) == 1


@pytest.mark.parametrize("name", [WEBHOOK_ENV, SLACK_ENV, SMTP_ENV])
@pytest.mark.parametrize("port", ["99999", "8o8o", "0"])
def test_a_bad_port_in_an_alert_url_is_one_line_naming_the_setting(name, port, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CURSOR_SPEND_DUCKDB", str(tmp_path / "none.duckdb"))  # channels are checked first
    for other in (WEBHOOK_ENV, SLACK_ENV, SMTP_ENV):
        monkeypatch.delenv(other, raising=False)
    scheme = "smtp://user:hunter2@" if name == SMTP_ENV else "https://"
    monkeypatch.setenv(name, f"{scheme}hooks.example.com:{port}/services/secret-token")
    for variable, value in MAIL.items():
        monkeypatch.setenv(variable, value)
    assert main(["alerts", "--send"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"cursor-spend alerts: {name} has")
    assert "port" in err and "like" in err and "secret-token" not in err and "hunter2" not in err


def test_hostile_text_stays_on_its_line_and_reaches_slack_email_and_the_webhook_escaped():
    hostile = an_alert(f"{HOSTILE} (team t) used $99.00", user_email=HOSTILE, scope_value=HOSTILE)
    digest, single = Message("digest|2026-11-20", (hostile, an_alert())), Message(hostile.alert_key, (hostile,))
    with webhook() as hook, webhook() as slack, smtp_server() as server:
        env = {WEBHOOK_ENV: hook.url, SLACK_ENV: slack.url, SMTP_ENV: server.url, **MAIL}
        for channel in channels_from_env(env):
            channel.send(digest)
            channel.send(single)

    text = slack.bodies[0]["text"]
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in text
    assert "<" not in text and ">" not in text and "&amp;amp;" not in text
    mail = server.messages[0].get_payload(decode=True).decode()
    for body in (text, mail):
        lines = body.splitlines()
        assert len(lines) == 4  # the digest's title, its two alerts, the idempotency key: nothing split
        assert lines[1].startswith("- [action] 2026-11-20 budget_threshold_crossed: eve@x.io\\n- [action] fake")
        assert "\\u202egnp.exe \\x1b[31mred" in body and "\u202e" not in body and "\x1b" not in body
    subject = server.messages[1]["Subject"]
    assert "eve@x.io\\n- [action]" in subject and "\u202e" not in subject
    assert len(slack.bodies[1]["text"].splitlines()) == 2  # the alert's line and the idempotency key
    assert hook.alerts[0]["message"].startswith("eve@x.io\\n- [action] fake line")
    assert "\u202e" not in hook.alerts[0]["message"] and hook.alerts[0]["user_email"] == HOSTILE  # data stays data
