"""UTC days as epoch milliseconds, and billing cycles: the calendar every part of the simulator shares."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

DAY_MS = 86_400_000


def day_start_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def ms_to_day(ms: int) -> date:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date()


def cycle_start(day: date, cycle_day: int) -> date:
    """First day of the billing cycle that contains ``day``."""
    if day.day >= cycle_day:
        return day.replace(day=cycle_day)
    previous_month_end = day.replace(day=1) - timedelta(days=1)
    return previous_month_end.replace(day=cycle_day)


def next_cycle_start(start: date) -> date:
    month_end = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return month_end.replace(day=start.day)
