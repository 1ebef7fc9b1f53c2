"""How a team's scenarios become changes to its members and to some of its member-days.

:func:`plant` resolves each :class:`~.scenarios.Scenario` against the generated team into a
:class:`~.scenarios.Planted` record and a :class:`DayPlan` per member-day it touches. The day generator in
:mod:`.usage` applies the plans to the member's drawn requests before the included allowance is charged, so
events, daily counters, spend and groups all show the scenario. Members and days without a plan are generated
exactly as in a team without scenarios.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from .cycles import cycle_start, next_cycle_start
from .events import Draft
from .pricing import money
from .repositories import team_repositories
from .scenarios import USAGE_SCENARIOS, Planted, Scenario
from .team import GROUP_NAMES, ROLE_MEMBER, ROLE_OWNER, Member, TeamSpec

MIGRATION_MEMBERS = 3  # at most this many members work on a migration
RAMP_HEADROOM = 1.5  # a ramp's full cycle spends this many times the larger of the amount and the limit on demand
EXHAUST_BEFORE_SHARE = 0.6  # before its day, an exhaust_included user uses at most this share of the allowance
EXHAUST_OVERAGE_SHARE = 0.25  # on its day, they use the rest and this share of an allowance more, on demand

NaturalDrafts = Callable[[Member, date, bool], list[Draft]]  # (member, day, forced active) -> drawn requests


@dataclass(frozen=True)
class DayPlan:
    """What a scenario does to one member-day.

    ``forced``: active whatever the dice say; ``natural``: keep the requests the day would have had;
    ``scale``: multiply their tokens (and price); ``target_cents``: add requests until the day costs that much;
    ``runs_out``: add requests until the allowance is gone and more, and keep it gone after the first overage.
    """

    kind: str
    forced: bool = True
    natural: bool = True
    scale: float = 1.0
    target_cents: float = 0.0
    runs_out: bool = False

    def target(self, allowance_left: float, included_cents: float) -> float:
        """Cents the day must reach: the planned target, or for ``runs_out`` what is left of the allowance and a
        share of an allowance more."""
        if self.runs_out:
            return max(allowance_left, 0.0) + EXHAUST_OVERAGE_SHARE * included_cents
        return self.target_cents


@dataclass
class Planting:
    members: list[Member]
    planted: tuple[Planted, ...] = ()
    plans: dict[tuple[int, date], DayPlan] = field(default_factory=dict)


def plant(spec: TeamSpec, members: list[Member], natural: NaturalDrafts) -> Planting:
    """Resolve ``spec.scenarios`` against ``members``; ``natural`` draws a member-day as it would be unplanted."""
    planting = Planting(list(members))
    planted, busy = [], {}
    for scenario in spec.scenarios:
        if scenario.kind == "migration":
            taken = {
                _member(members, s).index for s in spec.scenarios if s.kind in USAGE_SCENARIOS and s.user is not None
            }
            planted.append(_migration(spec, scenario, natural, planting, taken | set(busy)))
            busy |= dict.fromkeys(planted[-1].members, "migration")
            continue
        member = _member(planting.members, scenario)
        if scenario.kind in USAGE_SCENARIOS:
            if member.index in busy:
                raise ValueError(
                    f"scenario {scenario.kind}: {member.email} already has a {busy[member.index]} scenario; "
                    "plant one usage scenario per member"
                )
            busy[member.index] = scenario.kind
        planter = {
            "spike": _spike, "ramp": _ramp, "exhaust_included": _exhaust, "group_move": _group_move,
            "no_commits": _no_commits,
        }  # fmt: skip
        planted.append(planter[scenario.kind](spec, member, scenario, natural, planting))
    planting.planted = tuple(planted)
    return planting


def _member(members: list[Member], scenario: Scenario) -> Member:
    user = scenario.user
    if isinstance(user, int):
        found = members[user] if 0 <= user < len(members) else None
    else:
        found = next((m for m in members if m.email.lower() == user.lower()), None)
    if found is None:
        raise ValueError(f"scenario {scenario.kind}: no member {user!r} in the team (a member index or e-mail)")
    if found.is_service_account and scenario.kind != "spike":
        raise ValueError(f"scenario {scenario.kind}: {found.email} is a service account; pick a person")
    return found


def _day(spec: TeamSpec, scenario: Scenario) -> date:
    day = spec.end_date - timedelta(days=scenario.day) if isinstance(scenario.day, int) else scenario.day
    if not spec.start_date <= day <= spec.end_date:
        raise ValueError(
            f"scenario {scenario.kind}: {day} is outside the simulated days {spec.start_date}..{spec.end_date}"
        )
    return day


def _usable_day(spec: TeamSpec, member: Member, scenario: Scenario) -> date:
    day = _day(spec, scenario)
    if not member.can_use_on(day):
        raise ValueError(f"scenario {scenario.kind}: {member.email} is not a member who can use Cursor on {day}")
    return day


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _cost(drafts: list[Draft]) -> float:
    return sum(d.cost for d in drafts)


def _record(member: Member, scenario: Scenario, days: tuple[date, ...], **truth) -> Planted:
    return Planted(
        kind=scenario.kind,
        email=member.email,
        user_id=member.user_id,
        numeric_id=member.numeric_id,
        member_index=member.index,
        days=days,
        **truth,
    )


def _typical(spec: TeamSpec, member: Member, days: list[date], natural: NaturalDrafts) -> float:
    """The median cost of the member's active days in the period outside ``days`` (or of the first of ``days``)."""
    other_days = [d for d in _span(spec.start_date, spec.end_date) if d not in days and member.can_use_on(d)]
    costs = [_cost(drafts) for d in other_days if (drafts := natural(member, d, False))]
    return money(statistics.median(costs) if costs else _cost(natural(member, days[0], True)))


def _spike(spec: TeamSpec, member: Member, scenario: Scenario, natural: NaturalDrafts, planting: Planting) -> Planted:
    day = _usable_day(spec, member, scenario)
    typical = _typical(spec, member, [day], natural)
    target = money(scenario.factor * typical)
    planting.plans[(member.index, day)] = DayPlan("spike", target_cents=target)
    return _record(member, scenario, (day,), target_cents=(target,), factor=scenario.factor, typical_cents=typical)


def _ramp(spec: TeamSpec, member: Member, scenario: Scenario, natural: NaturalDrafts, planting: Planting) -> Planted:
    anchor = spec.end_date if scenario.day is None else _day(spec, scenario)
    start = cycle_start(anchor, spec.cycle_day)
    cycle = _span(max(start, spec.start_date), next_cycle_start(start) - timedelta(days=1))
    weekdays = tuple(d for d in cycle if d.weekday() < 5)
    if not weekdays or not all(member.can_use_on(d) for d in cycle):
        raise ValueError(f"scenario ramp: {member.email} is not a member on every day of the cycle from {start}")
    limit = member.spend_limit_dollars
    total = spec.included_cents_per_user + RAMP_HEADROOM * max(scenario.amount_dollars, limit) * 100
    step = 2 * total / (len(weekdays) * (len(weekdays) + 1))  # 1 + 2 + ... + n steps make the total
    targets = tuple(money(k * step) for k in range(1, len(weekdays) + 1))
    for day, target in zip(weekdays, targets, strict=True):
        planting.plans[(member.index, day)] = DayPlan("ramp", natural=False, target_cents=target)
    return _record(
        member, scenario, weekdays, target_cents=targets, amount_dollars=scenario.amount_dollars, limit_dollars=limit
    )


def _exhaust(spec: TeamSpec, member: Member, scenario: Scenario, natural: NaturalDrafts, planting: Planting) -> Planted:
    day = _usable_day(spec, member, scenario)
    first = max(cycle_start(day, spec.cycle_day), spec.start_date)
    before = [d for d in _span(first, day - timedelta(days=1)) if member.can_use_on(d)]
    used = sum(_cost(natural(member, d, False)) for d in before)
    allowed = EXHAUST_BEFORE_SHARE * spec.included_cents_per_user
    if used > allowed:  # a heavy user: lighter requests until the day, so the allowance lasts until then
        for earlier in before:
            planting.plans[(member.index, earlier)] = DayPlan(scenario.kind, forced=False, scale=allowed / used)
    planting.plans[(member.index, day)] = DayPlan(scenario.kind, runs_out=True)
    return _record(member, scenario, (day,))


def _group_move(
    spec: TeamSpec, member: Member, scenario: Scenario, natural: NaturalDrafts, planting: Planting
) -> Planted:
    day = _day(spec, scenario)
    if not (member.joined < day and member.is_member_on(day)):
        raise ValueError(f"scenario group_move: {member.email} is not a member both before and on {day}")
    old = member.group_on(day - timedelta(days=1))
    new = scenario.group or (GROUP_NAMES[(GROUP_NAMES.index(old) + 1) % len(GROUP_NAMES)] if old else GROUP_NAMES[0])
    if new not in GROUP_NAMES or new == old:
        raise ValueError(f"scenario group_move: move {member.email} from {old} to one of {', '.join(GROUP_NAMES)}")
    planting.members[member.index] = replace(member, previous_group=old, group=new, group_switch=day)
    return _record(member, scenario, (day,), from_group=old, to_group=new)


def _migration(
    spec: TeamSpec, scenario: Scenario, natural: NaturalDrafts, planting: Planting, taken: set[int]
) -> Planted:
    repos = team_repositories(spec)
    if isinstance(scenario.repo, int) and not 0 <= scenario.repo < len(repos):
        raise ValueError(f"scenario migration: no repository {scenario.repo}; the team has {len(repos)}")
    repo = repos[scenario.repo] if isinstance(scenario.repo, int) else scenario.repo
    first = _day(spec, scenario)
    days = _span(first, first + timedelta(days=scenario.length - 1))
    if days[-1] > spec.end_date:
        raise ValueError(f"scenario migration: {days[-1]} is after the end date {spec.end_date}")
    workers = sorted(
        (
            m
            for m in planting.members
            if m.role in (ROLE_MEMBER, ROLE_OWNER) and m.p_active > 0 and m.index not in taken
            and all(m.can_use_on(d) for d in days)
        ),
        key=lambda m: (-m.p_active, m.index),
    )[:MIGRATION_MEMBERS]  # fmt: skip
    if not workers:
        raise ValueError(f"scenario migration: nobody free of other scenarios can use Cursor on {first}..{days[-1]}")
    targets = []
    for member in workers:
        target = money(scenario.factor * _typical(spec, member, days, natural))
        targets.append(target)
        for day in days:
            planting.plans[(member.index, day)] = DayPlan("migration", target_cents=target)
    lead = workers[0]
    return _record(
        lead, scenario, tuple(days), target_cents=tuple(targets), factor=scenario.factor, repo=repo,
        members=tuple(m.index for m in workers),
    )  # fmt: skip


def _no_commits(
    spec: TeamSpec, member: Member, scenario: Scenario, natural: NaturalDrafts, planting: Planting
) -> Planted:
    if member.p_active == 0:
        raise ValueError(f"scenario no_commits: {member.email} is an idle seat; pick a member who uses Cursor")
    days = tuple(d for d in _span(spec.start_date, spec.end_date) if member.can_use_on(d))
    for day in days:
        planting.plans[(member.index, day)] = DayPlan("no_commits", forced=False, scale=scenario.factor)
    return _record(member, scenario, days, factor=scenario.factor)
