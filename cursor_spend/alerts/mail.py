"""E-mail from the CLI through SMTP (smtplib), with TLS before anything is sent, as Airflow's SMTP connection does:

* ``smtps://user:password@host:465``: TLS from the first byte;
* ``smtp://user:password@host:587``: STARTTLS, which must succeed; a server that does not offer it gets nothing
  (not the password, not the mail) and the run says so in one line;
* ``smtp+insecure://host:25``: no TLS at all, only when the URL says so: the password and the mail travel in clear.

The server's certificate is checked against the system's CAs (Python's default context, which reads
``SSL_CERT_FILE`` and ``SSL_CERT_DIR``, as Airflow's SMTP hook does). Messages name the host, never the password.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from urllib.parse import SplitResult, unquote

from ..errors import AlertDeliveryError, AlertOutcomeUnknown

SMTP_SCHEMES = ("smtp", "smtps", "smtp+insecure")
DEFAULT_PORTS = {"smtps": 465, "smtp": 587, "smtp+insecure": 25}
REFUSED = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused, smtplib.SMTPNotSupportedError)


def _host_port(parts: SplitResult) -> tuple[str, int]:
    return parts.hostname or "", parts.port or DEFAULT_PORTS[parts.scheme]


def smtp_target(parts: SplitResult, recipients: Sequence[str]) -> str:
    host, port = _host_port(parts)
    return f"{', '.join(recipients)} through {host}:{port}"


def send_email(parts: SplitResult, email: EmailMessage, timeout: float) -> None:
    """Send ``email``: raises :class:`AlertDeliveryError` when the server did not take it, and
    :class:`AlertOutcomeUnknown` when the connection broke after the mail went out."""
    host, port = _host_port(parts)
    at = f"e-mail through {host}:{port}"
    try:
        if parts.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
    except (OSError, smtplib.SMTPException) as exc:
        raise _failed(at, exc) from None
    try:
        _prepare(smtp, parts, at)
        try:
            smtp.send_message(email)
        except REFUSED as exc:
            raise AlertDeliveryError(f"{at}: the server refused the mail ({_reason(exc)})") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise AlertOutcomeUnknown(f"{at}: no answer after the mail went out ({_reason(exc)})") from None
    finally:
        _close(smtp)


def _prepare(smtp: smtplib.SMTP, parts: SplitResult, at: str) -> None:
    """STARTTLS (for smtp://) and the login; raises :class:`AlertDeliveryError` before anything is sent."""
    try:
        if parts.scheme == "smtp":
            smtp.ehlo_or_helo_if_needed()
            if not smtp.has_extn("starttls"):
                raise AlertDeliveryError(
                    f"{at}: the server offers no STARTTLS, so nothing was sent (not the password, not the mail); "
                    "use smtps://, a server with STARTTLS, or smtp+insecure:// to send in clear (unsafe)"
                )
            smtp.starttls(context=ssl.create_default_context())
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
    except (OSError, smtplib.SMTPException) as exc:
        raise _failed(at, exc) from None


def _failed(at: str, exc: BaseException) -> AlertDeliveryError:
    """The one line of a failure before anything was sent (connect, TLS, login)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return AlertDeliveryError(
            f"{at}: the server's certificate is not trusted ({exc.verify_message}); "
            "point SSL_CERT_FILE at the CA that signed it"
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return AlertDeliveryError(f"{at}: the server refused the login (SMTP {exc.smtp_code})")
    return AlertDeliveryError(f"{at} failed ({_reason(exc)})")


def _reason(exc: BaseException) -> str:
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__}, SMTP {code}" if code else type(exc).__name__


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()
