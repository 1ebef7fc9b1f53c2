"""The AI Code Tracking routes answer in the documented shapes (reference §9.2): fields and JSON types, pages and
their caps, date parameters (ISO dates, ``now``, ``<n>d``; 7 days by default, 30 at most), the ``user`` filter,
and the commit-detail route's batches of hashes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.conftest import END_DATE
from tests.simulator import OPTIONAL_STR, all_items, assert_shape, client, shared_server

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
COMMIT = {
    "commitHash": str, "userId": str, "userEmail": str, "repoName": OPTIONAL_STR, "branchName": OPTIONAL_STR,
    "isPrimaryBranch": (bool, type(None)), "commitSource": str, "totalLinesAdded": int, "totalLinesDeleted": int,
    "tabLinesAdded": int, "tabLinesDeleted": int, "composerLinesAdded": int, "composerLinesDeleted": int,
    "nonAiLinesAdded": (int, type(None)), "nonAiLinesDeleted": (int, type(None)), "message": OPTIONAL_STR,
    "commitTs": OPTIONAL_STR, "createdAt": str,
}  # fmt: skip
CHANGE = {
    "changeId": str, "userId": str, "userEmail": str, "source": str, "model": OPTIONAL_STR, "totalLinesAdded": int,
    "totalLinesDeleted": int, "createdAt": str, "metadata": list,
}  # fmt: skip
COMMITS, CHANGES = "/analytics/ai-code/commits", "/analytics/ai-code/changes"


@pytest.fixture(scope="module")
def server():
    with shared_server(members=30, days=20) as running:
        yield running


def test_commits_and_changes_pages_have_the_documented_envelope_and_rows(server):
    http = client(server)
    for path, shape in ((COMMITS, COMMIT), (CHANGES, CHANGE)):
        body = http.get(path, params={"startDate": "14d"}).json()
        assert set(body) == {"items", "totalCount", "page", "pageSize"}
        assert body["page"] == 1 and body["pageSize"] == 100 and len(body["items"]) == 100 < body["totalCount"]
        for item in body["items"]:
            assert_shape(item, shape)
            assert ISO_MS.match(item["createdAt"]) and item["userId"].startswith("user_")
        created = [item["createdAt"] for item in body["items"]]
        assert created == sorted(created, reverse=True)  # newest first
    change = http.get(CHANGES).json()["items"][0]
    for file in change["metadata"]:
        assert_shape(file, {"fileExtension": str, "linesAdded": int, "linesDeleted": int}, {"fileName": str})
    commit = next(c for c in http.get(COMMITS).json()["items"] if c["commitTs"])
    assert re.fullmatch(r"[0-9a-f]{40}", commit["commitHash"]) and ISO_MS.match(commit["commitTs"])
    assert commit["commitSource"] in ("ide", "cli", "cloud")


def test_page_size_1000_is_accepted_and_1001_rejected(server):
    http = client(server)
    assert http.get(COMMITS, params={"pageSize": 1000, "startDate": "20d"}).status_code == 200
    for path in (COMMITS, CHANGES):
        response = http.get(path, params={"pageSize": 1001})
        assert response.status_code == 400 and response.json()["error"] == "Bad Request"


def test_pages_cover_the_window_once(server):
    http = client(server)
    everything = all_items(http, COMMITS, {"startDate": "14d"}, page_size=1000)
    paged = all_items(http, COMMITS, {"startDate": "14d"}, page_size=37)
    assert paged == everything and len(everything) > 100


def _days_listed(server, **params) -> set[str]:
    return {item["createdAt"][:10] for item in all_items(client(server), COMMITS, params)}


def test_the_default_window_is_the_last_7_days_to_now(server):
    default = _days_listed(server)  # from now (the end of the last day) minus 7 x 24 hours
    assert default == {(END_DATE - timedelta(days=k)).isoformat() for k in range(7)}
    assert _days_listed(server, startDate="7d", endDate="now") == default


def test_dates_are_iso_dates_instants_now_or_days_ago(server):
    day = END_DATE - timedelta(days=3)
    assert _days_listed(server, startDate=day.isoformat(), endDate=day.isoformat()) == {day.isoformat()}
    evening = _days_listed(server, startDate=f"{day}T18:00:00Z", endDate=f"{day}T23:59:59.999Z")
    assert evening == {day.isoformat()}
    assert len(
        all_items(client(server), COMMITS, {"startDate": f"{day}T18:00:00Z", "endDate": f"{day}T23:59:59Z"})
    ) < len(all_items(client(server), COMMITS, {"startDate": day.isoformat(), "endDate": day.isoformat()}))
    assert _days_listed(server, startDate="1d", endDate="0d") == {END_DATE.isoformat()}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"startDate": "31d"}, "Date range cannot exceed 30 days"),
        ({"startDate": "2026-10-01", "endDate": "2026-11-20"}, "Date range cannot exceed 30 days"),
        ({"startDate": "last week"}, "Invalid date"),
        ({"startDate": "1d", "endDate": "3d"}, "endDate must be after startDate"),
    ],
)
def test_bad_ranges_are_400(server, params, message):
    for path in (COMMITS, CHANGES):
        response = client(server).get(path, params=params)
        assert response.status_code == 400 and message in response.json()["message"]


def test_the_user_filter_takes_an_email_an_encoded_or_a_numeric_id(server):
    http = client(server)
    author = http.get(COMMITS).json()["items"][0]["userEmail"]
    member = next(m for m in server.simulator.team().humans if m.email == author)
    answers = [
        [item["commitHash"] for item in all_items(http, COMMITS, {"user": user})]
        for user in (member.email, member.email.upper(), member.user_id, str(member.numeric_id))
    ]
    assert answers[0] and all(answer == answers[0] for answer in answers)
    assert {c["userEmail"] for c in all_items(http, CHANGES, {"user": member.user_id})} == {member.email}
    assert http.get(COMMITS, params={"user": "nobody@acme.io"}).status_code == 400


def test_commit_details_answer_in_batches_of_up_to_100_hashes(server):
    http = client(server)
    items = http.get(COMMITS, params={"pageSize": 300, "startDate": "14d"}).json()["items"]
    hashes = list(dict.fromkeys(item["commitHash"] for item in items))
    assert len(hashes) > 100
    body = http.get("/analytics/ai-code/commits/" + ",".join(hashes[:100])).json()
    assert set(body) == {"commits", "conversations"}
    assert [c["commitHash"] for c in body["commits"]] == hashes[:100]
    for commit in body["commits"]:
        assert_shape(commit, {"commitHash": str, "commitSource": str, "rangeAnnotations": list})
        for annotation in commit["rangeAnnotations"]:
            assert_shape(annotation, {"groups": list}, {"filePath": str})
            for group in annotation["groups"]:
                assert_shape(
                    group, {"conversationId": OPTIONAL_STR, "model": OPTIONAL_STR, "operationType": str, "ranges": list}
                )
                assert all(set(r) == {"start", "end"} and r["start"] <= r["end"] for r in group["ranges"])
    for conversation in body["conversations"]:
        assert_shape(
            conversation,
            {
                "id": str,
                "title": OPTIONAL_STR,
                "tldr": OPTIONAL_STR,
                "overview": OPTIONAL_STR,
                "summaryBullets": (list, type(None)),
            },
        )
    assert http.get("/analytics/ai-code/commits/" + ",".join(hashes[:101])).status_code == 400


def test_unknown_hashes_are_left_out_and_branch_narrows_the_details(server):
    http = client(server)
    commits = http.get(COMMITS, params={"pageSize": 50}).json()["items"]
    known = commits[0]["commitHash"]
    fake = "0" * 40
    body = http.get(f"/analytics/ai-code/commits/{fake},{known},{known[:39]}1").json()
    assert [c["commitHash"] for c in body["commits"]] == [known]
    on_branch = next(c for c in commits if c["branchName"])
    other = next(c for c in commits if c["branchName"] != on_branch["branchName"])
    hashes = f"{on_branch['commitHash']},{other['commitHash']}"
    narrowed = http.get(f"/analytics/ai-code/commits/{hashes}", params={"branch": on_branch["branchName"]}).json()
    assert on_branch["commitHash"] in [c["commitHash"] for c in narrowed["commits"]]
    assert other["commitHash"] not in [c["commitHash"] for c in narrowed["commits"]]
