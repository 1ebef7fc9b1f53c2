"""``GET /teams/audit-logs`` of a simulated team (reference §3): a time window of at most 30 days (default the last
7), the ``eventTypes``, ``users`` and ``search`` filters, and pages of at most 500 events, newest first.

``users`` is a comma-separated list of e-mails, encoded ids (``user_...``) and numeric ids, mixed, at most
``pageSize`` of them; it keeps the events done by those users (``user_email``). An id or e-mail that is no
member's (removed members count) answers 400 "Some users are not in the team"; an unknown event type answers 400.
The events of a day are in :mod:`.audit_events`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from .audit_events import EVENT_TYPES, day_events
from .cycles import DAY_MS, day_start_ms
from .params import BadRequest, check_range, days_between, page_and_size, pagination, query_number
from .usage import TeamUsage

_RELATIVE = re.compile(r"^(\d+)([dhs])$")


def parse_time(value: str | None, now_ms: int, default: int) -> int:
    """Audit-log time parameters: relative (``now``, ``today``, ``yesterday``, ``7d``, ``5h``, ``300s``), ISO 8601,
    ``YYYY-MM-DD`` (00:00 UTC) or Unix seconds or milliseconds."""
    if value is None or value == "":
        return default
    today = now_ms - now_ms % DAY_MS
    if value == "now":
        return now_ms
    if value in ("today", "yesterday"):
        return today - (DAY_MS if value == "yesterday" else 0)
    relative = _RELATIVE.match(value)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        return now_ms - amount * {"d": DAY_MS, "h": 3_600_000, "s": 1000}[unit]
    if value.isdigit():
        number = int(value)
        return number if number > 10**11 else number * 1000
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(f"Invalid time format: {value}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def user_emails(usage: TeamUsage, entries: list[str]) -> set[str]:
    """The lower-cased e-mails of the users named by e-mail, ``user_...`` id or numeric id; 400 for anyone else."""
    by_key: dict[str, str] = {}
    for m in usage.humans:
        by_key |= {m.email.lower(): m.email.lower(), m.user_id: m.email.lower(), str(m.numeric_id): m.email.lower()}
    unknown = [entry for entry in entries if (entry.lower() if "@" in entry else entry) not in by_key]
    if unknown:
        raise BadRequest("Some users are not in the team")
    return {by_key[entry.lower() if "@" in entry else entry] for entry in entries}


def audit_logs(usage: TeamUsage, params: dict) -> dict:
    now_ms = day_start_ms(usage.spec.end_date) + DAY_MS - 1
    start = parse_time(params.get("startTime"), now_ms, now_ms - 7 * DAY_MS)
    end = parse_time(params.get("endTime"), now_ms, now_ms)
    check_range(start, end)
    page, size = query_number(params, "page", 1), query_number(params, "pageSize", 100)
    page_and_size(page, size, 500)
    types = set(_split(params.get("eventTypes")))
    if types - set(EVENT_TYPES):
        raise BadRequest(f"Invalid event types: {', '.join(sorted(types - set(EVENT_TYPES)))}")
    entries = _split(params.get("users"))
    if len(entries) > size:
        raise BadRequest(f"At most {size} users per request (pageSize)")
    users = user_emails(usage, entries)
    search = (params.get("search") or "").lower()
    matched = []
    for day in reversed(days_between(start, end)):
        if not usage.in_retention(day):
            continue
        for event in day_events(usage, day):
            ts = int(datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")).timestamp() * 1000)
            if not start <= ts <= end or (types and event["event_type"] not in types):
                continue
            if users and event["user_email"].lower() not in users:
                continue
            if search and search not in str(event).lower():
                continue
            matched.append(event)
    return {
        "events": matched[(page - 1) * size : page * size],
        "pagination": pagination(page, size, len(matched), "totalCount"),
        "params": {"teamId": usage.spec.resolved_team_id, "startDate": start, "endDate": end},
    }
