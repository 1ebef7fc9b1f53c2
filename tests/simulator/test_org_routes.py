"""The Organization API's usage routes: shapes, pages and their caps, team selection and filters, and a team's rows
equal to its own route's rows with its ``teamId``."""

from __future__ import annotations

import math

import httpx
import pytest

from cursor_simulator import Fault, SimulatorOptions
from tests.simulator import ORG_KEY, TEAM_KEYS, all_events, assert_shape, client, org_post, org_server, window
from tests.simulator.test_shapes import DAILY_ROW, EVENT, EVENT_OPTIONAL, SPEND_ROW

ORG_TEAMS = (10001, 10002)  # the teams of seeds 1 and 2; 10003 is served outside the organization
KEYS = dict(zip(ORG_TEAMS, TEAM_KEYS[:2], strict=True))  # team id -> its Admin key


@pytest.fixture(scope="module")
def served():
    with org_server() as running:
        yield running


def _org_events(http: httpx.Client, simulator, size: int = 1000, **body) -> list[dict]:
    """Every event of the organization route for ``body``, walking pages of ``size``."""
    events, page = [], 1
    while True:
        data = org_post(http, "filtered-usage-events", simulator, page=page, pageSize=size, **body)
        events += data["usageEvents"]
        if not data["pagination"]["hasNextPage"]:
            return events
        page += 1


def test_events_are_the_team_routes_envelope_with_a_team_id_per_event(served):
    server, simulator = served
    start, end = window(3)
    body = org_post(client(server, ORG_KEY), "filtered-usage-events", simulator, startDate=start, endDate=end)
    assert set(body) == {"totalUsageEventsCount", "pagination", "usageEvents", "period"}
    assert body["period"] == {"startDate": start, "endDate": end}
    assert len(body["usageEvents"]) == 10  # the organization route's default page size
    assert body["pagination"] == {
        "numPages": math.ceil(body["totalUsageEventsCount"] / 10), "currentPage": 1, "pageSize": 10,
        "hasNextPage": True, "hasPreviousPage": False,
    }  # fmt: skip
    for event in body["usageEvents"]:
        assert_shape(event, EVENT | {"teamId": int}, EVENT_OPTIONAL)
        assert event["teamId"] in ORG_TEAMS


def test_events_of_a_team_are_its_own_routes_events_with_its_team_id(served):
    server, simulator = served
    start, end = window(10)
    org = client(server, ORG_KEY)
    for team_id, key in KEYS.items():
        own = all_events(client(server, key), {"startDate": start, "endDate": end})
        assert own
        assert _org_events(org, simulator, startDate=start, endDate=end, teamId=team_id) == [
            event | {"teamId": team_id} for event in own
        ]


def test_events_of_the_organization_are_its_teams_events_newest_first_ties_by_team(served):
    server, simulator = served
    start, end = window(10)
    events = _org_events(client(server, ORG_KEY), simulator, startDate=start, endDate=end)
    keys = [(-int(e["timestamp"]), e["teamId"]) for e in events]
    assert keys == sorted(keys)
    for team_id, key in KEYS.items():
        own = all_events(client(server, key), {"startDate": start, "endDate": end})
        assert [e for e in events if e["teamId"] == team_id] == [e | {"teamId": team_id} for e in own]
    assert {e["teamId"] for e in events} == set(ORG_TEAMS)


def test_event_pages_of_any_size_walk_the_same_list_and_the_size_is_capped_at_1000(served):
    server, simulator = served
    start, end = window(4)
    http = client(server, ORG_KEY)
    whole = _org_events(http, simulator, startDate=start, endDate=end)
    assert _org_events(http, simulator, size=7, startDate=start, endDate=end) == whole
    last = org_post(http, "filtered-usage-events", simulator, startDate=start, endDate=end, page=3, pageSize=7)
    assert last["pagination"]["hasPreviousPage"] is True and last["totalUsageEventsCount"] == len(whole)
    named = {"organizationId": simulator.organization().id}
    for size in (0, 1001):
        response = http.post("/organizations/filtered-usage-events", json=named | {"pageSize": size})
        assert response.status_code == 400
    assert org_post(http, "filtered-usage-events", simulator, pageSize=1000)["pagination"]["pageSize"] == 1000


def test_events_filters_by_email_user_and_service_account_as_the_team_route(served):
    server, simulator = served
    start, end = window(10)
    team = simulator.team(TEAM_KEYS[1])
    person = team.current_members()[1]
    account = next(m for m in team.members if m.is_service_account)
    org, own = client(server, ORG_KEY), client(server, TEAM_KEYS[1])
    for name, value in (("email", person.email), ("serviceAccountId", account.service_account_id)):
        expected = all_events(own, {"startDate": start, "endDate": end, name: value})
        assert expected
        got = _org_events(org, simulator, startDate=start, endDate=end, **{name: value})
        assert got == [e | {"teamId": ORG_TEAMS[1]} for e in expected]
    by_user = all_events(own, {"startDate": start, "endDate": end, "userId": person.numeric_id})
    got = _org_events(org, simulator, startDate=start, endDate=end, userId=person.numeric_id, teamId=ORG_TEAMS[1])
    assert by_user and got == [e | {"teamId": ORG_TEAMS[1]} for e in by_user]


def test_team_ids_and_team_id_select_teams_with_and_and_a_team_outside_is_400(served):
    server, simulator = served
    http = client(server, ORG_KEY)
    start, end = window(2)
    dates = {"startDate": start, "endDate": end}
    both = org_post(http, "filtered-usage-events", simulator, teamIds=list(ORG_TEAMS), **dates)
    everyone = org_post(http, "filtered-usage-events", simulator, teamIds=[], **dates)
    first = org_post(http, "filtered-usage-events", simulator, teamIds=[ORG_TEAMS[0]], **dates)
    none = org_post(http, "filtered-usage-events", simulator, teamIds=[ORG_TEAMS[0]], teamId=ORG_TEAMS[1], **dates)
    assert both["totalUsageEventsCount"] == everyone["totalUsageEventsCount"] > first["totalUsageEventsCount"] > 0
    assert none["totalUsageEventsCount"] == 0 and none["usageEvents"] == []
    named = {"organizationId": simulator.organization().id}
    for selection in ({"teamId": 10003}, {"teamIds": [ORG_TEAMS[0], 10003]}, {"teamIds": "10001"}):
        response = http.post("/organizations/spend", json=named | selection)
        assert response.status_code == 400, selection
    outside = http.get("/organizations/members", params=named | {"teamId": "10003"}).json()
    assert outside == {"error": "Bad Request", "message": "Team is not linked to this organization"}


def test_members_are_the_teams_members_with_their_team_id_team_by_team(served):
    server, simulator = served
    named = {"organizationId": simulator.organization().id}
    http = client(server, ORG_KEY)
    body = http.get("/organizations/members", params=named).json()
    expected = [
        row | {"teamId": team_id}
        for team_id, key in KEYS.items()
        for row in client(server, key).get("/teams/members").json()["teamMembers"]
    ]
    assert body == {"teamMembers": expected}
    second = http.get("/organizations/members", params=named | {"teamIds": f"{ORG_TEAMS[1]}"}).json()
    assert second == {"teamMembers": [row for row in expected if row["teamId"] == ORG_TEAMS[1]]}


@pytest.mark.parametrize("paged", [True, False], ids=["paged", "active-only"])
def test_daily_usage_is_the_teams_rows_with_their_team_id_paged_by_users_across_teams(served, paged):
    server, simulator = served
    start, end = window(5)
    dates = {"startDate": start, "endDate": end}
    http = client(server, ORG_KEY)
    expected, users = [], 0
    for team_id, key in KEYS.items():
        paging = {"page": 1, "pageSize": 1000} if paged else {}
        own = client(server, key).post("/teams/daily-usage-data", json=dates | paging)
        expected += [row | {"teamId": team_id} for row in own.json()["data"]]
        users += own.json()["pagination"]["totalUsers"] if paged else 0
    rows, page = [], 1
    while True:
        paging = {"page": page, "pageSize": 3} if paged else {}
        body = org_post(http, "daily-usage-data", simulator, **dates, **paging)
        assert body["period"] == dates
        rows += body["data"]
        if not paged:
            assert "pagination" not in body
            break
        assert body["pagination"]["totalUsers"] == users and body["pagination"]["totalPages"] == math.ceil(users / 3)
        if not body["pagination"]["hasNextPage"]:
            break
        page += 1
    assert rows == expected
    for row in rows:
        assert_shape(row, DAILY_ROW | {"teamId": int})


@pytest.mark.parametrize("order", [("date", "desc"), ("amount", "desc"), ("amount", "asc"), ("user", "asc")])
def test_spend_rows_of_a_team_are_its_own_rows_in_its_own_order_with_its_team_id(served, order):
    server, simulator = served
    http = client(server, ORG_KEY)
    sort = {"sortBy": order[0], "sortDirection": order[1], "pageSize": 1000}
    body = org_post(http, "spend", simulator, **sort)
    assert set(body) == {
        "teamMemberSpend", "subscriptionCycleStart", "totalMembers", "totalPages", "limitedUsersCount",
        "maxUserSpendCents",
    }  # fmt: skip
    rows = body["teamMemberSpend"]
    for team_id, key in KEYS.items():
        own = client(server, key).post("/teams/spend", json=sort).json()
        assert own["subscriptionCycleStart"] == body["subscriptionCycleStart"]
        mine = [r | {"teamId": team_id} for r in own["teamMemberSpend"]]
        assert [r for r in rows if r["teamId"] == team_id] == mine
        assert org_post(http, "spend", simulator, teamId=team_id, **sort)["teamMemberSpend"] == mine
    assert body["totalMembers"] == len(rows) and body["maxUserSpendCents"] == max(r["spendCents"] for r in rows)
    for row in rows:
        assert_shape(row, SPEND_ROW | {"teamId": int})
    if order[0] == "amount":
        amounts = [r["spendCents"] for r in rows]
        assert amounts == sorted(amounts, reverse=order[1] == "desc")


def test_spend_pages_walk_the_sorted_rows(served):
    server, simulator = served
    http = client(server, ORG_KEY)
    whole = org_post(http, "spend", simulator, sortBy="amount", pageSize=1000)["teamMemberSpend"]
    numbered = math.ceil(len(whole) / 4)
    pages = [org_post(http, "spend", simulator, sortBy="amount", page=p, pageSize=4) for p in range(1, numbered + 1)]
    assert [row for page in pages for row in page["teamMemberSpend"]] == whole
    assert {page["totalPages"] for page in pages} == {numbered} and numbered > 2


def test_a_fault_can_hit_an_organization_route_by_its_name():
    faults = [Fault("5xx", "org-events", count=1), Fault("type_change", "org-pooled-usage")]
    with org_server(SimulatorOptions(rate_limits=False, faults=faults)) as (server, simulator):
        http = client(server, ORG_KEY)
        named = {"organizationId": simulator.organization().id}
        failed = http.post("/organizations/filtered-usage-events", json=named)
        served = http.post("/organizations/filtered-usage-events", json=named)
        drifted = http.post("/organizations/pooled-usage", json=named).json()
    assert (failed.status_code, served.status_code) == (503, 200)
    assert all(isinstance(team["usedCents"], str) for team in drifted["teams"])
