"""Usage of a simulated team, generated one UTC day at a time.

A day's events and daily counters come from a random generator seeded by (team seed, member, day), so any
day can be produced on its own and the whole period never has to sit in memory: a small LRU cache keeps the
days being paged through. The state carried across days is small: each member's included allowance used so
far in the billing cycle (which decides whether an event is included or on-demand), and each member-day's
spend (on-demand and overall micro-cents, on-demand requests), kept once a day is generated so that the cycle's
spend never regenerates a day.

The endpoints read everything from here, so they agree with each other: daily counts are counts of that
day's events, and spend is the sum of the cycle's events. Planted scenarios (:mod:`.planting`) change the
drawn requests of a few member-days before they are charged, so they show everywhere alike.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from .cycles import DAY_MS, cycle_start, day_start_ms, ms_to_day, next_cycle_start
from .daily import daily_counters
from .day_cache import DayCache
from .events import Draft, charge, draw_day, top_up
from .planting import DayPlan, plant
from .pricing import KIND_INCLUDED, KIND_USAGE_BASED, charged_cents, money
from .team import Member, TeamSpec, build_members

if TYPE_CHECKING:
    from .analytics.team_code import TeamCode

__all__ = [  # the calendar helpers are re-exported: tests and benchmarks import them from here
    "DAY_MS",
    "DayUsage",
    "TeamUsage",
    "cycle_start",
    "day_start_ms",
    "ms_to_day",
    "next_cycle_start",
]
MICRO_CENTS = 1_000_000  # spend is summed in exact micro-cents: every chargedCents has 6 decimals


@dataclass
class DayUsage:
    """One UTC day: its events newest first, and per member index the daily counters and money."""

    day: date
    events: list[dict]
    owners: list[int]  # member index of each event, parallel to ``events``
    daily: dict[int, dict]
    included_used: dict[int, float]  # included chargedCents used this day, per member


class TeamUsage:
    """Generated members, events, daily rows and spend of one team."""

    def __init__(self, spec: TeamSpec) -> None:
        self.spec = spec
        planting = plant(spec, build_members(spec), lambda m, d, forced: self._natural_drafts(m, d, forced)[0])
        self.members: list[Member] = planting.members
        self.planted = planting.planted  # what the spec's scenarios planted, in their order: the ground truth
        self._plans: dict[tuple[int, date], DayPlan] = planting.plans
        self.late_change = False
        self._days: DayCache[DayUsage] = DayCache(lambda usage: len(usage.events))
        self._allowance_at_start: dict[date, dict[int, float]] = {}
        self._spend: dict[tuple[date, bool], array] = {}  # (day, late change applied) -> per-member totals

    # -- membership ------------------------------------------------------------------------------------------

    @property
    def humans(self) -> list[Member]:
        return [m for m in self.members if not m.is_service_account]

    def current_members(self) -> list[Member]:
        """The roster as ``/teams/members`` returns it: removed members are omitted."""
        return [m for m in self.humans if m.removed is None and m.joined <= self.spec.end_date]

    def in_retention(self, day: date) -> bool:
        oldest = self.spec.end_date - timedelta(days=self.spec.retention_days - 1)
        return oldest <= day <= self.spec.end_date and day >= self.spec.start_date

    # -- days ------------------------------------------------------------------------------------------------

    def day(self, day: date) -> DayUsage:
        """The usage of one day (cached)."""
        return self._days.get(day, self._generate_and_remember)

    def _generate_and_remember(self, day: date) -> DayUsage:
        usage = self._generate_day(day)
        self._remember_spend(usage)
        return usage

    def _allowance_used_before(self, day: date) -> dict[int, float]:
        """Included allowance each member has used in the cycle before ``day``."""
        start = max(cycle_start(day, self.spec.cycle_day), self.spec.start_date)
        if day <= start:
            return {}
        known = self._allowance_at_start.get(day)
        if known is not None:
            return known
        previous = day - timedelta(days=1)
        used = dict(self._allowance_used_before(previous))
        for index, cents in self.day(previous).included_used.items():
            used[index] = used.get(index, 0.0) + cents
        self._allowance_at_start[day] = used
        return used

    def _natural_drafts(self, member: Member, day: date, forced: bool = False) -> tuple[list[Draft], random.Random]:
        """The requests ``member`` draws on ``day`` without any plan, and the day's generator (which goes on to
        draw the daily counters). Humans are active a quarter as often on weekends."""
        rng = random.Random(f"{self.spec.seed}|{member.index}|{day.isoformat()}")
        drafts: list[Draft] = []
        if self.spec.start_date <= day <= self.spec.end_date and member.can_use_on(day):
            weekend = day.weekday() >= 5 and not member.is_service_account
            p_active = member.p_active * (0.25 if weekend else 1.0) * self.spec.activity
            if rng.random() < p_active or forced:
                drafts = draw_day(member, day, rng, self.spec.events_per_active_day)
        return drafts, rng

    def _planned(self, member: Member, day: date, drafts: list[Draft], plan: DayPlan, allowance: float) -> list[Draft]:
        """A member-day's requests as its scenario plan makes them (extra requests from their own generator)."""
        if not plan.natural:
            drafts = []
        elif plan.scale != 1.0:
            drafts = [d.scaled(plan.scale) for d in drafts]
        target = plan.target(allowance, self.spec.included_cents_per_user)
        if target > 0:
            rng = random.Random(f"{self.spec.seed}|{plan.kind}|{member.index}|{day.isoformat()}")
            drafts = top_up(member, day, drafts, target, rng)
        return drafts

    def _generate_day(self, day: date) -> DayUsage:
        used_before = self._allowance_used_before(day) if self.spec.start_date <= day else {}
        events: list[tuple[int, int, dict]] = []
        daily: dict[int, dict] = {}
        included_used: dict[int, float] = {}
        for member in self.members:
            if not member.is_member_on(day):
                continue
            plan = self._plans.get((member.index, day))
            drafts, rng = self._natural_drafts(member, day, plan is not None and plan.forced)
            allowance = self.spec.included_cents_per_user - used_before.get(member.index, 0.0)
            if plan is not None:
                drafts = self._planned(member, day, drafts, plan, allowance)
            member_events, used = charge(member, drafts, allowance, plan is not None and plan.runs_out)
            if used:
                included_used[member.index] = used
            if not member.is_service_account:
                daily[member.index] = daily_counters(member, rng, member_events)
            events.extend((int(e["timestamp"]), member.index, e) for e in member_events)
        events.sort(key=lambda item: (-item[0], item[1]))
        return DayUsage(
            day=day,
            events=[e for _, _, e in events],
            owners=[i for _, i, _ in events],
            daily=daily,
            included_used=included_used,
        )

    # -- what the endpoints serve ----------------------------------------------------------------------------

    def _late_change_hits(self, event: dict, day: date, position: int) -> bool:
        """Whether the late change (when on) raises this event: every third chargeable or included event of
        the last day, by its position in the day."""
        return day == self.spec.end_date and position % 3 == 0 and event["kind"] in (KIND_USAGE_BASED, KIND_INCLUDED)

    def served_event(self, member: Member, event: dict, day: date, position: int) -> dict:
        """An event as the API returns it now: removed members lose ``userEmail``; a late change of the last
        day's costs, when switched on, raises every third chargeable or included event by 10%."""
        if member.removed is not None:
            event = {k: v for k, v in event.items() if k != "userEmail"}
        if self.late_change and self._late_change_hits(event, day, position):
            event = _late_changed(event)
        return event

    def events_in(self, start_ms: int, end_ms: int, match=None) -> list[tuple[Member, dict]]:
        """Served events with ``start_ms <= timestamp <= end_ms``, newest first, within retention."""
        out: list[tuple[Member, dict]] = []
        day = ms_to_day(end_ms)
        first = ms_to_day(start_ms)
        while day >= first:
            if self.in_retention(day):
                usage = self.day(day)
                for position, (event, owner) in enumerate(zip(usage.events, usage.owners, strict=True)):
                    ts = int(event["timestamp"])
                    if start_ms <= ts <= end_ms:
                        member = self.members[owner]
                        if match is None or match(member):
                            out.append((member, self.served_event(member, event, day, position)))
            day -= timedelta(days=1)
        return out

    @cached_property
    def ai_code(self) -> TeamCode:
        """The team's AI code activity, its Analytics and AI Code Tracking routes and the ground truth of its cost
        per commit (:mod:`.analytics`)."""
        from .analytics.team_code import TeamCode  # the analytics package builds on this module

        return TeamCode(self)

    # -- spend -----------------------------------------------------------------------------------------------

    def _spend_start(self) -> date:
        """The first day of the current cycle that has data: where ``/teams/spend`` starts counting."""
        return max(cycle_start(self.spec.end_date, self.spec.cycle_day), self.spec.start_date)

    def _remember_spend(self, usage: DayUsage) -> None:
        """Keep the per-member spend of every generated day (and, for the last day, with the late change applied
        too): 3 numbers per member and day, so the routes that sum a whole cycle generate each day only once."""
        for late in (False, True) if usage.day == self.spec.end_date else (False,):
            if (usage.day, late) not in self._spend:
                self._spend[(usage.day, late)] = self._spend_totals(usage, late)

    def day_spend(self, day: date) -> array:
        """The per-member spend of ``day`` as served now (see ``_spend_totals``); generates the day the first time."""
        key = (day, self.late_change and day == self.spec.end_date)
        if key not in self._spend:
            self.day(day)
        return self._spend[key]

    def _spend_totals(self, usage: DayUsage, late: bool) -> array:
        """Per member index ``i``: on-demand micro-cents at ``3i``, all micro-cents at ``3i+1``, on-demand
        requests at ``3i+2``."""
        totals = array("q", bytes(8 * 3 * len(self.members)))
        for position, (event, owner) in enumerate(zip(usage.events, usage.owners, strict=True)):
            if late and self._late_change_hits(event, usage.day, position):
                event = _late_changed(event)
            cents = round(event["chargedCents"] * MICRO_CENTS)
            totals[3 * owner + 1] += cents
            if event["kind"] == KIND_USAGE_BASED:
                totals[3 * owner] += cents
                totals[3 * owner + 2] += 1
        return totals

    def charged_micro(self, day: date, late: bool | None = None) -> int:
        """Micro-cents charged on ``day``: every event's ``chargedCents`` as served now (``late``: with or without
        the late change instead)."""
        return sum(self._spend_totals(self.day(day), self.late_change if late is None else late)[1::3])

    def cycle_spend(self) -> dict[int, tuple[float, float, int]]:
        """Per member index: (on-demand cents, all cents, on-demand requests) of the current cycle, from the
        remembered per-day totals (a day is generated only the first time)."""
        sums = [0] * (3 * len(self.members))
        day = self._spend_start()
        while day <= self.spec.end_date:
            if self.in_retention(day):
                sums = [a + b for a, b in zip(sums, self.day_spend(day), strict=True)]
            day += timedelta(days=1)
        return {
            i: (sums[3 * i] / MICRO_CENTS, sums[3 * i + 1] / MICRO_CENTS, sums[3 * i + 2])
            for i in range(len(self.members))
            if sums[3 * i + 1] or sums[3 * i + 2]
        }


def _late_changed(event: dict) -> dict:
    """The event after Cursor revised its cost: ``totalCents`` up 10%, ``chargedCents`` recomputed."""
    usage = dict(event["tokenUsage"])
    usage["totalCents"] = money(usage["totalCents"] * 1.1)
    event = dict(event, tokenUsage=usage)
    fee = event.get("cursorTokenFee")
    event["chargedCents"] = charged_cents(usage["totalCents"], usage.get("discountPercentOff"), fee)
    return event
