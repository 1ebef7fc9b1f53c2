"""The outbox: what each channel is due, decided from the mart and the ledger ``cursor_alerts.alert_deliveries``,
and the ledger's rows: ``pending`` before a delivery is attempted, then marked ``sent``, ``failed``, ``unknown`` or
``given_up``; alerts whose delivery is off are recorded ``skipped``. The rule (docs/alerts.md, "The delivery
guarantee"): an alert goes to a channel until the channel takes it; an attempt that may have arrived unconfirmed
(``unknown``, or ``pending`` after a crash) is sent once more with the same idempotency key, and after a second
one the alert is given up. So no alert reaches a channel more than twice, and a repeat carries the same key.

:func:`record` is the one function that writes the ledger (by dlt, into the warehouse of the raw load; on PostgreSQL
holding the warehouse's writer lock, :mod:`..locking`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..config import Settings
from ..marts import LEDGER_SCHEMA, LEDGER_TABLE
from ..marts.alerts import DIGEST, FAILED, GIVEN_UP, OFF, PENDING, SENT, SKIPPED, UNKNOWN, Alert, Entry, Ledger
from .messages import Message, digest_key

LEDGER_PIPELINE = "cursor_spend_alerts"
MAX_UNCONFIRMED = 2  # attempts that may have arrived unconfirmed before an alert is given up
NOT_ATTEMPTED = "not attempted: an earlier message to this channel failed in this run"
GIVEN_UP_ERROR = "outcome unknown twice: not sent again"
NO_ROW = Entry(status="")  # an alert the ledger has no row for yet
COLUMNS = {  # the outbox's columns are nullable: a ledger written before the outbox has rows without them
    "alert_key": {"data_type": "text", "nullable": False},
    "channel": {"data_type": "text", "nullable": False},
    "status": {"data_type": "text", "nullable": False},
    "message_key": {"data_type": "text", "nullable": True},
    "attempts": {"data_type": "bigint", "nullable": True},
    "unconfirmed": {"data_type": "bigint", "nullable": True},
    "attempted_at": {"data_type": "timestamp", "nullable": False},
    "error": {"data_type": "text", "nullable": True},
}


@dataclass
class Plan:
    """One channel's share of a run: its messages (most severe first, the digest last), the alerts' ledger rows
    before the run, the rows to write before sending, and what waits or was given up."""

    channel: str
    now: datetime
    messages: list[Message] = field(default_factory=list)
    prior: dict[str, Entry] = field(default_factory=dict)  # alert_key -> its row before this run (if any)
    rows: list[dict] = field(default_factory=list)  # skipped and given up
    held: int = 0  # digest alerts waiting for the next day's digest
    given_up: int = 0

    def retried(self, message: Message) -> int:
        """How many of ``message``'s alerts it sends again after an unknown outcome."""
        return sum(self.prior.get(a.alert_key, NO_ROW).unconfirmed > 0 for a in message.alerts)

    def pending(self) -> list[dict]:
        """The rows written before any message is sent: each message's alerts ``pending``, one more attempt that
        may arrive unconfirmed; and the skipped and given-up rows."""
        rows = [self.row(a, message.key, PENDING, 1, 1) for message in self.messages for a in message.alerts]
        return rows + self.rows

    def marked(self, message: Message, status: str, error: str | None = None, attempted: bool = True) -> list[dict]:
        """The rows of ``message``'s alerts after the attempt: ``sent``, ``failed`` (it did not arrive, or was not
        attempted), ``unknown`` (it may have arrived) or ``given_up`` (unknown once more)."""
        rows = []
        for alert in message.alerts:
            row = self.row(alert, message.key, status, int(attempted), int(status != FAILED), error)
            if status == UNKNOWN and row["unconfirmed"] >= MAX_UNCONFIRMED:
                row |= {"status": GIVEN_UP, "error": f"{error}; {GIVEN_UP_ERROR}"}
            rows.append(row)
        return rows

    def row(
        self, alert: Alert, message_key: str | None, status: str, attempt: int, unconfirmed: int, error=None
    ) -> dict:
        """The ledger row of ``alert`` on this channel: its counts before the run plus this ``attempt`` and this
        ``unconfirmed`` one (0 or 1)."""
        prior = self.prior.get(alert.alert_key, NO_ROW)
        return {
            "alert_key": alert.alert_key, "channel": self.channel, "status": status, "message_key": message_key,
            "attempts": prior.attempts + attempt, "unconfirmed": prior.unconfirmed + unconfirmed,
            "attempted_at": self.now, "error": error,
        }  # fmt: skip


def plan(channel: str, alerts: Sequence[Alert], ledger: Ledger, now: datetime) -> Plan:
    """What ``channel`` is due: alerts of mode ``send`` one message each, those of mode ``digest`` in today's
    digest (unless today's may have gone out: they wait for tomorrow's), and the alerts in doubt once more, in the
    message that carried them (same key)."""
    result, singles, digest = Plan(channel, now), [], []
    retries: dict[str, list[Alert]] = defaultdict(list)
    for alert in alerts:
        entry = ledger.get((alert.alert_key, channel))
        if entry is not None:
            result.prior[alert.alert_key] = entry
        if alert.delivery == OFF:
            if entry is None or entry.status == FAILED:
                result.rows.append(result.row(alert, alert.superseded_by, SKIPPED, 0, 0))
        elif entry is None or (entry.status in (FAILED, SKIPPED) and not entry.unconfirmed):
            (digest if alert.delivery == DIGEST else singles).append(alert)
        elif entry.settled:
            continue
        elif entry.unconfirmed >= MAX_UNCONFIRMED:  # a retry that crashed before it was marked
            result.rows.append(result.row(alert, entry.message_key, GIVEN_UP, 0, 0, GIVEN_UP_ERROR))
            result.given_up += 1
        else:  # in doubt: pending (a crash), unknown, or failed after an unknown outcome
            retries[entry.message_key or alert.alert_key].append(alert)
    result.messages = [Message(key, tuple(group)) for key, group in retries.items()]
    result.messages += [Message(alert.alert_key, (alert,)) for alert in singles]
    today = digest_key(now.date())
    if digest and (today in retries or _went_out(ledger, channel, today)):
        result.held = len(digest)
    elif digest:
        result.messages.append(Message(today, tuple(digest)))
    order = {alert.alert_key: n for n, alert in enumerate(alerts)}
    result.messages.sort(key=lambda m: (m.is_digest, order[m.alerts[0].alert_key]))
    return result


def _went_out(ledger: Ledger, channel: str, message_key: str) -> bool:
    """Whether the message may have reached the channel already (sent, or its outcome unknown)."""
    return any(
        c == channel and entry.message_key == message_key and entry.status in (SENT, PENDING, UNKNOWN, GIVEN_UP)
        for (_, c), entry in ledger.items()
    )


def record(settings: Settings, rows: list[dict]) -> None:
    """Merge rows into the ledger, one per alert and channel (dlt: the same destination as the raw load, its own
    dataset)."""
    import dlt

    from ..load import load_errors, make_pipeline, prune_loaded_packages
    from ..locking import exclusive

    resource = dlt.resource(
        rows, name=LEDGER_TABLE, write_disposition="merge", primary_key=("alert_key", "channel"), columns=COLUMNS
    )
    pipeline = make_pipeline(settings, name=LEDGER_PIPELINE, dataset=LEDGER_SCHEMA, job="alerts")
    with exclusive(settings, "alerts"), load_errors(settings):
        pipeline.run(resource)
    prune_loaded_packages(pipeline)
