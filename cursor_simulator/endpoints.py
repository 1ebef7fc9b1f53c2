"""The Admin API endpoints of one simulated team, as plain functions from request parameters to response
bodies (DOC-CUR shapes). HTTP concerns (auth, limits, faults) live in :mod:`.app`; the events route is
:mod:`.usage_events`, the groups route :mod:`.groups`."""

from __future__ import annotations

from .cycles import cycle_start, day_start_ms
from .groups import groups
from .options import SimulatorOptions
from .params import BadRequest, check_range, days_between, number, page_and_size, pages, pagination
from .pricing import money
from .team import DEFAULT_USER_LIMIT_DOLLARS as DEFAULT_USER_LIMIT_DOLLARS  # re-exported: tests import it here
from .team import Member
from .usage import TeamUsage
from .usage_events import UsageEventsRoute

__all__ = ["DEFAULT_USER_LIMIT_DOLLARS", "BadRequest", "TeamEndpoints"]


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
        start, end = number(body, "startDate"), number(body, "endDate")
        if start is None or end is None:
            raise BadRequest("startDate and endDate are required")
        check_range(start, end)
        page, size = number(body, "page"), number(body, "pageSize")
        paginated = page is not None and size is not None
        days = [d for d in days_between(start, end) if self.usage.in_retention(d)]
        out: dict = {"data": [], "period": {"startDate": start, "endDate": end}}
        users = sorted(
            (m for m in self.usage.humans if any(m.is_member_on(d) for d in days)), key=lambda m: m.numeric_id
        )
        if paginated:
            page_and_size(page, size, 1000)
            total = len(users)
            users = users[(page - 1) * size : page * size]
            out["pagination"] = pagination(page, size, total, "totalUsers")
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

    # -- POST /teams/spend -----------------------------------------------------------------------------------

    def spend(self, body: dict) -> dict:
        page, size = number(body, "page", 1), number(body, "pageSize", 100)
        page_and_size(page, size, 1000)
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
            "totalPages": pages(len(rows), size),
            "limitedUsersCount": 0,
            "maxUserSpendCents": max((r["spendCents"] for r in rows), default=0),
        }

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
