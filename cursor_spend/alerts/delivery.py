"""Delivery: each channel gets the alerts it has not taken yet, and every attempt is merged into the ledger
(``cursor_alerts.alert_deliveries``, by dlt, into the same warehouse as the raw load)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..config import Settings
from ..marts import LEDGER_SCHEMA, LEDGER_TABLE
from ..marts.alerts import FAILED, SENT, current_alerts, open_alerts
from .channels import Channel, secrets_from_env

LEDGER_PIPELINE = "cursor_spend_alerts"


@dataclass
class Delivery:
    """What one run delivered: channel -> number of alerts sent, and the error of each channel that failed."""

    sent: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def line(self) -> str:
        parts = [f"{channel}: {count} sent" for channel, count in self.sent.items()]
        parts += [f"{channel}: FAILED ({error}); retried next run" for channel, error in self.errors.items()]
        return "; ".join(parts) or "no alert channel configured"


def deliver(settings: Settings, channels: Sequence[Channel]) -> Delivery:
    """Send each channel the alerts it has not taken yet, then record every attempt in the ledger."""
    alerts, ledger = current_alerts(settings.warehouse)
    delivery, records, now = Delivery(), [], datetime.now(UTC)
    for channel in channels:
        pending = open_alerts(alerts, ledger, [channel.name])
        if not pending:
            delivery.sent[channel.name] = 0
            continue
        try:
            channel.send(pending)
        except Exception as exc:  # any failure of a channel: record it, keep the other channels going
            delivery.errors[channel.name] = _one_line(exc, settings)
            status, error = FAILED, delivery.errors[channel.name]
        else:
            delivery.sent[channel.name] = len(pending)
            status, error = SENT, None
        records += [
            {"alert_key": a.alert_key, "channel": channel.name, "status": status, "attempted_at": now, "error": error}
            for a in pending
        ]
    if records:
        record(settings, records)
    return delivery


def _one_line(exc: BaseException, settings: Settings) -> str:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    for secret in settings.secrets + secrets_from_env(os.environ):
        message = message.replace(secret, "***")
    return message[:300]


def record(settings: Settings, records: list[dict]) -> None:
    """Merge delivery records into the ledger (dlt: the same destination as the raw load, its own dataset)."""
    import dlt

    from ..load import load_errors, make_pipeline, prune_loaded_packages
    from ..locking import exclusive

    resource = dlt.resource(
        records,
        name=LEDGER_TABLE,
        write_disposition="merge",
        primary_key=("alert_key", "channel"),
        columns={
            "alert_key": {"data_type": "text", "nullable": False},
            "channel": {"data_type": "text", "nullable": False},
            "status": {"data_type": "text", "nullable": False},
            "attempted_at": {"data_type": "timestamp", "nullable": False},
            "error": {"data_type": "text", "nullable": True},
        },
    )
    pipeline = make_pipeline(settings, name=LEDGER_PIPELINE, dataset=LEDGER_SCHEMA, job="alerts")
    with exclusive(settings, "alerts"), load_errors(settings):
        pipeline.run(resource)
    prune_loaded_packages(pipeline)
