"""Every endpoint answers in the DOC-CUR shape: exact field names and JSON types."""

from __future__ import annotations

import math
import re
from datetime import timedelta

import pytest

from tests.conftest import END_DATE
from tests.simulator import NUMBER, OPTIONAL_STR, assert_shape, client, day_ms, shared_server, utc_day, window


@pytest.fixture(scope="module")
def server():
    with shared_server() as running:
        yield running


ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
DAILY_ROW = {
    "userId": int, "day": str, "date": int, "isActive": bool,
    "totalLinesAdded": int, "totalLinesDeleted": int, "acceptedLinesAdded": int, "acceptedLinesDeleted": int,
    "totalApplies": int, "totalAccepts": int, "totalRejects": int, "totalTabsShown": int, "totalTabsAccepted": int,
    "composerRequests": int, "chatRequests": int, "agentRequests": int, "cmdkUsages": int,
    "subscriptionIncludedReqs": int, "apiKeyReqs": int, "usageBasedReqs": int, "bugbotUsages": int,
    "mostUsedModel": OPTIONAL_STR, "applyMostUsedExtension": OPTIONAL_STR, "tabMostUsedExtension": OPTIONAL_STR,
    "clientVersion": OPTIONAL_STR, "email": str,
}  # fmt: skip
EVENT = {
    "timestamp": str, "model": str, "kind": str, "maxMode": bool, "requestsCosts": NUMBER,
    "isTokenBasedCall": bool, "isChargeable": bool, "isHeadless": bool, "chargedCents": NUMBER,
}  # fmt: skip
EVENT_OPTIONAL = {
    "userEmail": str, "tokenUsage": dict, "cursorTokenFee": NUMBER, "conversationId": str,
    "serviceAccountId": str, "serviceAccountName": str, "cloudAgentId": str, "automationId": str,
}  # fmt: skip
TOKEN_USAGE = {"inputTokens": int, "outputTokens": int, "cacheWriteTokens": int, "cacheReadTokens": int}
SPEND_ROW = {
    "userId": str, "spendCents": NUMBER, "overallSpendCents": NUMBER, "fastPremiumRequests": int, "name": str,
    "email": str, "role": str, "hardLimitOverrideDollars": int, "monthlyLimitDollars": (int, type(None)),
    "effectivePerUserLimitDollars": int, "profilePictureUrl": OPTIONAL_STR,
}  # fmt: skip
GROUP = {
    "id": str, "name": str, "type": str, "directoryGroupId": OPTIONAL_STR, "memberCount": int, "createdAt": str,
    "updatedAt": str, "spendCents": NUMBER, "currentMembers": list, "formerMembers": list, "dailySpend": list,
}  # fmt: skip
GROUP_MEMBER = {"userId": str, "name": str, "email": str, "joinedAt": str, "leftAt": OPTIONAL_STR, "spendCents": NUMBER}


def test_members_have_encoded_ids_names_emails_roles_and_is_removed(server):
    body = client(server).get("/teams/members").json()
    assert set(body) == {"teamMembers"}
    assert body["teamMembers"]
    for member in body["teamMembers"]:
        assert_shape(member, {"id": str, "name": str, "email": str, "role": str, "isRemoved": bool})
        assert member["id"].startswith("user_")
        assert member["isRemoved"] is False


def test_daily_usage_without_paging_returns_only_active_rows_and_no_pagination(server):
    start, end = window(5)
    body = client(server).post("/teams/daily-usage-data", json={"startDate": start, "endDate": end})
    body = body.json()
    assert set(body) == {"data", "period"}
    assert body["period"] == {"startDate": start, "endDate": end}
    assert body["data"]
    for row in body["data"]:
        assert_shape(row, DAILY_ROW)
        assert row["isActive"] is True
        assert row["date"] == day_ms(utc_day(row["date"])) and utc_day(row["date"]).isoformat() == row["day"]


def test_daily_usage_with_page_and_page_size_returns_every_member_and_pagination(server):
    start, end = window(5)
    http = client(server)
    body = http.post("/teams/daily-usage-data", json={"startDate": start, "endDate": end, "page": 1, "pageSize": 7})
    body = body.json()
    assert set(body) == {"data", "period", "pagination"}
    pagination = body["pagination"]
    assert_shape(
        pagination,
        dict.fromkeys(("page", "pageSize", "totalUsers", "totalPages"), int)
        | {"hasNextPage": bool, "hasPreviousPage": bool},
    )
    assert pagination["page"] == 1 and pagination["pageSize"] == 7
    assert pagination["totalPages"] == math.ceil(pagination["totalUsers"] / 7)
    assert pagination["hasNextPage"] is True and pagination["hasPreviousPage"] is False
    assert len({row["userId"] for row in body["data"]}) == 7
    assert any(row["isActive"] is False for row in body["data"])
    rows, users = [], set()
    for page in range(1, pagination["totalPages"] + 1):
        data = http.post(
            "/teams/daily-usage-data", json={"startDate": start, "endDate": end, "page": page, "pageSize": 7}
        ).json()
        rows += data["data"]
        users |= {row["userId"] for row in data["data"]}
    assert len(users) == pagination["totalUsers"]
    assert all(set(row) == set(DAILY_ROW) for row in rows)
    inactive = [row for row in rows if not row["isActive"]]
    assert all(row["usageBasedReqs"] == 0 and row["mostUsedModel"] is None for row in inactive)


def test_spend_rows_and_envelope_follow_the_reference(server):
    body = client(server).post("/teams/spend", json={"pageSize": 3}).json()
    assert {"teamMemberSpend", "subscriptionCycleStart", "totalMembers", "totalPages"} <= set(body)
    assert "currentPage" not in body
    assert type(body["subscriptionCycleStart"]) is int
    assert body["subscriptionCycleStart"] == day_ms(END_DATE.replace(day=1))
    assert body["totalPages"] == math.ceil(body["totalMembers"] / 3)
    assert len(body["teamMemberSpend"]) == 3
    for row in body["teamMemberSpend"]:
        assert_shape(row, SPEND_ROW)


@pytest.mark.parametrize(
    ("sort_by", "key"),
    [("amount", lambda r: r["spendCents"]), ("user", lambda r: r["name"].lower())],
)
def test_spend_sorts_by_amount_and_user_in_both_directions(server, sort_by, key):
    http = client(server)
    for direction in ("asc", "desc"):
        rows = http.post("/teams/spend", json={"sortBy": sort_by, "sortDirection": direction}).json()
        values = [key(r) for r in rows["teamMemberSpend"]]
        assert values == sorted(values, reverse=direction == "desc")
        assert len(set(values)) > 1


def test_spend_sorts_by_date_and_rejects_unknown_sort(server):
    http = client(server)
    joined = {m.user_id: m.joined for m in server.simulator.team().members}
    rows = http.post("/teams/spend", json={"sortBy": "date", "sortDirection": "asc"}).json()["teamMemberSpend"]
    dates = [joined[r["userId"]] for r in rows]
    assert dates == sorted(dates)
    assert http.post("/teams/spend", json={"sortBy": "cost"}).status_code == 400


def test_spend_search_term_matches_names_and_emails_and_pages_cover_everyone(server):
    http = client(server)
    everyone = http.post("/teams/spend", json={}).json()
    target = everyone["teamMemberSpend"][0]
    found = http.post("/teams/spend", json={"searchTerm": target["email"].upper()}).json()
    assert [r["email"] for r in found["teamMemberSpend"]] == [target["email"]]
    assert found["totalMembers"] == 1
    first_name = target["name"].split()[0]
    by_name = http.post("/teams/spend", json={"searchTerm": first_name}).json()["teamMemberSpend"]
    assert target["email"] in {r["email"] for r in by_name}
    paged = []
    for page in range(1, everyone["totalMembers"] // 4 + 2):
        paged += http.post("/teams/spend", json={"page": page, "pageSize": 4}).json()["teamMemberSpend"]
    assert sorted(r["email"] for r in paged) == sorted(r["email"] for r in everyone["teamMemberSpend"])


def test_usage_events_envelope_and_event_fields_follow_the_reference(server):
    start, end = window(3)
    body = client(server).post(
        "/teams/filtered-usage-events", json={"startDate": start, "endDate": end, "pageSize": 1000}
    )
    body = body.json()
    assert set(body) == {"totalUsageEventsCount", "pagination", "usageEvents", "period"}
    assert type(body["totalUsageEventsCount"]) is int
    assert_shape(
        body["pagination"],
        {"numPages": int, "currentPage": int, "pageSize": int, "hasNextPage": bool, "hasPreviousPage": bool},
    )
    assert body["period"] == {"startDate": start, "endDate": end}
    for event in body["usageEvents"]:
        assert_shape(event, EVENT, EVENT_OPTIONAL)
        assert re.fullmatch(r"\d{13}", event["timestamp"])
        if "tokenUsage" in event:
            assert_shape(event["tokenUsage"], TOKEN_USAGE | {"totalCents": NUMBER}, {"discountPercentOff": NUMBER})


def test_usage_events_page_size_1000_is_accepted_and_1001_rejected(server):
    http = client(server)
    start, end = window(5)
    ok = http.post("/teams/filtered-usage-events", json={"startDate": start, "endDate": end, "pageSize": 1000})
    assert ok.status_code == 200 and len(ok.json()["usageEvents"]) == 1000
    bad = http.post("/teams/filtered-usage-events", json={"startDate": start, "endDate": end, "pageSize": 1001})
    assert bad.status_code == 400
    assert bad.json()["error"] == "Bad Request"


def test_usage_events_filter_by_email_and_numeric_user_id(server):
    http = client(server)
    start, end = window(5)
    rows = http.post("/teams/daily-usage-data", json={"startDate": start, "endDate": end}).json()["data"]
    user_id, email = rows[0]["userId"], rows[0]["email"]
    by_email = http.post("/teams/filtered-usage-events", json={"startDate": start, "endDate": end, "email": email})
    by_id = http.post("/teams/filtered-usage-events", json={"startDate": start, "endDate": end, "userId": user_id})
    by_email, by_id = by_email.json(), by_id.json()
    assert by_email["totalUsageEventsCount"] > 0
    assert by_email["totalUsageEventsCount"] == by_id["totalUsageEventsCount"]
    assert {e["userEmail"] for e in by_email["usageEvents"]} == {email}
    assert {e["userEmail"] for e in by_id["usageEvents"]} == {email}


def test_audit_logs_have_snake_case_events_pagination_and_params(server):
    http = client(server)
    body = http.get("/teams/audit-logs", params={"startTime": "7d", "endTime": "now", "pageSize": 5}).json()
    assert set(body) == {"events", "pagination", "params"}
    assert body["events"]
    for event in body["events"]:
        assert_shape(
            event,
            {"event_id": str, "timestamp": str, "ip_address": str, "user_email": str, "event_type": str,
             "event_data": dict},
        )  # fmt: skip
        assert ISO_MS.match(event["timestamp"])
    pagination = body["pagination"]
    assert_shape(
        pagination,
        dict.fromkeys(("page", "pageSize", "totalCount", "totalPages"), int)
        | {"hasNextPage": bool, "hasPreviousPage": bool},
    )
    assert pagination["totalPages"] == math.ceil(pagination["totalCount"] / 5)
    assert_shape(body["params"], {"teamId": int, "startDate": int, "endDate": int})
    end = day_ms(END_DATE) + 86_400_000 - 1
    assert body["params"]["endDate"] == end and body["params"]["startDate"] == end - 7 * 86_400_000


@pytest.mark.parametrize(
    ("start_time", "expected"),
    [
        ("2026-11-15", day_ms(END_DATE - timedelta(days=5))),
        ("2026-11-15T12:00:00Z", day_ms(END_DATE - timedelta(days=5)) + 12 * 3_600_000),
        ("2026-11-15T12:00:00-05:00", day_ms(END_DATE - timedelta(days=5)) + 17 * 3_600_000),
        (str(day_ms(END_DATE - timedelta(days=5)) // 1000), day_ms(END_DATE - timedelta(days=5))),
        (str(day_ms(END_DATE - timedelta(days=5))), day_ms(END_DATE - timedelta(days=5))),
        ("yesterday", day_ms(END_DATE - timedelta(days=1))),
        ("today", day_ms(END_DATE)),
        ("5h", day_ms(END_DATE) + 86_400_000 - 1 - 5 * 3_600_000),
        ("300s", day_ms(END_DATE) + 86_400_000 - 1 - 300_000),
    ],
)
def test_audit_logs_accept_relative_iso_date_and_unix_times(server, start_time, expected):
    http = client(server)
    response = http.get("/teams/audit-logs", params={"startTime": start_time, "endTime": "now"})
    assert response.status_code == 200, response.text
    assert response.json()["params"]["startDate"] == expected


def test_audit_logs_reject_ranges_over_30_days(server):
    response = client(server).get("/teams/audit-logs", params={"startTime": "31d"})
    assert response.status_code == 400
    assert response.json() == {"error": "Bad Request", "message": "Date range cannot exceed 30 days"}


def test_groups_list_current_and_former_members_unassigned_group_and_billing_cycle(server):
    body = client(server).get("/teams/groups").json()
    assert set(body) == {"groups", "unassignedGroup", "billingCycle"}
    assert body["unassignedGroup"]["id"] == "group_unassigned"
    assert body["billingCycle"] == {"cycleStart": "2026-11-01T00:00:00.000Z", "cycleEnd": "2026-11-30T23:59:59.999Z"}
    formers = 0
    for group in [*body["groups"], body["unassignedGroup"]]:
        assert_shape(group, GROUP)
        assert group["type"] == "BILLING"
        assert group["memberCount"] == len(group["currentMembers"])
        for member in group["currentMembers"]:
            assert_shape(member, GROUP_MEMBER)
            assert ISO_MS.match(member["joinedAt"]) and member["leftAt"] is None
        for member in group["formerMembers"]:
            assert_shape(member, GROUP_MEMBER)
            assert ISO_MS.match(member["leftAt"])
            formers += 1
        for day in group["dailySpend"]:
            assert_shape(day, {"date": str, "spendCents": NUMBER})
    assert formers > 0
