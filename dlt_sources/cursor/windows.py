"""The days a run reads, and how they are cut into requests.

A run reads an explicit window (a backfill), or, per team and resource, from its last loaded day minus the
lookback (Cursor still revises recent costs) up to the requested end, which is never past the last complete UTC
day. A scheduler that runs one data interval at a time reads the interval's days plus the same lookback
(:func:`interval_window`). The API takes at most 30 days per request: :func:`day_chunks` cuts a window into ranges
of days that never overlap, :func:`chunks` gives them as inclusive epoch-ms bounds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from . import settings
from .errors import CursorConfigurationError
from .records import DAY_MS
from .state import last_loaded_day

log = logging.getLogger(__name__)


def lookback_start(day: date, end: date, lookback_days: int) -> date:
    """The first day a run reads: ``lookback_days`` before ``day`` (the last loaded day, or an interval's first
    day), because Cursor still revises the costs of recent days; never after ``end``."""
    return min(day - timedelta(days=lookback_days), end)


def interval_window(interval_start: datetime, interval_end: datetime, lookback_days: int) -> tuple[date, date]:
    """Days one data interval reads: the interval's days plus the lookback, up to the interval's last full day.

    A daily interval [2026-11-19, 2026-11-20) with a 2-day lookback reads 2026-11-17 .. 2026-11-19.
    """
    end = interval_end.date() - timedelta(days=1)
    return lookback_start(interval_start.date(), end, lookback_days), end


@dataclass(frozen=True)
class Request:
    """The window asked for: explicit dates (a backfill), or incremental from each resource's state."""

    start: date | None
    end: date  # already capped at the last complete UTC day
    lookback_days: int
    initial_days: int

    def window(self, team: str) -> tuple[date, date]:
        """The days a windowed resource reads for ``team``, from its own state (a backfill ignores it)."""
        if self.start is not None:
            start = self.start
        elif (last := last_loaded_day(team)) is not None:
            start = lookback_start(min(last, self.end), self.end, self.lookback_days)
        else:
            start = self.end - timedelta(days=self.initial_days - 1)
        if start > self.end:
            raise CursorConfigurationError(f"start date {start} is after end date {self.end}: nothing to extract")
        warn_beyond_retention(team, start, self.end)
        return start, self.end


def capped_end(end: date | None) -> date:
    """The requested end, never after yesterday (UTC): today's usage is not complete, and the state must never
    point past what was read."""
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    if end is not None and end > yesterday:
        log.warning("end date %s is after the last complete UTC day: reading up to %s", end, yesterday)
    return yesterday if end is None or end > yesterday else end


def warn_beyond_retention(team: str, start: date, end: date) -> None:
    oldest = datetime.now(UTC).date() - timedelta(days=settings.RETENTION_DAYS)
    if start < oldest:
        last = min(end, oldest - timedelta(days=1))
        log.warning(
            "team %r: %s .. %s are older than the Cursor API's retention (about %d days): they will come back empty",
            team, start, last, settings.RETENTION_DAYS,
        )  # fmt: skip


def day_chunks(start: date, end: date) -> list[tuple[date, date]]:
    """Windows of at most 30 UTC days: (first day, last day), both inclusive, never overlapping."""
    out = []
    day = start
    while day <= end:
        last = min(end, day + timedelta(days=settings.MAX_RANGE_DAYS - 1))
        out.append((day, last))
        day = last + timedelta(days=1)
    return out


def chunks(start: date, end: date) -> list[tuple[int, int]]:
    """Windows of at most 30 UTC days as inclusive epoch-ms bounds: [00:00:00.000, 23:59:59.999]."""
    return [(day_ms(first), day_ms(last) + DAY_MS - 1) for first, last in day_chunks(start, end)]


def day_ms(day: date) -> int:
    """Epoch ms of 00:00:00.000 UTC of ``day``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
