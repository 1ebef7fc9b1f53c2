"""Reading request parameters as the real API does, and the pieces every response shares: the key format, the 400
error, numbers in JSON bodies, the 30-day range limit, ISO timestamps, page counts and the UTC days of a range."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta

import orjson

from .cycles import DAY_MS, day_start_ms, ms_to_day

WELL_FORMED_KEY = re.compile(r"^(key|crsr)_[A-Za-z0-9]{64}$")  # team and organization keys alike (reference §1.3)
MAX_RANGE_MS = 30 * DAY_MS
RANGE_TOO_LONG = "Date range cannot exceed 30 days"


class BadRequest(Exception):
    """A request the real API answers with 400."""


def json_object(raw: bytes) -> dict:
    """A POST body: a JSON object (an empty body is ``{}``); anything else is a 400."""
    try:
        body = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError as exc:
        raise BadRequest("Request body must be JSON") from exc
    if not isinstance(body, dict):
        raise BadRequest("Request body must be a JSON object")
    return body


def number(body: dict, name: str, default: int | None = None) -> int | None:
    """An integer field of a JSON body (a float is truncated); anything else is a 400."""
    value = body.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"{name} must be a number")
    return int(value)


def query_number(params: dict, name: str, default: int) -> int:
    """An integer query parameter; anything else is a 400."""
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise BadRequest(f"{name} must be a number") from exc


def page_and_size(page: int, size: int, max_size: int) -> None:
    if page < 1 or not 1 <= size <= max_size:
        raise BadRequest(f"page must be >= 1 and pageSize between 1 and {max_size}")


def check_range(start: int, end: int) -> None:
    """Epoch-ms bounds: the end not before the start, at most 30 days apart."""
    if end < start:
        raise BadRequest("endDate must be after startDate")
    if end - start > MAX_RANGE_MS:
        raise BadRequest(RANGE_TOO_LONG)


def iso(ms_or_day: int | date) -> str:
    """ISO 8601 with milliseconds and ``Z``, as the API prints instants (a date is its 00:00 UTC)."""
    if isinstance(ms_or_day, date):
        ms_or_day = day_start_ms(ms_or_day)
    return datetime.fromtimestamp(ms_or_day / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{ms_or_day % 1000:03d}Z"
    )


def pages(total: int, size: int) -> int:
    return math.ceil(total / size) if size else 0


def pagination(page: int, size: int, total: int, total_name: str) -> dict:
    """The ``pagination`` object of most routes; ``total_name`` is what the route calls its count (``totalCount``,
    ``totalUsers``, ``totalItems``)."""
    numbered = pages(total, size)
    return {
        "page": page, "pageSize": size, total_name: total, "totalPages": numbered,
        "hasNextPage": page < numbered, "hasPreviousPage": page > 1,
    }  # fmt: skip


def days_between(start_ms: int, end_ms: int) -> list[date]:
    """The UTC days from the one holding ``start_ms`` to the one holding ``end_ms``."""
    first, last = ms_to_day(start_ms), ms_to_day(end_ms)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
