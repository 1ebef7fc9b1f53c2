"""Date parameters of the Analytics and AI Code Tracking APIs (reference §1.8), against the simulator's "now" (the
end of the team's last day).

Analytics: ``YYYY-MM-DD``, ISO 8601 (the time is ignored), ``now`` or ``today``, ``yesterday``, ``<n>d``, each
resolved to a UTC day; the range is inclusive, at most 30 days apart, by default the last 7 days to today.

AI Code Tracking: ``YYYY-MM-DD`` (00:00 UTC as a start, 23:59:59.999 UTC as an end), ISO 8601 instants, ``now``
and ``<n>d`` (now minus n x 24 hours); at most 30 days apart (undocumented; the same limit as the other
routes), by default now minus 7 days to now. Any other text is a 400.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from ..cycles import DAY_MS, day_start_ms
from ..params import BadRequest, check_range

_DAYS_AGO = re.compile(r"^(\d+)d$")


def _iso_instant(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def analytics_day(value: str, today: date) -> date:
    if value in ("now", "today"):
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    ago = _DAYS_AGO.match(value)
    if ago:
        return today - timedelta(days=int(ago.group(1)))
    instant = _iso_instant(value)
    if instant is None:
        raise BadRequest(f"Invalid date: {value}; use YYYY-MM-DD, an ISO 8601 date, now, yesterday or <n>d")
    return instant.astimezone(UTC).date()


def analytics_range(params: dict, today: date) -> tuple[date, date]:
    """(first day, last day) of an Analytics request."""
    start = analytics_day(params.get("startDate") or "7d", today)
    end = analytics_day(params.get("endDate") or "today", today)
    check_range(day_start_ms(start), day_start_ms(end))
    return start, end


def _ai_code_instant(value: str, now_ms: int, end: bool) -> int:
    if value == "now":
        return now_ms
    ago = _DAYS_AGO.match(value)
    if ago:
        return now_ms - int(ago.group(1)) * DAY_MS
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return day_start_ms(date.fromisoformat(value)) + (DAY_MS - 1 if end else 0)
    instant = _iso_instant(value)
    if instant is None:
        raise BadRequest(f"Invalid date: {value}; use an ISO 8601 date, now or <n>d")
    return int(instant.timestamp() * 1000)


def ai_code_range(params: dict, today: date) -> tuple[int, int]:
    """(start ms, end ms), both inclusive, of an AI Code Tracking request."""
    now_ms = day_start_ms(today) + DAY_MS - 1
    start = _ai_code_instant(params.get("startDate") or "7d", now_ms, end=False)
    end = _ai_code_instant(params.get("endDate") or "now", now_ms, end=True)
    check_range(start, end)
    return start, end
