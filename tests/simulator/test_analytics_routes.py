"""The Analytics routes answer in the documented shapes (reference §9.1): team-level ``dau``, ``agent-edits``, ``tabs``
and ``models``, by-user ``agent-edits`` and ``tabs`` with pages of users, and Bugbot reviews; Analytics dates
(time ignored, ``yesterday``, ``<n>d``; 7 days by default, 30 at most) and the ``users`` filter."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from tests.conftest import END_DATE
from tests.simulator import NUMBER, assert_shape, client, shared_server

LINES = {
    f"total_{color}_lines_{what}": int for color in ("green", "red") for what in ("accepted", "rejected", "suggested")
} | {"total_lines_suggested": int, "total_lines_accepted": int}
AGENT_EDITS = {
    "event_date": str,
    "total_suggested_diffs": int,
    "total_accepted_diffs": int,
    "total_rejected_diffs": int,
}
TABS = {"event_date": str, "total_suggestions": int, "total_accepts": int, "total_rejects": int}
REVIEW = {
    "request_id": str, "timestamp": str, "repo": str, "repo_node_id": str, "pr_number": int, "commit_sha": str,
    "bugs_found": int, "cost_cents": (*NUMBER, type(None)), "dry_run": bool, "publication_status": str, "bugs": list,
}  # fmt: skip
BUG = {"comment_id": int, "resolution_status": str, "severity": str}
DAYS_7 = [(END_DATE - timedelta(days=k)).isoformat() for k in range(7, -1, -1)]


@pytest.fixture(scope="module")
def server():
    with shared_server(members=30, days=20) as running:
        yield running


@pytest.mark.parametrize(
    ("metric", "row"),
    [
        ("dau", {"date": str, "dau": int, "cli_dau": int, "cloud_agent_dau": int, "bugbot_dau": int}),
        ("agent-edits", AGENT_EDITS | LINES),
        ("tabs", TABS | LINES),
        ("models", {"date": str, "model_breakdown": dict}),
    ],
)
def test_team_level_routes_answer_a_row_per_day_of_the_last_7_days_by_default(server, metric, row):
    body = client(server).get(f"/analytics/team/{metric}").json()
    assert set(body) == {"data", "params"}
    assert body["params"] == {
        "metric": metric,
        "teamId": server.simulator.team().spec.resolved_team_id,
        "startDate": DAYS_7[0],
        "endDate": DAYS_7[-1],
    }
    assert [r.get("date", r.get("event_date")) for r in body["data"]] == DAYS_7
    for data in body["data"]:
        assert_shape(data, row)
        if metric == "models":
            for breakdown in data["model_breakdown"].values():
                assert_shape(breakdown, {"messages": int, "users": int})
        elif metric != "dau":
            assert data["total_lines_accepted"] == data["total_green_lines_accepted"] + data["total_red_lines_accepted"]
            green = data["total_green_lines_accepted"] + data["total_green_lines_rejected"]
            assert data["total_green_lines_suggested"] == green


@pytest.mark.parametrize(
    ("params", "first", "last"),
    [
        ({"startDate": "2026-11-10", "endDate": "2026-11-12"}, "2026-11-10", "2026-11-12"),
        ({"startDate": "2026-11-10T23:59:00Z", "endDate": "2026-11-12T01:00:00-00:00"}, "2026-11-10", "2026-11-12"),
        ({"startDate": "3d", "endDate": "yesterday"}, "2026-11-17", "2026-11-19"),
        ({"startDate": "30d", "endDate": "now"}, "2026-10-21", "2026-11-20"),
        ({"startDate": "today"}, "2026-11-20", "2026-11-20"),
    ],
)
def test_analytics_dates_resolve_to_utc_days(server, params, first, last):
    body = client(server).get("/analytics/team/dau", params=params).json()
    assert (body["params"]["startDate"], body["params"]["endDate"]) == (first, last)
    dates = [row["date"] for row in body["data"]]
    assert dates[-1] == last and dates[0] == max(first, "2026-11-01")  # the team's data starts on 2026-11-01


@pytest.mark.parametrize(
    "params", [{"startDate": "31d"}, {"startDate": "someday"}, {"startDate": "1d", "endDate": "2d"}]
)
def test_bad_analytics_ranges_are_400(server, params):
    for path in ("/analytics/team/tabs", "/analytics/by-user/tabs", "/analytics/team/bugbot-reviews"):
        response = client(server).get(path, params=params)
        assert response.status_code == 400, path


def test_the_users_filter_narrows_team_figures_to_those_people(server):
    http = client(server)
    people = server.simulator.team().current_members()[:4]
    mixed = f"{people[0].email},{people[1].user_id},{people[2].numeric_id},{people[3].email}"
    everyone = http.get("/analytics/team/agent-edits").json()["data"]
    some = http.get("/analytics/team/agent-edits", params={"users": mixed}).json()["data"]
    by_user = http.get("/analytics/by-user/agent-edits", params={"users": mixed}).json()["data"]
    assert set(by_user) == {m.email for m in people}
    for day, row in zip(everyone, some, strict=True):
        mine = [r for rows in by_user.values() for r in rows if r["event_date"] == row["event_date"]]
        assert row["total_green_lines_accepted"] == sum(r["total_green_lines_accepted"] for r in mine)
        assert row["total_green_lines_accepted"] <= day["total_green_lines_accepted"]
    assert http.get("/analytics/team/dau", params={"users": "nobody@acme.io"}).status_code == 400


@pytest.mark.parametrize("metric", ["agent-edits", "tabs"])
def test_by_user_routes_page_through_the_teams_members(server, metric):
    http = client(server)
    body = http.get(f"/analytics/by-user/{metric}", params={"pageSize": 7}).json()
    assert set(body) == {"data", "pagination", "params"}
    pagination = body["pagination"]
    assert pagination["totalPages"] == math.ceil(pagination["totalUsers"] / 7) and pagination["hasNextPage"]
    assert body["params"]["page"] == 1 and body["params"]["pageSize"] == 7 and body["params"]["metric"] == metric
    assert [m["email"] for m in body["params"]["userMappings"]] == list(body["data"])
    emails = []
    for page in range(1, pagination["totalPages"] + 1):
        data = http.get(f"/analytics/by-user/{metric}", params={"pageSize": 7, "page": page}).json()["data"]
        emails += list(data)
        for rows in data.values():
            for row in rows:
                assert_shape(row, (AGENT_EDITS if metric == "agent-edits" else TABS) | LINES)
    assert len(emails) == len(set(emails)) == pagination["totalUsers"] and emails == sorted(emails)
    assert http.get(f"/analytics/by-user/{metric}", params={"pageSize": 501}).status_code == 400


def test_bugbot_reviews_have_the_documented_rows_and_filters(server):
    http = client(server)
    body = http.get("/analytics/team/bugbot-reviews", params={"startDate": "30d", "pageSize": 250}).json()
    assert set(body) == {"data", "pagination", "params"}
    reviews = body["data"]
    assert reviews and body["pagination"]["totalItems"] >= len(reviews)
    for review in reviews:
        assert_shape(review, REVIEW)
        assert review["bugs_found"] == len(review["bugs"])
        assert review["publication_status"] == ("dry_run" if review["dry_run"] else "posted")
        for bug in review["bugs"]:
            assert_shape(bug, BUG, {"title": str, "description": str, "locations": list})
            assert bug["resolution_status"] in ("resolved", "unresolved", "dismissed")
    assert {r["cost_cents"] is None for r in reviews} == {True, False}
    first = reviews[0]
    same_pr = http.get(
        "/analytics/team/bugbot-reviews",
        params={"startDate": "30d", "repo": first["repo"], "prNumber": first["pr_number"]},
    ).json()["data"]
    assert same_pr and all((r["repo"], r["pr_number"]) == (first["repo"], first["pr_number"]) for r in same_pr)
    dry = http.get("/analytics/team/bugbot-reviews", params={"startDate": "30d", "dryRun": "true"}).json()["data"]
    assert all(r["dry_run"] and r["cost_cents"] is None for r in dry)
    assert http.get("/analytics/team/bugbot-reviews", params={"pageSize": 251}).status_code == 400
