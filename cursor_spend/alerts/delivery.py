"""Delivery: each channel gets what the outbox says it is due (:mod:`.outbox`), the ledger written before the
messages go out and marked after each channel's, and one line per channel of what happened."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..config import Settings
from ..errors import AlertOutcomeUnknown
from ..marts.alerts import DIGEST, FAILED, GIVEN_UP, OFF, SEND, SENT, UNKNOWN, current_alerts, open_alerts, taken_by
from .channels import Channel, secrets_from_env
from .messages import alert_line
from .outbox import NOT_ATTEMPTED, Plan, plan, record


@dataclass
class Report:
    """What one channel took in a run, and why not the rest."""

    sent: int = 0  # alerts the channel took, alone or in a digest
    digested: int = 0  # of them, in a digest
    retried: int = 0  # alerts sent again after an unknown outcome, with the same idempotency key
    held: int = 0  # digest alerts waiting for tomorrow's digest (today's went out)
    given_up: int = 0  # alerts of unknown outcome twice: not sent again
    error: str | None = None  # the channel failed (or its outcome is unknown), on this message
    unknown: bool = False
    given_up_now: bool = False  # the unknown outcome was a retry's
    ledger_error: str | None = None  # the ledger could not be marked after the sends

    def line(self, channel: str) -> str:
        parts = [f"{self.sent} sent" + (f" ({self.digested} in the daily digest)" if self.digested else "")]
        if self.retried:
            parts.append(f"{self.retried} retried after an unknown outcome (same idempotency key, last try)")
        if self.held:
            parts.append(f"{self.held} wait for tomorrow's digest")
        if self.given_up:
            parts.append(f"{self.given_up} given up (outcome unknown twice: not sent again; the ledger says given_up)")
        if self.unknown and self.given_up_now:
            parts.append(f"OUTCOME UNKNOWN again ({self.error})")
        elif self.unknown:
            parts.append(f"OUTCOME UNKNOWN ({self.error}): sent once more next run, with the same idempotency key")
        elif self.error:
            parts.append(f"FAILED ({self.error}); retried next run")
        if self.ledger_error:
            parts.append(
                f"the ledger was not marked ({self.ledger_error}): the next run sends those alerts once more, "
                "with the same idempotency keys"
            )
        return f"{channel}: " + ", ".join(parts)


@dataclass
class Delivery:
    """What one run delivered, by channel."""

    reports: dict[str, Report] = field(default_factory=dict)

    @property
    def sent(self) -> dict[str, int]:
        return {channel: report.sent for channel, report in self.reports.items()}

    @property
    def errors(self) -> dict[str, str]:
        """The channels that failed, whose outcome is unknown, or whose ledger rows could not be marked."""
        return {c: r.error or r.ledger_error or "" for c, r in self.reports.items() if r.error or r.ledger_error}

    @property
    def line(self) -> str:
        return "; ".join(report.line(channel) for channel, report in self.reports.items()) or "no channel"


def deliver(settings: Settings, channels: Sequence[Channel], now: datetime | None = None) -> Delivery:
    """Deliver what each channel is due: the ledger rows written first (``pending``: if that fails, nothing is
    sent), then each channel's messages, then that channel's rows marked."""
    now = now or datetime.now(UTC)
    alerts, ledger = current_alerts(settings.warehouse)
    plans = [plan(channel.name, alerts, ledger, now) for channel in channels]
    if pending := [row for each in plans for row in each.pending()]:
        record(settings, pending)
    delivery = Delivery()
    for channel, each in zip(channels, plans, strict=True):
        report = delivery.reports[channel.name] = Report(held=each.held, given_up=each.given_up)
        if marks := _send(channel, each, report, settings):
            try:
                record(settings, marks)
            except Exception as exc:  # the warehouse locked or gone: the alerts stay pending, in doubt
                report.ledger_error = _one_line(exc, settings)
    return delivery


def _send(channel: Channel, each: Plan, report: Report, settings: Settings) -> list[dict]:
    """Send the plan's messages in order until one fails; returns the ledger rows that mark them."""
    marks = []
    for message in each.messages:
        if report.error:
            marks += each.marked(message, FAILED, NOT_ATTEMPTED, attempted=False)
            continue
        report.retried += each.retried(message)
        try:
            channel.send(message)
        except Exception as exc:  # any failure of a channel: record it, keep the other channels going
            report.error, report.unknown = _one_line(exc, settings), isinstance(exc, AlertOutcomeUnknown)
            marked = each.marked(message, UNKNOWN if report.unknown else FAILED, report.error)
            report.given_up_now = any(row["status"] == GIVEN_UP for row in marked)
            report.given_up += sum(row["status"] == GIVEN_UP for row in marked)
            marks += marked
        else:
            report.sent += len(message.alerts)
            report.digested += len(message.alerts) if message.is_digest else 0
            marks += each.marked(message, SENT)
    return marks


def open_lines(settings: Settings, channels: Sequence[str]) -> list[str]:
    """The alerts some of ``channels`` has not taken yet (with none: no channel took), one line each, and a count."""
    alerts, ledger = current_alerts(settings.warehouse)
    pending = open_alerts(alerts, ledger, channels)
    lines = []
    for alert in pending:
        taken = taken_by(alert, ledger)
        lines.append(
            alert_line(alert)
            + (" (daily digest)" if alert.delivery == DIGEST else "")
            + (f" [sent: {', '.join(taken)}]" if taken else "")
        )
    off = sum(alert.delivery == OFF for alert in alerts)
    to_send = sum(alert.delivery == SEND for alert in pending)
    return lines + [
        f"{len(pending)} open alert(s) ({to_send} to send, {len(pending) - to_send} for the daily digest), "
        f"{len(alerts) - len(pending) - off} already delivered, {off} off (docs/alerts.md: severities and delivery)"
    ]


def _one_line(exc: BaseException, settings: Settings) -> str:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    for secret in settings.secrets + secrets_from_env(os.environ):
        message = message.replace(secret, "***")
    return message[:300]
