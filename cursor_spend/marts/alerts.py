"""The alerts of the mart ``rpt_cursor_alerts`` and the ledger of their deliveries (one row per alert and channel),
read together: which alerts a channel has not taken yet is decided from both.

A ledger row's status (docs/alerts.md, "The delivery guarantee"): ``pending`` (written before a delivery is
attempted), then ``sent``, ``failed`` (the channel did not take it), ``unknown`` (it may have: a timeout after the
request went out), ``given_up`` (unknown twice: never sent again) or ``skipped`` (its delivery is off).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from . import LEDGER_SCHEMA, LEDGER_TABLE, MARTS_SCHEMA, require_marts
from .reader import Reader, open_reader

if TYPE_CHECKING:
    from ..warehouse import Warehouse

ALERTS_TABLE = "rpt_cursor_alerts"
PENDING, SENT, FAILED, UNKNOWN, GIVEN_UP, SKIPPED = "pending", "sent", "failed", "unknown", "given_up", "skipped"
SEND, DIGEST, OFF = "send", "digest", "off"  # the mart's delivery modes
SEVERITIES = ("action", "warning", "information")  # the mart's severities, in the order people read them

# within a severity, the order people read them in: money already gone, then what is coming, then the rest
KIND_ORDER = (
    "budget_threshold_crossed", "spend_limit_reached", "spend_anomaly", "budget_projected_to_exceed",
    "spend_limit_projected", "contract_pool_projected_to_run_out", "included_exhausted",
    "included_projected_to_run_out",
)  # fmt: skip


class Alert(NamedTuple):
    """One row of ``rpt_cursor_alerts`` (see the mart's documentation for each field)."""

    alert_key: str
    kind: str
    severity: str
    delivery: str
    superseded_by: str | None
    team: str | None
    scope: str
    scope_value: str
    user_email: str | None
    budget_name: str | None
    period_start: date | None
    alert_date: date | None
    amount_usd: Decimal | None
    threshold_usd: Decimal | None
    projected_date: date | None
    is_estimated: bool
    message: str


class Entry(NamedTuple):
    """One row of the ledger: where an alert stands on a channel. ``unconfirmed`` counts the attempts that may have
    reached the channel without it saying so (a ``pending`` row counts its own attempt)."""

    status: str
    message_key: str | None = None  # the message that carried it: its own key, a digest's, or the superseding alert's
    attempts: int = 0
    unconfirmed: int = 0

    @property
    def settled(self) -> bool:
        """Nothing more will be sent: taken, or given up after two unknown outcomes."""
        return self.status in (SENT, GIVEN_UP)


Ledger = dict[tuple[str, str], Entry]  # (alert_key, channel) -> its row


def read(reader: Reader) -> tuple[list[Alert], Ledger]:
    """Every alert of the mart (most severe first, then by kind, newest first) and the ledger. No alerts when the
    warehouse has no alerts mart yet."""
    if not reader.has_table(MARTS_SCHEMA, ALERTS_TABLE):
        return [], {}
    severity = " ".join(f"when '{name}' then {rank}" for rank, name in enumerate(SEVERITIES))
    kind = " ".join(f"when '{name}' then {rank}" for rank, name in enumerate(KIND_ORDER))
    alerts = reader.select(
        Alert,
        f"from {MARTS_SCHEMA}.{ALERTS_TABLE} order by case severity {severity} else {len(SEVERITIES)} end, "
        f"case kind {kind} else {len(KIND_ORDER)} end, alert_date desc, alert_key",
    )
    return alerts, _ledger(reader) if reader.has_table(LEDGER_SCHEMA, LEDGER_TABLE) else {}


def _ledger(reader: Reader) -> Ledger:
    """The ledger's rows; a ledger written before the outbox has no message_key, attempts or unconfirmed yet."""
    names, rows = reader.columns(f"select * from {LEDGER_SCHEMA}.{LEDGER_TABLE}")
    ledger = {}
    for row in rows:
        values = dict(zip(names, row, strict=True))
        ledger[values["alert_key"], values["channel"]] = Entry(
            values["status"], values.get("message_key"), values.get("attempts") or 0, values.get("unconfirmed") or 0
        )
    return ledger


def current_alerts(warehouse: Warehouse) -> tuple[list[Alert], Ledger]:
    """:func:`read` on ``warehouse``; says what to run when it has no marts."""
    with open_reader(warehouse) as reader:
        require_marts(reader, str(warehouse))
        return read(reader)


def open_alerts(alerts: Sequence[Alert], ledger: Mapping, channels: Sequence[str]) -> list[Alert]:
    """Alerts to deliver (not off) that some of ``channels`` has not taken yet (with no channel: that no channel
    ever took)."""
    delivered = [a for a in alerts if a.delivery != OFF]
    if channels:
        return [a for a in delivered if any(not _settled(ledger, a, c) for c in channels)]
    return [a for a in delivered if not taken_by(a, ledger)]


def _settled(ledger: Mapping, alert: Alert, channel: str) -> bool:
    entry = ledger.get((alert.alert_key, channel))
    return entry is not None and entry.settled


def taken_by(alert: Alert, ledger: Mapping) -> list[str]:
    """The channels that took ``alert``, by name."""
    return sorted(c for (key, c), entry in ledger.items() if key == alert.alert_key and entry.status == SENT)
