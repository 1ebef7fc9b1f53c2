"""The organization's contract pool (``POST /organizations/pooled-usage``): its shape and invariants, its ground truth
per day equal to the sums of the usage events, the control route, and the planted pool that runs out."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest

from cursor_simulator import Simulator, TeamSpec, organization_of
from tests.conftest import END_DATE
from tests.simulator import ORG_KEY, TEAM_KEYS, client, org_server, utc_day, window

START = END_DATE - timedelta(days=9)  # the teams' first day of data: the contract's default start


def _exact(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    return json.loads(response.text, parse_float=Decimal)


def _pooled(server, simulator) -> dict:
    named = {"organizationId": simulator.organization().id}
    return _exact(client(server, ORG_KEY).post("/organizations/pooled-usage", json=named))


def _charged_per_day(server, simulator) -> dict[date, Decimal]:
    """Exact chargedCents per UTC day and team, summed from the organization's events route."""
    start, end = window(10)
    body = {"organizationId": simulator.organization().id, "startDate": start, "endDate": end, "pageSize": 1000}
    sums: dict = defaultdict(Decimal)
    page = 1
    while True:
        data = _exact(client(server, ORG_KEY).post("/organizations/filtered-usage-events", json=body | {"page": page}))
        for event in data["usageEvents"]:
            sums[(utc_day(event["timestamp"]), event["teamId"])] += event["chargedCents"]
        if not data["pagination"]["hasNextPage"]:
            return sums
        page += 1


@pytest.fixture(scope="module")
def served():
    with org_server() as running:
        yield running


def test_pooled_usage_has_the_documented_shape_and_its_teams_add_up_to_the_pool(served):
    server, simulator = served
    body = _pooled(server, simulator)
    assert set(body) == {"pool", "teams"}
    pool = body["pool"]
    assert set(pool) == {"limitCents", "usedCents", "remainingCents", "contractStartDate", "contractEndDate"}
    assert (
        pool["contractStartDate"] == "2026-11-11T00:00:00.000Z"
        and pool["contractEndDate"] == "2027-11-10T00:00:00.000Z"
    )
    assert [team["teamId"] for team in body["teams"]] == [10001, 10002]
    assert sum(team["usedCents"] for team in body["teams"]) == pool["usedCents"] > 0
    assert pool["remainingCents"] == pool["limitCents"] - pool["usedCents"] > 0
    assert isinstance(pool["limitCents"], int) and pool["limitCents"] % 10_000 == 0


def test_the_default_budgets_are_the_seat_shares_of_the_limit_but_for_the_last_team(served):
    server, simulator = served
    body = _pooled(server, simulator)
    first, last = body["teams"]
    assert first["budgetLimitCents"] == body["pool"]["limitCents"] * 8 // 14 // 100 * 100
    assert "budgetLimitCents" not in last


def test_the_pool_per_day_is_the_sum_of_the_events_since_the_contract_start(served):
    server, simulator = served
    charged = _charged_per_day(server, simulator)
    truth = simulator.organization().pool.days()
    assert [pool.day for pool in truth] == [START + timedelta(days=k) for k in range(10)]
    running = defaultdict(Decimal)
    for pool in truth:
        for team in pool.teams:
            running[team.team_id] += charged[(pool.day, team.team_id)]
            assert team.used_cents == running[team.team_id], (pool.day, team.team_id)
        assert pool.used_cents == sum(running.values())
        assert pool.remaining_cents == pool.limit_cents - pool.used_cents
    assert truth[-1].teams[0].used_cents > truth[0].teams[0].used_cents > 0


def test_the_route_answers_the_ground_truth_of_the_last_day_and_the_control_route_every_day(served):
    server, simulator = served
    truth = simulator.organization().pool.days()
    body = _pooled(server, simulator)
    assert body["pool"]["usedCents"] == truth[-1].used_cents
    assert [team["usedCents"] for team in body["teams"]] == [team.used_cents for team in truth[-1].teams]
    control = _exact(httpx.get(server.base_url + "/_simulator/organizations", timeout=60))["organizations"]
    assert [org["organizationId"] for org in control] == [simulator.organization().id]
    assert control[0]["teamIds"] == [10001, 10002] and control[0]["poolRunsOut"] is None
    assert [day["day"] for day in control[0]["days"]] == [pool.day.isoformat() for pool in truth]
    assert control[0]["days"][-1]["pool"] == body["pool"] and control[0]["days"][-1]["teams"] == body["teams"]
    for day, pool in zip(control[0]["days"], truth, strict=True):
        assert (day["pool"]["usedCents"], day["pool"]["remainingCents"]) == (pool.used_cents, pool.remaining_cents)


def test_the_default_pool_lasts_the_contract_at_its_average_daily_use(served):
    pool = served[1].organization().pool
    last = pool.on(END_DATE)
    daily = last.used_cents / 10
    assert pool.runs_out is None
    assert last.used_cents + daily * (pool.contract_end - END_DATE).days < last.limit_cents


def test_a_late_change_moves_the_pool_as_it_moves_the_events():
    with org_server() as (server, simulator):
        before = _pooled(server, simulator)
        assert httpx.post(server.base_url + "/_simulator/late-change", json={"enabled": True}).status_code == 200
        after = _pooled(server, simulator)
        charged = _charged_per_day(server, simulator)
    assert after["pool"]["usedCents"] > before["pool"]["usedCents"]
    assert after["pool"]["limitCents"] == before["pool"]["limitCents"]
    assert after["pool"]["usedCents"] == sum(charged.values())
    assert sum(team["usedCents"] for team in after["teams"]) == after["pool"]["usedCents"]


def test_a_planted_pool_runs_out_on_its_day_at_the_average_rate_of_the_events_before_the_contract_ends():
    with org_server(pool_runs_out=25) as (server, simulator):
        body = _pooled(server, simulator)
        charged = _charged_per_day(server, simulator)
        story = simulator.organization().pool.runs_out
        control = httpx.get(server.base_url + "/_simulator/organizations", timeout=60).json()["organizations"][0]
    used = sum(charged.values())
    daily = used / 10  # the average of the contract's days so far, from the events
    pool = body["pool"]
    assert pool["usedCents"] == used and pool["remainingCents"] > 0
    assert used + daily * 24 < pool["limitCents"] <= used + daily * 25
    assert story.day == END_DATE + timedelta(days=25) < date(2027, 11, 10)
    assert story.limit_cents == pool["limitCents"] and story.daily_cents == daily.quantize(Decimal("1e-6"))
    assert control["poolRunsOut"] == {
        "day": story.day.isoformat(),
        "dailyCents": float(daily.quantize(Decimal("1e-6"))),
        "limitCents": story.limit_cents,
    }


def test_a_given_limit_contract_and_budgets_are_served_as_given():
    given = {"pool_limit_cents": 5_000_000, "contract_start": date(2026, 11, 1), "contract_end": date(2027, 3, 31)}
    with org_server(**given, budgets_cents={10002: 123_400}) as (server, simulator):
        body = _pooled(server, simulator)
        charged = _charged_per_day(server, simulator)
    assert body["pool"]["limitCents"] == 5_000_000
    assert body["pool"]["contractStartDate"] == "2026-11-01T00:00:00.000Z"
    assert body["pool"]["contractEndDate"] == "2027-03-31T00:00:00.000Z"
    assert body["teams"] == [
        {"teamId": 10001, "usedCents": sum(v for (_, t), v in charged.items() if t == 10001)},
        {
            "teamId": 10002,
            "usedCents": sum(v for (_, t), v in charged.items() if t == 10002),
            "budgetLimitCents": 123_400,
        },
    ]


def test_a_pool_of_an_idle_organization_cannot_be_planted_to_run_out():
    keys = list(TEAM_KEYS[:2])
    teams, org = organization_of(keys, ORG_KEY, pool_runs_out=10, members=3, days=5, end_date=END_DATE, activity=0)
    simulator = Simulator(teams, organizations=[org])
    with pytest.raises(ValueError, match="less than a cent a day"):
        simulator.organization().pool.limit_cents  # noqa: B018 (the limit is derived when first read)


def test_organization_of_builds_distinct_teams_with_the_first_as_it_is_alone():
    teams, org = organization_of(list(TEAM_KEYS), ORG_KEY, seed=7, members=4, days=3, end_date=END_DATE)
    assert [(t.seed, t.domain, t.resolved_team_id) for t in teams] == [
        (7, "acme.io", 10007), (8, "team2.acme.io", 10008), (9, "team3.acme.io", 10009),
    ]  # fmt: skip
    assert org.teams == (10007, 10008, 10009) and org.resolved_organization_id.startswith("org_")
    assert teams[0] == TeamSpec(api_key=TEAM_KEYS[0], seed=7, members=4, days=3, end_date=END_DATE)
