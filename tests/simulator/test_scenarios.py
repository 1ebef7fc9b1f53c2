"""Planted scenarios (issue 14, issue 15) show in the served data, exactly as their ground truth says."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest

from cursor_simulator import Planted, Scenario, Simulator, SimulatorOptions, SimulatorServer, TeamSpec, serve
from cursor_simulator.team import Member
from cursor_simulator.usage import TeamUsage
from tests.conftest import API_KEY, END_DATE
from tests.simulator import all_events, client, day_ms, utc_day
from tests.truth import first_day_reaching, member_days

STEADY_KEY, CURRENT_CYCLE_KEY = "crsr_" + "S" * 64, "crsr_" + "R" * 64
SPEC = {"members": 20, "days": 60, "end_date": END_DATE}  # 2026-09-22 .. 2026-11-20, cycles start on the 1st
SPIKE_DAY, EXHAUST_DAY, MOVE_DAY = date(2026, 11, 12), date(2026, 11, 16), date(2026, 11, 10)
RAMP_DAY = date(2026, 10, 15)  # the ramp runs through October, a whole cycle inside the period
RAMP_AMOUNT = 150.0
INCLUDED, ON_DEMAND = "Included in Business", "Usage-based"


def _people(spec: dict) -> list[Member]:
    """Members of the steady team who are there, and use Cursor, over the whole period."""
    usage = TeamUsage(TeamSpec(api_key=API_KEY, **spec))
    start = usage.spec.start_date
    return [m for m in usage.current_members() if m.joined < start and m.p_active > 0]


def _scenarios() -> tuple[Scenario, ...]:
    spike, ramp, exhaust, mover = (m.index for m in _people(SPEC)[:4])
    return (
        Scenario("spike", spike, SPIKE_DAY, factor=6.0),
        Scenario("ramp", ramp, RAMP_DAY, amount_dollars=RAMP_AMOUNT),
        Scenario("exhaust_included", exhaust, EXHAUST_DAY),
        Scenario("group_move", mover, MOVE_DAY),
    )


@pytest.fixture(scope="module")
def served() -> Iterator[SimulatorServer]:
    """Three teams on one server: the planted team (the test key), the same team without scenarios, and a team
    whose current cycle (Oct 21 .. Nov 20) ends on the last day and holds a ramp."""
    current = {**SPEC, "cycle_day": 21}
    ramp_now = Scenario("ramp", _people(current)[0].index, amount_dollars=120.0)
    teams = [
        TeamSpec(api_key=API_KEY, scenarios=_scenarios(), **SPEC),
        TeamSpec(api_key=STEADY_KEY, **SPEC),
        TeamSpec(api_key=CURRENT_CYCLE_KEY, scenarios=(ramp_now,), **current),
    ]
    with serve(Simulator(teams, SimulatorOptions(rate_limits=False))) as server:
        yield server


def _planted(server: SimulatorServer, kind: str, key: str = API_KEY) -> Planted:
    return next(p for p in server.simulator.team(key).planted if p.kind == kind)


def _events(http: httpx.Client, first: date, last: date, **filters) -> list[dict]:
    """Every served event of first..last (in windows of at most 30 days)."""
    events = []
    while first <= last:
        stop = min(last, first + timedelta(days=29))
        events += all_events(http, {"startDate": day_ms(first), "endDate": day_ms(stop) + 86_399_999} | filters)
        first = stop + timedelta(days=1)
    return events


def _by_day(events: list[dict]) -> dict[date, list[dict]]:
    days = defaultdict(list)
    for event in sorted(events, key=lambda e: int(e["timestamp"])):
        days[utc_day(event["timestamp"])].append(event)
    return dict(days)


def _cost(events: list[dict], kind: str | None = None) -> float:
    return sum(e["chargedCents"] for e in events if kind is None or e["kind"] == kind)


def test_the_control_route_lists_what_each_team_planted(served):
    rows = httpx.get(served.base_url + "/_simulator/scenarios").json()["scenarios"]
    expected = [
        {"teamId": usage.spec.resolved_team_id} | planted.as_json()
        for usage in served.simulator.teams.values()
        for planted in usage.planted
    ]
    assert rows == expected
    assert [r["kind"] for r in rows] == ["spike", "ramp", "exhaust_included", "group_move", "ramp"]
    assert rows[0]["days"] == [SPIKE_DAY.isoformat()] and rows[0]["factor"] == 6.0
    assert not any(key in str(rows) for key in (API_KEY, STEADY_KEY, CURRENT_CYCLE_KEY))


def test_a_spike_day_costs_at_least_factor_times_the_users_median_active_day(served):
    spike = _planted(served, "spike")
    start = served.simulator.team().spec.start_date
    days = _by_day(_events(client(served), start, END_DATE, userId=spike.numeric_id))
    others = [_cost(events) for day, events in days.items() if day != SPIKE_DAY]
    assert len(others) >= 10
    assert spike.typical_cents == pytest.approx(statistics.median(others), abs=1e-6)
    assert _cost(days[SPIKE_DAY]) >= spike.factor * statistics.median(others) - 1e-6
    assert len(days[SPIKE_DAY]) > 2 * statistics.median(len(events) for events in days.values())


def test_a_scenario_changes_nothing_but_its_own_member_days(served):
    """Every other member, and the spike user's other days, are served exactly as in the team without scenarios."""
    start = served.simulator.team().spec.start_date
    planted = {p.email: p for p in served.simulator.team().planted if p.kind != "group_move"}
    planted_events = _events(client(served), start, END_DATE)
    steady_events = _events(client(served, STEADY_KEY), start, END_DATE)
    spike_email = _planted(served, "spike").email

    def unplanted(events: list[dict]) -> list[dict]:
        return [
            e
            for e in events
            if e.get("userEmail") not in planted
            or (e["userEmail"] == spike_email and utc_day(e["timestamp"]) != SPIKE_DAY)
        ]

    assert len(planted_events) > len(steady_events)
    assert unplanted(planted_events) == unplanted(steady_events)


def test_a_ramp_grows_over_weekdays_and_crosses_the_amount_and_the_spend_limit_before_its_cycle_ends(served):
    ramp = _planted(served, "ramp")
    assert ramp.days[0] == date(2026, 10, 1) and ramp.days[-1] == date(2026, 10, 30)
    assert all(day.weekday() < 5 for day in ramp.days) and len(ramp.days) == 22
    assert list(ramp.target_cents) == sorted(set(ramp.target_cents))
    days = _by_day(_events(client(served), date(2026, 10, 1), date(2026, 10, 31), userId=ramp.numeric_id))
    for day, target in zip(ramp.days, ramp.target_cents, strict=True):
        assert _cost(days[day]) >= target - 1e-6, day
    on_demand = 0.0
    crossed = {}
    for day, events in sorted(days.items()):
        on_demand += _cost(events, ON_DEMAND)
        for name, dollars in (("amount", ramp.amount_dollars), ("limit", ramp.limit_dollars)):
            if on_demand >= dollars * 100:
                crossed.setdefault(name, day)
    assert set(crossed) == {"amount", "limit"}
    truth = member_days(served.simulator.team(), ramp.member_index, date(2026, 10, 1), date(2026, 10, 31))
    assert first_day_reaching(truth, Decimal(int(ramp.limit_dollars * 100))) == crossed["limit"]
    assert max(crossed.values()) < date(2026, 10, 31)


def test_a_ramp_in_the_current_cycle_shows_in_spend_above_the_users_limit(served):
    ramp = _planted(served, "ramp", CURRENT_CYCLE_KEY)
    assert ramp.days[0] == date(2026, 10, 21) and ramp.days[-1] == date(2026, 11, 20)
    rows = client(served, CURRENT_CYCLE_KEY).post("/teams/spend", json={"sortBy": "amount", "pageSize": 100}).json()
    top = rows["teamMemberSpend"][0]
    assert top["email"] == ramp.email
    assert top["effectivePerUserLimitDollars"] == ramp.limit_dollars
    assert top["spendCents"] >= 1.5 * max(ramp.amount_dollars, ramp.limit_dollars) * 100


def test_exhausting_the_included_allowance_turns_every_later_request_on_demand(served):
    planted = _planted(served, "exhaust_included")
    http = client(served)
    days = _by_day(_events(http, date(2026, 11, 1), END_DATE, userId=planted.numeric_id))
    before = [e for day, events in days.items() if day < EXHAUST_DAY for e in events]
    after = [e for day, events in days.items() if day > EXHAUST_DAY for e in events]
    assert any(e["kind"] == INCLUDED for e in before) and not any(e["kind"] == ON_DEMAND for e in before)
    assert any(e["kind"] == ON_DEMAND for e in after) and not any(e["kind"] == INCLUDED for e in after)
    kinds = [e["kind"] for e in days[EXHAUST_DAY] if e["kind"] in (INCLUDED, ON_DEMAND)]
    first_on_demand = kinds.index(ON_DEMAND)
    assert first_on_demand > 0 and INCLUDED not in kinds[first_on_demand:]
    body = {"startDate": day_ms(EXHAUST_DAY), "endDate": day_ms(EXHAUST_DAY) + 86_399_999, "page": 1, "pageSize": 100}
    row = next(r for r in http.post("/teams/daily-usage-data", json=body).json()["data"] if r["email"] == planted.email)
    assert row["subscriptionIncludedReqs"] == kinds.count(INCLUDED)
    assert row["usageBasedReqs"] == kinds.count(ON_DEMAND)


def test_a_heavy_user_still_runs_out_on_the_planted_day(make_simulator):
    """A user who would run out early in the cycle uses lighter requests until the planted day."""
    spec = {"members": 8, "days": 30, "events_per_active_day": 60.0}
    heavy = _people(spec)[0]
    day = END_DATE - timedelta(days=2)
    steady = member_days(TeamUsage(TeamSpec(api_key=API_KEY, **spec)), heavy.index, date(2026, 11, 1), END_DATE)
    assert first_day_reaching(steady, Decimal("0.000001")) < day - timedelta(days=3)  # on demand well before
    planted = (Scenario("exhaust_included", heavy.email, 2),)
    server = make_simulator(options=SimulatorOptions(rate_limits=False), scenarios=planted, **spec)
    events = _events(client(server), date(2026, 11, 1), END_DATE, userId=heavy.numeric_id)
    first = min(utc_day(e["timestamp"]) for e in events if e["kind"] == ON_DEMAND)
    assert first == day


def test_a_group_move_shows_as_leaving_the_old_group_and_joining_the_new_one_that_day(served):
    move = _planted(served, "group_move")
    assert move.from_group != move.to_group and move.to_group is not None
    body = client(served).get("/teams/groups", params={"billingCycle": MOVE_DAY.isoformat()}).json()
    groups = {g["name"]: g for g in body["groups"]} | {"Unassigned": body["unassignedGroup"]}
    old, new = groups[move.from_group or "Unassigned"], groups[move.to_group]
    left = next(m for m in old["formerMembers"] if m["email"] == move.email)
    joined = next(m for m in new["currentMembers"] if m["email"] == move.email)
    assert left["leftAt"] == joined["joinedAt"] == f"{MOVE_DAY.isoformat()}T00:00:00.000Z"
    assert move.email not in {m["email"] for m in old["currentMembers"]}
