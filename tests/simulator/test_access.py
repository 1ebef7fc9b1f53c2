"""Basic auth, plans and the per-team rate limits."""

from __future__ import annotations

import httpx
import pytest

from cursor_simulator import SimulatorOptions
from tests.conftest import API_KEY
from tests.simulator import client, wait_for_window_start, window

NO_LIMITS = SimulatorOptions(rate_limits=False)
FORBIDDEN = {"error": "Forbidden", "message": "Enterprise access required"}
RATE_LIMITED = {"error": "Too Many Requests", "message": "Rate limit exceeded. Please try again later."}
ROUTES = [
    ("GET", "/teams/members"),
    ("POST", "/teams/daily-usage-data"),
    ("POST", "/teams/spend"),
    ("POST", "/teams/filtered-usage-events"),
    ("GET", "/teams/audit-logs"),
    ("GET", "/teams/groups"),
]


def _call(http: httpx.Client, method: str, path: str) -> httpx.Response:
    if method == "GET":
        return http.get(path)
    start, end = window(3)
    return http.post(path, json={"startDate": start, "endDate": end})


def test_a_request_without_authorization_is_401_invalid_api_key(make_simulator):
    server = make_simulator(options=NO_LIMITS)
    response = httpx.get(server.base_url + "/teams/members")
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": "Invalid API key"}


@pytest.mark.parametrize(
    ("key", "password", "message"),
    [
        ("crsr_" + "U" * 64, "", "Invalid Team API Key"),
        ("key_" + "a1" * 32, "", "Invalid Team API Key"),
        ("not-a-key", "", "Invalid API key"),
        ("crsr_short", "", "Invalid API key"),
        (API_KEY, "secret", "Invalid Team API Key"),
    ],
    ids=["unknown-crsr-key", "unknown-key_-key", "malformed", "too-short", "non-empty-password"],
)
def test_wrong_credentials_are_401_with_the_documented_body(make_simulator, key, password, message):
    response = client(make_simulator(options=NO_LIMITS), key, password).get("/teams/members")
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": message}


def test_a_bearer_token_is_not_basic_auth(make_simulator):
    server = make_simulator(options=NO_LIMITS)
    response = httpx.get(server.base_url + "/teams/members", headers={"Authorization": f"Bearer {API_KEY}"})
    assert response.status_code == 401


def test_business_plan_is_forbidden_audit_logs_and_groups_but_reads_members(make_simulator):
    http = client(make_simulator(options=NO_LIMITS, plan="business"))
    for method, path in ROUTES:
        response = _call(http, method, path)
        if path in ("/teams/audit-logs", "/teams/groups"):
            assert response.status_code == 403, path
            assert response.json() == FORBIDDEN
        else:
            assert response.status_code == 200, path


def test_no_admin_api_plan_is_forbidden_everywhere(make_simulator):
    http = client(make_simulator(options=NO_LIMITS, plan="no-admin-api"))
    for method, path in ROUTES:
        response = _call(http, method, path)
        assert response.status_code == 403, path
        assert response.json() == FORBIDDEN


def test_personal_plan_is_404_everywhere(make_simulator):
    http = client(make_simulator(options=NO_LIMITS, plan="personal"))
    for method, path in ROUTES:
        response = _call(http, method, path)
        assert response.status_code == 404, path
        assert response.json()["error"] == "Not Found"


def test_empty_team_has_no_members(make_simulator):
    response = client(make_simulator(options=NO_LIMITS, plan="empty-team")).get("/teams/members")
    assert response.status_code == 200
    assert response.json() == {"teamMembers": []}


def test_the_21st_admin_request_in_a_window_is_429_with_retry_after(make_simulator):
    http = client(make_simulator(options=SimulatorOptions(window_seconds=2.0)))
    wait_for_window_start(2.0)
    statuses = [http.get("/teams/members").status_code for _ in range(20)]
    limited = http.post("/teams/spend", json={})
    assert statuses == [200] * 20
    assert limited.status_code == 429
    assert limited.json() == RATE_LIMITED
    assert 1 <= int(limited.headers["Retry-After"]) <= 2


def test_rate_limited_requests_succeed_again_after_the_window(make_simulator):
    http = client(make_simulator(options=SimulatorOptions(window_seconds=1.0)))
    wait_for_window_start(1.0)
    for _ in range(20):
        http.get("/teams/members")
    assert http.get("/teams/members").status_code == 429
    wait_for_window_start(1.0)
    assert http.get("/teams/members").status_code == 200


def test_retry_after_can_be_switched_off(make_simulator):
    http = client(make_simulator(options=SimulatorOptions(window_seconds=2.0, retry_after=False)))
    wait_for_window_start(2.0)
    responses = [http.get("/teams/members") for _ in range(21)]
    assert responses[-1].status_code == 429
    assert "retry-after" not in responses[-1].headers


def test_the_events_route_allows_60_requests_per_window_apart_from_admin_routes(make_simulator):
    http = client(make_simulator(options=SimulatorOptions(window_seconds=3.0)))
    start, end = window(1)
    body = {"startDate": start, "endDate": end, "pageSize": 1}
    wait_for_window_start(3.0)
    statuses = [http.post("/teams/filtered-usage-events", json=body).status_code for _ in range(61)]
    members = http.get("/teams/members").status_code
    assert statuses == [200] * 60 + [429]
    assert members == 200
