"""The Admin API endpoints of one simulated team, as plain functions from request parameters to response
bodies (DOC-CUR shapes). HTTP concerns (auth, limits, faults) live in :mod:`.app`."""

from __future__ import annotations

import math
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta

from .cycles import DAY_MS, cycle_start, day_start_ms, ms_to_day, next_cycle_start
from .team import DEFAULT_USER_LIMIT_DOLLARS as DEFAULT_USER_LIMIT_DOLLARS  # re-exported: tests import it here
from .team import GROUP_NAMES, Member
from .usage import TeamUsage

MAX_RANGE_MS = 30 * DAY_MS
MAX_EVENTS_PAGE_SIZE = 1000
HOSTING_TYPES = ("CLOUD", "SELF_HOSTED", "SELF_HOSTED_POOL", "SELF_HOSTED_MACHINE")


class BadRequest(Exception):
    """A request the real API answers with 400."""


def _int(body: dict, name: str, default: int | None = None) -> int | None:
    value = body.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"{name} must be a number")
    return int(value)


def _check_range(start: int, end: int) -> None:
    if end < start:
        raise BadRequest("endDate must be after startDate")
    if end - start > MAX_RANGE_MS:
        raise BadRequest("Date range cannot exceed 30 days")


def _iso(ms_or_day: int | date) -> str:
    if isinstance(ms_or_day, date):
        ms_or_day = day_start_ms(ms_or_day)
    return datetime.fromtimestamp(ms_or_day / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{ms_or_day % 1000:03d}Z"
    )


def _pages(total: int, size: int) -> int:
    return math.ceil(total / size) if size else 0


class TeamEndpoints:
    """Response bodies of one team's endpoints."""

    def __init__(self, usage: TeamUsage) -> None:
        self.usage = usage
        self.spec = usage.spec
        self._counts: dict[tuple, int] = {}
        self._positions: OrderedDict[tuple, list[int]] = OrderedDict()

    # -- GET /teams/members ----------------------------------------------------------------------------------

    def members(self, include_removed: bool = False) -> dict:
        roster = self.usage.current_members()
        if include_removed:
            roster = [m for m in self.usage.humans if m.joined <= self.spec.end_date]
        return {
            "teamMembers": [
                {
                    "id": m.user_id,
                    "name": m.name,
                    "email": m.email,
                    "role": m.role,
                    "isRemoved": m.removed is not None,
                }
                for m in roster
            ]
        }

    # -- POST /teams/daily-usage-data ------------------------------------------------------------------------

    def daily_usage(self, body: dict) -> dict:
        start, end = _int(body, "startDate"), _int(body, "endDate")
        if start is None or end is None:
            raise BadRequest("startDate and endDate are required")
        _check_range(start, end)
        page, size = _int(body, "page"), _int(body, "pageSize")
        paginated = page is not None and size is not None
        days = [d for d in _days(start, end) if self.usage.in_retention(d)]
        out: dict = {"data": [], "period": {"startDate": start, "endDate": end}}
        users = sorted(
            (m for m in self.usage.humans if any(m.is_member_on(d) for d in days)), key=lambda m: m.numeric_id
        )
        if paginated:
            if page < 1 or not 1 <= size <= 1000:
                raise BadRequest("page must be >= 1 and pageSize between 1 and 1000")
            total = len(users)
            users = users[(page - 1) * size : page * size]
            pages = _pages(total, size)
            out["pagination"] = {
                "page": page, "pageSize": size, "totalUsers": total, "totalPages": pages,
                "hasNextPage": page < pages, "hasPreviousPage": page > 1,
            }  # fmt: skip
        daily = {day: self.usage.day(day).daily for day in days}  # each day once: the LRU holds fewer than 31
        for member in users:
            for day in days:
                counters = daily[day].get(member.index)
                if counters is None or (not paginated and not counters["isActive"]):
                    continue
                out["data"].append(
                    {"userId": member.numeric_id, "day": day.isoformat(), "date": day_start_ms(day)}
                    | counters
                    | {"email": member.email}
                )
        return out

    # -- POST /teams/filtered-usage-events -------------------------------------------------------------------

    def usage_events(self, body: dict) -> dict:
        now = day_start_ms(self.spec.end_date) + DAY_MS - 1
        start = _int(body, "startDate", now - 7 * DAY_MS)
        end = _int(body, "endDate", now)
        _check_range(start, end)
        page, size = _int(body, "page", 1), _int(body, "pageSize", 100)
        if page < 1 or not 1 <= size <= MAX_EVENTS_PAGE_SIZE:
            raise BadRequest(f"page must be >= 1 and pageSize between 1 and {MAX_EVENTS_PAGE_SIZE}")
        hosting = body.get("hostingType")
        if hosting is not None and hosting not in HOSTING_TYPES:
            raise BadRequest(f"Invalid hostingType; expected one of {', '.join(HOSTING_TYPES)}")
        filters = tuple((k, body.get(k)) for k in ("email", "userId", "serviceAccountId") if body.get(k))
        days = [d for d in reversed(_days(start, end)) if self.usage.in_retention(d)]
        counts = [self._count(d, start, end, filters) for d in days]
        total = sum(counts)
        events: list[dict] = []
        skip = (page - 1) * size
        for day, count in zip(days, counts, strict=True):
            if skip >= count:
                skip -= count
                continue
            usage_day = self.usage.day(day)
            for position in self._matching(day, start, end, filters)[skip : skip + size - len(events)]:
                member = self.usage.members[usage_day.owners[position]]
                events.append(self.usage.served_event(member, usage_day.events[position], day, position))
            skip = 0
            if len(events) >= size:
                break
        pages = _pages(total, size)
        return {
            "totalUsageEventsCount": total,
            "pagination": {
                "numPages": pages,
                "currentPage": page,
                "pageSize": size,
                "hasNextPage": page < pages,
                "hasPreviousPage": page > 1,
            },  # fmt: skip
            "usageEvents": events,
            "period": {"startDate": start, "endDate": end},
        }

    @staticmethod
    def _window_key(day: date, start: int, end: int, filters: tuple) -> tuple:
        """The part of [start, end] inside ``day``, with the filters: what a day's matches depend on."""
        return day, max(start, day_start_ms(day)), min(end, day_start_ms(day) + DAY_MS - 1), filters

    def _count(self, day: date, start: int, end: int, filters: tuple) -> int:
        key = self._window_key(day, start, end, filters)
        if key not in self._counts:
            self._counts[key] = len(self._matching(day, start, end, filters))
        return self._counts[key]

    def _matching(self, day: date, start: int, end: int, filters: tuple) -> list[int]:
        key = self._window_key(day, start, end, filters)
        cached = self._positions.get(key)
        if cached is not None:
            self._positions.move_to_end(key)
            return cached
        usage_day = self.usage.day(day)
        members = self.usage.members
        positions = [
            i
            for i, (event, owner) in enumerate(zip(usage_day.events, usage_day.owners, strict=True))
            if start <= int(event["timestamp"]) <= end and _matches(members[owner], filters)
        ]
        self._positions[key] = positions
        if len(self._positions) > 32:
            self._positions.popitem(last=False)
        return positions

    # -- POST /teams/spend -----------------------------------------------------------------------------------

    def spend(self, body: dict) -> dict:
        page, size = _int(body, "page", 1), _int(body, "pageSize", 100)
        if page < 1 or not 1 <= size <= 1000:
            raise BadRequest("page must be >= 1 and pageSize between 1 and 1000")
        spend = self.usage.cycle_spend()
        rows = [self._spend_row(m, spend.get(m.index, (0.0, 0.0, 0))) for m in self.usage.current_members()]
        term = (body.get("searchTerm") or "").lower()
        if term:
            rows = [r for r in rows if term in r["name"].lower() or term in r["email"].lower()]
        sort_by = body.get("sortBy", "date")
        joined = {m.user_id: m.joined for m in self.usage.members}
        sort_key = {
            "amount": lambda r: (r["spendCents"], r["email"]),
            "user": lambda r: (r["name"].lower(), r["email"]),
            "date": lambda r: (joined[r["userId"]], r["email"]),
        }.get(sort_by)
        if sort_key is None or body.get("sortDirection", "desc") not in ("asc", "desc"):
            raise BadRequest("sortBy must be amount, date or user and sortDirection asc or desc")
        rows.sort(key=sort_key, reverse=body.get("sortDirection", "desc") == "desc")
        start = max(cycle_start(self.spec.end_date, self.spec.cycle_day), self.spec.start_date)
        return {
            "teamMemberSpend": rows[(page - 1) * size : page * size],
            "subscriptionCycleStart": day_start_ms(cycle_start(start, self.spec.cycle_day)),
            "totalMembers": len(rows),
            "totalPages": _pages(len(rows), size),
            "limitedUsersCount": 0,
            "maxUserSpendCents": max((r["spendCents"] for r in rows), default=0),
        }

    @staticmethod
    def _spend_row(member: Member, spend: tuple[float, float, int]) -> dict:
        on_demand, overall, requests = spend
        return {
            "userId": member.user_id,
            "spendCents": on_demand,
            "overallSpendCents": overall,
            "fastPremiumRequests": requests,
            "name": member.name,
            "email": member.email,
            "role": member.role,
            "hardLimitOverrideDollars": member.hard_limit_override_dollars,
            "monthlyLimitDollars": member.monthly_limit_dollars,
            "effectivePerUserLimitDollars": member.spend_limit_dollars,
            "profilePictureUrl": None,
        }

    # -- GET /teams/groups -----------------------------------------------------------------------------------

    def groups(self, billing_cycle: str | None) -> dict:
        try:
            anchor = date.fromisoformat(billing_cycle) if billing_cycle else self.spec.end_date
        except ValueError as exc:
            raise BadRequest("billingCycle must be a date (YYYY-MM-DD)") from exc
        first = cycle_start(anchor, self.spec.cycle_day)
        last = next_cycle_start(first) - timedelta(days=1)
        days = [d for d in _days(day_start_ms(first), day_start_ms(last)) if self.usage.in_retention(d)]
        daily_by_member: dict[int, dict[date, float]] = {}
        for day in days:
            end_of_day = day_start_ms(day) + DAY_MS - 1
            for member, event in self.usage.events_in(day_start_ms(day), end_of_day):
                per_day = daily_by_member.setdefault(member.index, {})
                per_day[day] = per_day.get(day, 0.0) + event["chargedCents"]
        groups = [self._group(name, first, last, days, daily_by_member) for name in GROUP_NAMES]
        return {
            "groups": groups,
            "unassignedGroup": self._group(None, first, last, days, daily_by_member),
            "billingCycle": {"cycleStart": _iso(first), "cycleEnd": _iso(day_start_ms(last) + DAY_MS - 1)},
        }

    def _group(self, name: str | None, first: date, last: date, days: list[date], daily: dict) -> dict:
        current, former = [], []
        for m in self.usage.humans:
            spans = [(m.joined, None, m.group_on(m.joined))]
            if m.group_switch is not None:
                spans = [(m.joined, m.group_switch, m.previous_group), (m.group_switch, None, m.group)]
            for joined, left, group in spans:
                left = left or m.removed
                if group != name or joined > last or (left is not None and left < first):
                    continue
                member_days = [d for d in days if joined <= d and (left is None or d < left)]
                cents = round(sum(daily.get(m.index, {}).get(d, 0.0) for d in member_days), 6)
                entry = {
                    "userId": m.user_id, "name": m.name, "email": m.email, "joinedAt": _iso(joined),
                    "leftAt": _iso(left) if left else None, "spendCents": cents,
                }  # fmt: skip
                (former if left else current).append(entry)
        members = {e["userId"] for e in current}
        by_id = {m.user_id: m for m in self.usage.humans}
        indexes = [by_id[u].index for u in members]
        daily_spend = [
            {"date": d.isoformat(), "spendCents": round(sum(daily.get(i, {}).get(d, 0.0) for i in indexes), 6)}
            for d in days
        ]
        slug = (name or "unassigned").lower().replace(" ", "_")
        return {
            "id": f"group_{slug}" if name is None else f"group_{self.spec.seed}{slug}",
            "name": name or "Unassigned",
            "type": "BILLING",
            "directoryGroupId": None,
            "memberCount": len(current),
            "createdAt": _iso(self.spec.start_date - timedelta(days=120)),
            "updatedAt": _iso(self.spec.start_date),
            "spendCents": round(sum(e["spendCents"] for e in current), 6),
            "currentMembers": current,
            "formerMembers": former,
            "dailySpend": daily_spend,
        }


def _days(start_ms: int, end_ms: int) -> list[date]:
    first, last = ms_to_day(start_ms), ms_to_day(end_ms)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _matches(member: Member, filters: tuple) -> bool:
    for name, value in filters:
        if name == "email" and (member.removed is not None or member.email.lower() != str(value).lower()):
            return False
        if name == "userId" and member.numeric_id != value:
            return False
        if name == "serviceAccountId" and member.service_account_id != value:
            return False
    return True
