"""The Organization API's keys, scopes, organization ids and rate limits (reference §1.3, §1.4, §1.7, §8)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import httpx
import pytest

from cursor_simulator import OrgSpec, Simulator, SimulatorOptions, serve
from tests.simulator import (
    ORG_KEY,
    TEAM_KEYS,
    client,
    org_server,
    org_teams,
    wait_for_window_start,
    window,
)

INVALID_ORG_KEY = {"code": "error", "message": "Invalid Organization API Key"}
RATE_LIMITED = {"error": "Too Many Requests", "message": "Rate limit exceeded. Please try again later."}
ROUTES = [  # method, path, route's scope
    ("GET", "/organizations/members", "members:*"),
    ("POST", "/organizations/daily-usage-data", "usage:*"),
    ("POST", "/organizations/spend", "usage:*"),
    ("POST", "/organizations/filtered-usage-events", "usage:*"),
    ("POST", "/organizations/pooled-usage", "usage:*"),
]


def _call(http: httpx.Client, method: str, path: str, organization_id: str | None) -> httpx.Response:
    named = {} if organization_id is None else {"organizationId": organization_id}
    if method == "GET":
        return http.get(path, params=named)
    start, end = window(3)
    return http.post(path, json=named | {"startDate": start, "endDate": end})


@pytest.fixture(scope="module")
def served():
    """The organization (teams A and B) beside team C, and a second organization of team C."""
    teams = org_teams()
    first = OrgSpec(api_key=ORG_KEY, teams=(teams[0].resolved_team_id, teams[1].resolved_team_id))
    second = OrgSpec(api_key="crsr_" + "P" * 64, teams=(teams[2].resolved_team_id,))
    simulator = Simulator(teams, SimulatorOptions(rate_limits=False), [first, second])
    with serve(simulator) as server:
        yield server, simulator


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES)
def test_an_organization_key_reads_every_organization_route(served, method, path, scope):
    server, simulator = served
    assert _call(client(server, ORG_KEY), method, path, simulator.organization().id).status_code == 200


@pytest.mark.parametrize(
    "key",
    [TEAM_KEYS[0], "crsr_" + "U" * 64, "not-a-key"],
    ids=["a-team-key", "an-unknown-key", "a-malformed-key"],
)
@pytest.mark.parametrize(("method", "path", "scope"), ROUTES)
def test_a_key_that_is_no_organization_key_is_401_invalid_organization_api_key(served, method, path, scope, key):
    server, simulator = served
    response = _call(client(server, key), method, path, simulator.organization().id)
    assert response.status_code == 401
    assert response.json() == INVALID_ORG_KEY


def test_no_credentials_or_a_password_are_401_invalid_organization_api_key(served):
    server, simulator = served
    named = {"organizationId": simulator.organization().id}
    for response in (
        httpx.post(server.base_url + "/organizations/pooled-usage", json=named),
        httpx.post(server.base_url + "/organizations/pooled-usage", json=named, auth=(ORG_KEY, "secret")),
        httpx.post(server.base_url + "/organizations/pooled-usage", json=named, headers={"Authorization": "Bearer x"}),
    ):
        assert response.status_code == 401
        assert response.json() == INVALID_ORG_KEY


@pytest.mark.parametrize("path", ["/teams/members", "/analytics/team/dau"])
def test_an_organization_key_on_a_team_route_is_401_invalid_team_api_key(served, path):
    response = client(served[0], ORG_KEY).get(path)
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": "Invalid Team API Key"}


def test_another_organizations_id_is_403_not_authorized_and_an_unknown_one_404(served):
    server, simulator = served
    other = simulator.organization("crsr_" + "P" * 64).id
    http = client(server, ORG_KEY)
    for method, path, _ in ROUTES:
        forbidden = _call(http, method, path, other)
        unknown = _call(http, method, path, "org_NoSuchOrganization0000")
        missing = _call(http, method, path, None)
        assert (forbidden.status_code, forbidden.json()) == (403, {"code": "error", "message": "Not authorized"})
        assert (unknown.status_code, unknown.json()) == (404, {"error": "Organization not found"})
        assert (missing.status_code, missing.json()["message"]) == (400, "organizationId is required")


@pytest.mark.parametrize(
    ("scopes", "allowed"),
    [
        (("usage:*",), {"usage:*"}),
        (("members:*",), {"members:*"}),
        (("usage:*", "members:*"), {"usage:*", "members:*"}),
        (("read:*",), set()),
        (("admin:*",), {"usage:*", "members:*"}),
    ],
    ids=["usage", "members", "usage-and-members", "read", "admin"],
)
def test_a_key_without_the_routes_scope_is_401_naming_the_missing_scope(scopes, allowed):
    with org_server(scopes=scopes) as (server, simulator):
        http = client(server, ORG_KEY)
        for method, path, scope in ROUTES:
            response = _call(http, method, path, simulator.organization().id)
            if scope in allowed:
                assert response.status_code == 200, path
            else:
                assert response.status_code == 401, path
                message = f"Organization API key missing required scope: {scope}"
                assert response.json() == {"code": "error", "message": message}


def test_organization_usage_routes_share_20_requests_a_window_apart_from_the_teams_limits():
    with org_server(SimulatorOptions(window_seconds=3.0)) as (server, simulator):
        http, team = client(server, ORG_KEY), client(server, TEAM_KEYS[0])
        named = {"organizationId": simulator.organization().id}
        simulator.organization().pool.days()  # the pool's days generated before the window starts
        wait_for_window_start(3.0)
        statuses = [http.post("/organizations/pooled-usage", json=named).status_code for _ in range(10)]
        statuses += [http.get("/organizations/members", params=named).status_code for _ in range(5)]
        statuses += [http.post("/organizations/spend", json=named).status_code for _ in range(5)]
        start, end = window(1)
        limited = http.post("/organizations/daily-usage-data", json=named | {"startDate": start, "endDate": end})
        team_answer = team.get("/teams/members").status_code
        events = http.post("/organizations/filtered-usage-events", json=named).status_code
    assert statuses == [200] * 20
    assert (limited.status_code, limited.json()) == (429, RATE_LIMITED)
    assert 1 <= int(limited.headers["Retry-After"]) <= 3
    assert (team_answer, events) == (200, 200)


def test_the_organization_events_route_allows_60_requests_a_window():
    with org_server(SimulatorOptions(window_seconds=3.0)) as (server, simulator):
        http = client(server, ORG_KEY)
        start, end = window(1)
        body = {"organizationId": simulator.organization().id, "startDate": start, "endDate": end, "pageSize": 1}
        http.post("/organizations/filtered-usage-events", json=body)  # the day generated before the window starts
        wait_for_window_start(3.0)
        statuses = [http.post("/organizations/filtered-usage-events", json=body).status_code for _ in range(61)]
        pooled = http.post("/organizations/pooled-usage", json={"organizationId": body["organizationId"]})
        team_events = client(server, TEAM_KEYS[0]).post("/teams/filtered-usage-events", json={"pageSize": 1})
    assert statuses == [200] * 60 + [429]
    assert (pooled.status_code, team_events.status_code) == (200, 200)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"api_key": "org-key"}, "crsr_ or key_"),
        ({"scopes": ("usage:read",)}, "unknown scope"),
        ({"teams": ()}, "one or more teams"),
        ({"organization_id": "acme"}, "starts with org_"),
        ({"pool_limit_cents": 100, "pool_runs_out": 5}, "not both"),
        ({"contract_start": date(2026, 12, 1), "contract_end": date(2026, 11, 1)}, "end on or after"),
    ],
)
def test_an_organization_spec_that_cannot_be_is_refused(change, message):
    with pytest.raises(ValueError, match=message):
        OrgSpec(**{"api_key": ORG_KEY, "teams": (10001,)} | change)


@pytest.mark.parametrize(
    ("teams", "org", "message"),
    [
        (None, {"api_key": TEAM_KEYS[0]}, "must differ"),
        (None, {"teams": (10001, 10009)}, "does not serve"),
        (None, {"budgets_cents": {10003: 100}}, "not in the organization"),
        (None, {"pool_runs_out": 400}, "before 2027"),
        (None, {"contract_start": date(2026, 11, 21)}, "must hold 2026-11-20"),
        ({"plan": "business"}, {}, "not enterprise"),
        ({"cycle_day": 5}, {}, "share their end date and billing-cycle day"),
    ],
)
def test_an_organization_that_does_not_fit_its_teams_is_refused(teams, org, message):
    specs = org_teams()
    if teams:
        specs[1] = replace(specs[1], **teams)
    fields = {"api_key": ORG_KEY, "teams": (10001, 10002)} | org
    with pytest.raises(ValueError, match=message):
        Simulator(specs, organizations=[OrgSpec(**fields)])


def test_a_team_in_two_organizations_is_refused():
    first, second = OrgSpec(api_key=ORG_KEY, teams=(10001,)), OrgSpec(api_key="crsr_" + "P" * 64, teams=(10001,))
    with pytest.raises(ValueError, match="in two organizations"):
        Simulator(org_teams(), organizations=[first, second])
