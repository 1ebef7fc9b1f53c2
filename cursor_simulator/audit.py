"""``GET /teams/audit-logs`` of a simulated team: joins, removals, logins and spend-limit changes."""

from __future__ import annotations

import math
import random
import re
from datetime import UTC, date, datetime

from .endpoints import MAX_RANGE_MS, BadRequest, _days, _iso
from .usage import DAY_MS, TeamUsage, day_start_ms

EVENT_TYPES = ("add_user", "remove_user", "login", "user_spend_limit", "update_user_role")
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


def _day_events(usage: TeamUsage, day: date) -> list[dict]:
    rng = random.Random(f"{usage.spec.seed}|audit|{day.isoformat()}")
    base = day_start_ms(day)
    owner = usage.humans[0].email if usage.humans else "admin@" + usage.spec.domain
    events = []
    for m in usage.humans:
        if m.joined == day:
            events.append(
                (base + rng.randint(0, DAY_MS - 1), owner, "add_user", {"email": m.email, "method": "manual"})
            )
        if m.removed == day:
            events.append((base + rng.randint(0, DAY_MS - 1), owner, "remove_user", {"email": m.email}))
        if m.can_use_on(day) and rng.random() < 0.15 * m.p_active:
            agent = {"ip_address": f"198.51.100.{m.index % 250}", "user_agent": f"Cursor/{m.client_version}"}
            events.append((base + rng.randint(0, DAY_MS - 1), m.email, "login", agent))
    if rng.random() < 0.2 and usage.humans:
        target = rng.choice(usage.humans)
        change = {"email": target.email, "old_value": 100, "new_value": 200}
        events.append((base + rng.randint(0, DAY_MS - 1), owner, "user_spend_limit", change))
    out = []
    for k, (ts, actor, kind, data) in enumerate(sorted(events, key=lambda e: -e[0])):
        out.append(
            {
                "event_id": f"evt_{usage.spec.seed}_{day.strftime('%Y%m%d')}_{k:04d}",
                "timestamp": _iso(ts),
                "ip_address": f"203.0.113.{(ts // 1000) % 250}",
                "user_email": actor,
                "event_type": kind,
                "event_data": data,
            }
        )
    return out


def audit_logs(usage: TeamUsage, params: dict) -> dict:
    now_ms = day_start_ms(usage.spec.end_date) + DAY_MS - 1
    start = parse_time(params.get("startTime"), now_ms, now_ms - 7 * DAY_MS)
    end = parse_time(params.get("endTime"), now_ms, now_ms)
    if end < start:
        raise BadRequest("endTime must be after startTime")
    if end - start > MAX_RANGE_MS:
        raise BadRequest("Date range cannot exceed 30 days")
    try:
        page, size = int(params.get("page", 1)), int(params.get("pageSize", 100))
    except ValueError as exc:
        raise BadRequest("page and pageSize must be numbers") from exc
    if page < 1 or not 1 <= size <= 500:
        raise BadRequest("page must be >= 1 and pageSize between 1 and 500")
    types = set(filter(None, (params.get("eventTypes") or "").split(",")))
    users = {u.strip().lower() for u in (params.get("users") or "").split(",") if u.strip()}
    search = (params.get("search") or "").lower()
    matched = []
    for day in reversed(_days(start, end)):
        if not usage.in_retention(day):
            continue
        for event in _day_events(usage, day):
            ts = int(datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")).timestamp() * 1000)
            if not start <= ts <= end or (types and event["event_type"] not in types):
                continue
            if users and event["user_email"] not in users:
                continue
            if search and search not in str(event).lower():
                continue
            matched.append(event)
    pages = math.ceil(len(matched) / size)
    return {
        "events": matched[(page - 1) * size : page * size],
        "pagination": {
            "page": page,
            "pageSize": size,
            "totalCount": len(matched),
            "totalPages": pages,
            "hasNextPage": page < pages,
            "hasPreviousPage": page > 1,
        },  # fmt: skip
        "params": {"teamId": usage.spec.resolved_team_id, "startDate": start, "endDate": end},
    }
