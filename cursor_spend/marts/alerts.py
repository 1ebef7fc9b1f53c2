"""The alerts of the mart ``rpt_cursor_alerts`` and the ledger of their deliveries (one row per alert and channel,
``sent`` or ``failed``), read together: which alerts a channel has not taken yet is decided from both."""

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
SENT, FAILED = "sent", "failed"  # the statuses of the ledger
Ledger = dict[tuple[str, str], str]  # (alert_key, channel) -> sent or failed

# the order people read them in: money already gone, then what is coming, then the rest
KIND_ORDER = (
    "budget_threshold_crossed", "spend_limit_reached", "spend_anomaly", "budget_projected_to_exceed",
    "spend_limit_projected", "included_exhausted", "included_projected_to_run_out",
)  # fmt: skip


class Alert(NamedTuple):
    """One row of ``rpt_cursor_alerts`` (see the mart's documentation for each field)."""

    alert_key: str
    kind: str
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

    def as_json(self) -> dict:
        """JSON-ready: dates as ISO strings, money as exact decimal strings."""
        return {k: v if v is None or isinstance(v, str | bool) else str(v) for k, v in self._asdict().items()}


def read(reader: Reader) -> tuple[list[Alert], Ledger]:
    """Every alert of the mart (most pressing kinds first, newest first) and the ledger. No alerts when the
    warehouse has no alerts mart yet."""
    if not reader.has_table(MARTS_SCHEMA, ALERTS_TABLE):
        return [], {}
    order = " ".join(f"when '{kind}' then {rank}" for rank, kind in enumerate(KIND_ORDER))
    alerts = reader.select(
        Alert,
        f"from {MARTS_SCHEMA}.{ALERTS_TABLE} "
        f"order by case kind {order} else {len(KIND_ORDER)} end, alert_date desc, alert_key",
    )
    ledger = {}
    if reader.has_table(LEDGER_SCHEMA, LEDGER_TABLE):
        ledger = {
            (key, channel): status
            for key, channel, status in reader.rows(
                f"select alert_key, channel, status from {LEDGER_SCHEMA}.{LEDGER_TABLE}"
            )
        }
    return alerts, ledger


def current_alerts(warehouse: Warehouse) -> tuple[list[Alert], Ledger]:
    """:func:`read` on ``warehouse``; says what to run when it has no marts."""
    with open_reader(warehouse) as reader:
        require_marts(reader, str(warehouse))
        return read(reader)


def open_alerts(alerts: Sequence[Alert], ledger: Mapping, channels: Sequence[str]) -> list[Alert]:
    """Alerts some of ``channels`` has not taken yet (with no channel: those no channel ever took)."""
    if channels:
        return [a for a in alerts if any(ledger.get((a.alert_key, c)) != SENT for c in channels)]
    return [a for a in alerts if not taken_by(a, ledger)]


def taken_by(alert: Alert, ledger: Mapping) -> list[str]:
    """The channels that took ``alert``, by name."""
    return sorted(channel for (key, channel), status in ledger.items() if key == alert.alert_key and status == SENT)
