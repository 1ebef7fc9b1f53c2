"""The Admin API endpoints of one simulated team, as plain functions from request parameters to response
bodies (DOC-CUR shapes). HTTP concerns (auth, limits, faults) live in :mod:`.app`; the events route is
:mod:`.usage_events`, the groups route :mod:`.groups`."""

from __future__ import annotations

from datetime import date

from .cycles import cycle_start, day_start_ms
from .groups import groups
from .options import SimulatorOptions
from .params import BadRequest, check_range, days_between, number, page_and_size, pages, pagination
from .pricing import money
from .team import DEFAULT_USER_LIMIT_DOLLARS as DEFAULT_USER_LIMIT_DOLLARS  # re-exported: tests import it here
from .team import Member
from .usage import TeamUsage
from .usage_events import UsageEventsRoute

__all__ = ["DEFAULT_USER_LIMIT_DOLLARS", "BadRequest", "TeamEndpoints", "daily_request", "spend_page", "spend_request"]
SORTS = ("amount", "date", "user")


def daily_request(body: dict) -> tuple[int, int, int | None, int | None]:
    """``startDate``, ``endDate`` (required, at most 30 days apart), and ``page`` and ``pageSize`` when both are
    given (paging on), else None and None."""
    start, end = number(body, "startDate"), number(body, "endDate")
    if start is None or end is None:
        raise BadRequest("startDate and endDate are required")
    check_range(start, end)
    page, size = number(body, "page"), number(body, "pageSize")
    if page is None or size is None:
        return start, end, None, None
    page_and_size(page, size, 1000)
    return start, end, page, size


def spend_request(body: dict) -> tuple[int, int, str, str, bool]:
    """``page`` (default 1), ``pageSize`` (default 100, at most 1000), ``searchTerm`` (lower case), ``sortBy``
    (default ``date``) and whether ``sortDirection`` is ``desc`` (the default)."""
    page, size = number(body, "page", 1), number(body, "pageSize", 100)
    page_and_size(page, size, 1000)
    sort_by, direction = body.get("sortBy", "date"), body.get("sortDirection", "desc")
    if sort_by not in SORTS or direction not in ("asc", "desc"):
        raise BadRequest("sortBy must be amount, date or user and sortDirection asc or desc")
    return page, size, (body.get("searchTerm") or "").lower(), sort_by, direction == "desc"


def spend_page(rows: list[dict], page: int, size: int, cycle_start_ms: int) -> dict:
    """The spend envelope of a page of sorted ``rows``."""
    return {
        "teamMemberSpend": rows[(page - 1) * size : page * size],
        "subscriptionCycleStart": cycle_start_ms,
        "totalMembers": len(rows),
        "totalPages": pages(len(rows), size),
        "limitedUsersCount": 0,
        "maxUserSpendCents": max((r["spendCents"] for r in rows), default=0),
    }


class TeamEndpoints:
    """Response bodies of one team's Admin API endpoints; ``options`` chooses the spend response's shape."""

    def __init__(self, usage: TeamUsage, options: SimulatorOptions | None = None) -> None:
        self.usage = usage
        self.spec = usage.spec
        self.options = options or SimulatorOptions()
        self.usage_events = UsageEventsRoute(usage)

    # -- GET /teams/members ----------------------------------------------------------------------------------

    def members(self, include_removed: bool = False) -> dict:
        roster = self.usage.current_members()
        if include_removed:
            roster = [m for m in self.usage.humans if m.joined <= self.spec.end_date]
        return {
            "teamMembers": [
                {"id": m.user_id, "name": m.name, "email": m.email, "role": m.role, "isRemoved": m.removed is not None}
                for m in roster
            ]
        }

    # -- POST /teams/daily-usage-data ------------------------------------------------------------------------

    def daily_usage(self, body: dict) -> dict:
        start, end, page, size = daily_request(body)
        days, users = self.daily_users(start, end)
        out: dict = {"data": [], "period": {"startDate": start, "endDate": end}}
        if page is not None:
            out["pagination"] = pagination(page, size, len(users), "totalUsers")
            users = users[(page - 1) * size : page * size]
        out["data"] = self.daily_rows(users, days, paginated=page is not None)
        return out

    def daily_users(self, start: int, end: int) -> tuple[list[date], list[Member]]:
        """The days of ``start`` .. ``end`` within retention, and the people with a membership on one of them,
        in the order the route pages them (by numeric id)."""
        days = [d for d in days_between(start, end) if self.usage.in_retention(d)]
        users = [m for m in self.usage.humans if any(m.is_member_on(d) for d in days)]
        return days, sorted(users, key=lambda m: m.numeric_id)

    def daily_rows(self, users: list[Member], days: list[date], paginated: bool) -> list[dict]:
        """The rows of ``users`` on ``days``, user by user; without paging only their active days."""
        daily = {day: self.usage.day(day).daily for day in days}  # each day once: the LRU holds fewer than 31
        rows = []
        for member in users:
            for day in days:
                counters = daily[day].get(member.index)
                if counters is None or (not paginated and not counters["isActive"]):
                    continue
                rows.append(
                    {"userId": member.numeric_id, "day": day.isoformat(), "date": day_start_ms(day)}
                    | counters
                    | {"email": member.email}
                )
        return rows

    # -- POST /teams/spend -----------------------------------------------------------------------------------

    def spend(self, body: dict) -> dict:
        page, size, term, sort_by, descending = spend_request(body)
        key = self.spend_sort_key(sort_by)
        rows = sorted(self.spend_rows(term), key=key, reverse=descending)
        return spend_page(rows, page, size, self.cycle_start_ms())

    def spend_rows(self, term: str) -> list[dict]:
        """The current members' spend rows of this cycle whose name or e-mail holds ``term`` (any case)."""
        spend = self.usage.cycle_spend()
        rows = [self._spend_row(m, spend.get(m.index, (0.0, 0.0, 0))) for m in self.usage.current_members()]
        return [r for r in rows if term in r["name"].lower() or term in r["email"].lower()] if term else rows

    def spend_sort_key(self, sort_by: str):
        """What the route sorts rows by (``amount``, ``user`` or ``date``: when the member joined), then e-mail."""
        joined = {m.user_id: m.joined for m in self.usage.members}
        return {
            "amount": lambda r: (r["spendCents"], r["email"]),
            "user": lambda r: (r["name"].lower(), r["email"]),
            "date": lambda r: (joined[r["userId"]], r["email"]),
        }[sort_by]

    def cycle_start_ms(self) -> int:
        start = max(cycle_start(self.spec.end_date, self.spec.cycle_day), self.spec.start_date)
        return day_start_ms(cycle_start(start, self.spec.cycle_day))

    def _spend_row(self, member: Member, spend: tuple[float, float, int]) -> dict:
        """A member's spend row. ``spendCents`` is their on-demand spend (DOC-CUR), or with
        ``spend_overage_only`` what they spent above the plan's included amount (0 within it);
        ``includedSpendCents`` (overall - on-demand) only with ``spend_included_field``."""
        on_demand, overall, requests = spend
        if self.options.spend_overage_only:
            on_demand = money(max(0.0, overall - self.spec.included_cents_per_user))
        row = {
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
        if self.options.spend_included_field:
            row["includedSpendCents"] = money(overall - spend[0])
        return row

    # -- GET /teams/groups -----------------------------------------------------------------------------------

    def groups(self, billing_cycle: str | None) -> dict:
        return groups(self.usage, billing_cycle)
