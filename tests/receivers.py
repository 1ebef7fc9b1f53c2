"""Real local receivers for alert delivery tests: an HTTP webhook (a JSON POST per delivery, with its
Idempotency-Key header) and an SMTP server (aiosmtpd, optionally with STARTTLS on a self-signed certificate and a
login that records what it was given), each on a free loopback port, recording what they receive."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from cursor_simulator import free_port
from cursor_spend.marts.alerts import Alert


class Webhook:
    """Records the JSON body and the Idempotency-Key header of every POST; answers HTTP 500 to the next
    ``fail_next`` requests; after taking a request, calls ``on_receive``, hangs up without an answer on the next
    ``hang_up_next`` ones, and waits ``delay`` seconds before it answers (slower than the client's timeout)."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.keys: list[str | None] = []
        self.fail_next = 0
        self.hang_up_next = 0
        self.refused = 0
        self.delay = 0.0
        self.on_receive: Callable[[], None] | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver.fail_next > 0:
                    receiver.fail_next -= 1
                    receiver.refused += 1
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.bodies.append(json.loads(body))
                receiver.keys.append(self.headers.get("Idempotency-Key"))
                if receiver.on_receive:
                    receiver.on_receive()
                if receiver.hang_up_next > 0:  # took it, then closes the connection without an answer
                    receiver.hang_up_next -= 1
                    self.close_connection = True
                    return
                time.sleep(receiver.delay)
                try:
                    self.send_response(200)
                    self.end_headers()
                except OSError:  # the client is gone (timed out, or killed)
                    pass

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/cursor-spend/secret-token"

    @property
    def alerts(self) -> list[dict]:
        """Every alert received, alone or in a digest."""
        return [alert for body in self.bodies for alert in body["alerts"]]

    @property
    def digests(self) -> list[dict]:
        return [body for body in self.bodies if "digest" in body]


@contextmanager
def webhook() -> Iterator[Webhook]:
    receiver = Webhook()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


@dataclass
class Mailbox:
    """What an SMTP server took: its URL (scheme ``smtps`` with TLS from the start, ``smtp`` with STARTTLS,
    ``smtp+insecure`` without), the messages, every login attempt (mechanism, login, password, over TLS) and a
    delay before it answers the end of DATA."""

    url: str = ""
    messages: list[Message] = field(default_factory=list)
    logins: list[tuple[str, str, str, bool]] = field(default_factory=list)
    delay: float = 0.0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        await asyncio.sleep(self.delay)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        login, password = auth_data.login.decode(), auth_data.password.decode()
        tls = bool(session.ssl) or server.transport.get_extra_info("ssl_object") is not None  # STARTTLS, or smtps
        self.logins.append((mechanism, login, password, tls))
        return AuthResult(success=True)


@contextmanager
def smtp_server(
    certificate: tuple[Path, Path] | None = None, login: bool = False, implicit_tls: bool = False
) -> Iterator[Mailbox]:
    """An SMTP server on loopback. With ``certificate`` (cert and key files) it offers STARTTLS (or, with
    ``implicit_tls``, TLS from the start); with ``login`` it takes AUTH PLAIN and LOGIN even without TLS (as the
    careless server of the defect did) and records them."""
    mailbox = Mailbox()
    options: dict = {}
    scheme = "smtps" if implicit_tls else "smtp" if certificate else "smtp+insecure"
    if certificate:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*certificate)
        options["ssl_context" if implicit_tls else "tls_context"] = context
    if login:
        options |= {"authenticator": mailbox.authenticate, "auth_require_tls": False}
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    mailbox.url = f"{scheme}://127.0.0.1:{controller.port}"
    try:
        yield mailbox
    finally:
        controller.stop()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, signed by its own key: (cert.pem, key.pem) in ``folder``. A client
    trusts it with SSL_CERT_FILE=cert.pem."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cursor-spend test SMTP")])
    now = dt.datetime.now(dt.UTC)
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def an_alert(message: str = "Budget b (team t, 2026-11): 100% of $10.00 reached", **fields) -> Alert:
    """A row of rpt_cursor_alerts as the read side gives it (a budget alert to act on), with ``fields`` over it."""
    values = {
        "alert_key": "budget|b|t|2026-11-01|100", "kind": "budget_threshold_crossed", "severity": "action",
        "delivery": "send", "superseded_by": None, "team": None, "scope": "team", "scope_value": "t",
        "user_email": None, "budget_name": "b", "period_start": date(2026, 11, 1), "alert_date": date(2026, 11, 20),
        "amount_usd": Decimal("10.5"), "threshold_usd": Decimal(10), "projected_date": None, "is_estimated": False,
        "message": message,
    }  # fmt: skip
    return Alert(**(values | fields))
