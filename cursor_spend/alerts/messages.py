"""The messages alerts travel in, the same on every channel (the CLI's and Airflow's notifiers): one message per
alert delivered as it comes, or one digest per channel and day. Each carries an idempotency key derived from its
key (the alert's key, or ``digest|<day>``), in the webhook's ``Idempotency-Key`` header and body and in the text
of Slack and e-mail, so that a receiver can drop a message it already has (docs/alerts.md)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import parseaddr

from ..marts.alerts import Alert
from ..printable import one_line

DIGEST_PREFIX = "digest|"
DIGEST_TOP = 5  # the alerts a digest's text lists (its webhook body carries them all)
SOURCE = "cursor-spend"


def digest_key(day: date) -> str:
    return f"{DIGEST_PREFIX}{day}"


@dataclass(frozen=True)
class Message:
    """One delivery: an alert on its own (``key`` = its alert key) or a digest (``key`` = ``digest|<day>``)."""

    key: str
    alerts: tuple[Alert, ...]

    @property
    def is_digest(self) -> bool:
        return self.key.startswith(DIGEST_PREFIX)

    @property
    def idempotency_key(self) -> str:
        """The same for every attempt of this message: a hash of its key (alert keys hold e-mails and names)."""
        return "cursor-spend-" + hashlib.sha256(self.key.encode()).hexdigest()[:40]

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(alert.kind for alert in self.alerts).most_common())

    @property
    def subject(self) -> str:
        if self.is_digest:
            return f"cursor-spend digest {self.key.removeprefix(DIGEST_PREFIX)}: {_counted(self.counts)}"
        alert = self.alerts[0]
        return one_line(f"cursor-spend {alert.severity}: {alert.kind} for {alert.scope_value}")

    def lines(self) -> list[str]:
        """The text, line by line; every value on the line it belongs to (:func:`one_line`)."""
        if not self.is_digest:
            body = [alert_line(self.alerts[0])]
        else:
            shown = self.alerts[:DIGEST_TOP]
            body = [self.subject, *(f"- {alert_line(alert)}" for alert in shown)]
            if len(self.alerts) > len(shown):
                body.append(f"... and {len(self.alerts) - len(shown)} more (rpt_cursor_alerts lists them all)")
        return [*body, f"Idempotency key: {self.idempotency_key}"]

    def text(self) -> str:
        return "\n".join(self.lines())

    def slack_text(self) -> str:
        """The text escaped as Slack's message formatting requires: ``&``, ``<`` and ``>`` as HTML entities."""
        return "\n".join(slack_escape(line) for line in self.lines())

    def webhook_body(self) -> dict:
        body = {"source": SOURCE, "idempotency_key": self.idempotency_key}
        if self.is_digest:
            body["digest"] = {"day": self.key.removeprefix(DIGEST_PREFIX), "counts": self.counts}
        return body | {"alerts": [alert_json(alert) for alert in self.alerts]}

    def email(self, sender: str, recipients: Sequence[str]) -> EmailMessage:
        """The e-mail; its Message-ID is the idempotency key, which mail systems use to drop a repeat too."""
        message = EmailMessage()
        message["Subject"], message["From"], message["To"] = self.subject, sender, ", ".join(recipients)
        message["Message-ID"] = self.message_id(sender)
        message.set_content(self.text())
        return message

    def message_id(self, sender: str) -> str:
        domain = parseaddr(sender)[1].rpartition("@")[2]
        return f"<{self.idempotency_key}@{domain or 'cursor-spend.invalid'}>"


def alert_line(alert: Alert) -> str:
    """An alert in one line: severity, day, kind and message."""
    return one_line(f"[{alert.severity}] {alert.alert_date} {alert.kind}: {alert.message}")


def alert_json(alert: Alert) -> dict:
    """JSON-ready: dates as ISO strings, money as exact decimal strings, the message on one line (the other fields
    are data; JSON escapes what they hold)."""
    values = {k: v if v is None or isinstance(v, str | bool) else str(v) for k, v in alert._asdict().items()}
    return values | {"message": one_line(alert.message)}


def slack_escape(text: str) -> str:
    return one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _counted(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    return f"{total} alert{'s' if total != 1 else ''} (" + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + ")"
