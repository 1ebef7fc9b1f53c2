"""Who may read the Analytics and AI Code Tracking routes and how often (reference §1.3-1.5, §9): Enterprise only,
Bearer tokens as well as Basic auth, 20 requests a minute per AI-code endpoint, 100 on the team-level Analytics
routes together and 50 on the by-user ones, ETags with 304s that do not count, and the limited-alpha commit-detail
route that a switch turns off."""

from __future__ import annotations

import httpx
import pytest

from cursor_simulator import Fault, SimulatorOptions
from tests.conftest import API_KEY
from tests.simulator import client, wait_for_window_start

NO_LIMITS = SimulatorOptions(rate_limits=False)
SMALL = {"members": 8, "days": 8}
ROUTES = [
    "/analytics/ai-code/commits", "/analytics/ai-code/changes", "/analytics/team/dau", "/analytics/team/agent-edits",
    "/analytics/team/tabs", "/analytics/team/models", "/analytics/team/bugbot-reviews",
    "/analytics/by-user/agent-edits", "/analytics/by-user/tabs",
]  # fmt: skip


def _detail_path(http: httpx.Client) -> str:
    return "/analytics/ai-code/commits/" + http.get(ROUTES[0]).json()["items"][0]["commitHash"]


@pytest.mark.parametrize(
    ("plan", "status", "body"),
    [
        ("business", 403, {"error": "Forbidden", "message": "Enterprise access required"}),
        ("no-admin-api", 403, {"error": "Forbidden", "message": "Enterprise access required"}),
        ("personal", 404, {"error": "Not Found", "message": "Team not found"}),
    ],
)
def test_only_enterprise_teams_read_analytics_and_ai_code(make_simulator, plan, status, body):
    http = client(make_simulator(options=NO_LIMITS, plan=plan, **SMALL))
    for path in [*ROUTES, "/analytics/ai-code/commits/" + "ab" * 20]:
        response = http.get(path)
        assert (response.status_code, response.json()) == (status, body), path


def test_a_bearer_token_reads_analytics_but_not_the_admin_api(make_simulator):
    server = make_simulator(options=NO_LIMITS, **SMALL)
    bearer = {"Authorization": f"Bearer {API_KEY}"}
    assert httpx.get(server.base_url + "/analytics/team/dau", headers=bearer).status_code == 200
    assert httpx.get(server.base_url + "/teams/members", headers=bearer).status_code == 401
    wrong = {"Authorization": "Bearer crsr_" + "Q" * 64}
    response = httpx.get(server.base_url + "/analytics/team/dau", headers=wrong)
    assert response.status_code == 401 and response.json()["message"] == "Invalid Team API Key"


def test_without_the_alpha_the_commit_detail_route_is_404_and_the_lists_still_answer(make_simulator):
    http = client(make_simulator(options=SimulatorOptions(rate_limits=False, commit_details=False), **SMALL))
    assert http.get(ROUTES[0]).status_code == http.get(ROUTES[1]).status_code == 200
    response = http.get(_detail_path(http))
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found", "message": "Resource not found"}


def test_responses_carry_an_etag_and_if_none_match_answers_304_without_a_body(make_simulator):
    http = client(make_simulator(options=NO_LIMITS, **SMALL))
    for path in [*ROUTES, _detail_path(http)]:
        first = http.get(path)
        assert first.headers["cache-control"] == "public, max-age=900"
        etag = first.headers["etag"]
        again = http.get(path, headers={"If-None-Match": etag})
        assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag), path
        assert http.get(path, headers={"If-None-Match": f'W/{etag}, "other"'}).status_code == 304
        assert http.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    assert http.get(ROUTES[2], params={"startDate": "3d"}).headers["etag"] != http.get(ROUTES[2]).headers["etag"]
    assert "etag" not in http.get("/teams/members").headers


def _statuses(http: httpx.Client, path: str, count: int, **params) -> list[int]:
    return [http.get(path, params=params).status_code for _ in range(count)]


def test_each_ai_code_endpoint_allows_20_requests_per_window_and_304s_do_not_count(make_simulator):
    http = client(make_simulator(options=SimulatorOptions(window_seconds=4.0), **SMALL))
    detail = _detail_path(http)
    etag = http.get(ROUTES[1]).headers["etag"]
    wait_for_window_start(4.0)
    hits = [http.get(ROUTES[1], headers={"If-None-Match": etag}).status_code for _ in range(30)]
    commits, changes, details = (
        _statuses(http, ROUTES[0], 21),
        _statuses(http, ROUTES[1], 21),
        _statuses(http, detail, 21),
    )
    assert hits == [304] * 30
    assert commits == changes == details == [200] * 20 + [429]
    assert http.get("/teams/members").status_code == 200


def test_team_level_analytics_share_100_requests_per_window_and_by_user_routes_50(make_simulator):
    http = client(make_simulator(options=SimulatorOptions(window_seconds=8.0), **SMALL))
    wait_for_window_start(8.0)
    team = _statuses(http, ROUTES[2], 40) + _statuses(http, ROUTES[4], 40) + _statuses(http, ROUTES[6], 21)
    by_user = _statuses(http, ROUTES[7], 25) + _statuses(http, ROUTES[8], 26)
    limited = http.get(ROUTES[5])
    assert team == [200] * 100 + [429] and by_user == [200] * 50 + [429]
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 8
    assert http.get(ROUTES[0]).status_code == 200


def test_faults_reach_the_analytics_and_ai_code_routes_by_name(make_simulator):
    faults = [Fault("5xx", "ai-code-commits", count=1), Fault("type_change", "analytics-dau", count=1)]
    http = client(make_simulator(options=SimulatorOptions(rate_limits=False, faults=faults), **SMALL))
    assert [http.get(ROUTES[0]).status_code for _ in range(2)] == [503, 200]
    changed, normal = http.get(ROUTES[2]).json()["data"], http.get(ROUTES[2]).json()["data"]
    assert {type(row["dau"]) for row in changed} == {str} and {type(row["dau"]) for row in normal} == {int}
