"""The endpoints agree with each other, and the events follow the documented cost rules."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from tests.simulator import all_events, client, shared_server, utc_day, window

FIRST_PARTY = {"auto", "composer-1", "grok-code-fast-1"}
KINDS = {"Usage-based", "Included in Business", "Errored, Not Charged", "Aborted, Not Charged", "Free"}


@pytest.fixture(scope="module")
def team():
    """A small team's server (20 members, 10 days) and every event of its 10 days."""
    with shared_server() as server:
        start, end = window(10)
        yield server, all_events(client(server), {"startDate": start, "endDate": end})


def test_daily_request_counts_and_is_active_match_each_members_events_per_utc_day(team):
    server, _ = team
    http = client(server)
    start, end = window(10)
    rows = http.post("/teams/daily-usage-data", json={"startDate": start, "endDate": end, "page": 1, "pageSize": 100})
    rows = rows.json()["data"]
    by_user = defaultdict(list)
    for row in rows:
        by_user[row["userId"]].append(row)
    checked_usage_based = 0
    for user_id, user_rows in by_user.items():
        events = all_events(http, {"startDate": start, "endDate": end, "userId": user_id})
        per_day = defaultdict(Counter)
        for event in events:
            per_day[utc_day(event["timestamp"]).isoformat()][event["kind"]] += 1
        for row in user_rows:
            kinds = per_day.get(row["day"], Counter())
            assert row["usageBasedReqs"] == kinds["Usage-based"], (user_id, row["day"])
            assert row["subscriptionIncludedReqs"] == kinds["Included in Business"], (user_id, row["day"])
            assert row["isActive"] is (sum(kinds.values()) > 0), (user_id, row["day"])
            checked_usage_based += row["usageBasedReqs"]
        assert set(per_day) <= {row["day"] for row in user_rows}
    assert checked_usage_based > 0


def test_spend_of_the_cycle_is_the_sum_of_each_members_charged_cents(team):
    server, _ = team
    http = client(server)
    spend = http.post("/teams/spend", json={"pageSize": 1000}).json()
    _, end = window(1)
    events = all_events(http, {"startDate": spend["subscriptionCycleStart"], "endDate": end})
    on_demand, overall = defaultdict(float), defaultdict(float)
    for event in events:
        email = event.get("userEmail")
        overall[email] += event["chargedCents"]
        if event["kind"] == "Usage-based":
            on_demand[email] += event["chargedCents"]
    assert any(row["spendCents"] > 0 for row in spend["teamMemberSpend"])
    for row in spend["teamMemberSpend"]:
        assert row["spendCents"] == pytest.approx(on_demand[row["email"]], abs=1e-6), row["email"]
        assert row["overallSpendCents"] == pytest.approx(overall[row["email"]], abs=1e-6), row["email"]
        assert row["overallSpendCents"] >= row["spendCents"]


def test_removed_members_are_not_listed_and_their_events_carry_no_email(team):
    server, _ = team
    http = client(server)
    removed = [m for m in server.simulator.team().members if m.removed is not None]
    assert removed
    listed = {m["email"] for m in http.get("/teams/members").json()["teamMembers"]}
    assert not listed & {m.email for m in removed}
    start, end = window(10)
    seen = 0
    for member in removed:
        events = all_events(http, {"startDate": start, "endDate": end, "userId": member.numeric_id})
        assert all("userEmail" not in e for e in events)
        seen += len(events)
    assert seen > 0


def test_one_user_can_have_several_events_in_the_same_millisecond(team):
    _, events = team
    stamps = Counter((e.get("userEmail"), e["timestamp"]) for e in events if "userEmail" in e)
    assert max(stamps.values()) >= 2


def test_charged_cents_follow_the_discount_and_token_fee_rule(team):
    _, events = team
    checked = 0
    for event in events:
        if event["kind"] not in ("Usage-based", "Included in Business"):
            continue
        usage = event["tokenUsage"]
        discount = usage.get("discountPercentOff", 0)
        expected = round(usage["totalCents"] * (1 - discount / 100) + event.get("cursorTokenFee", 0), 6)
        assert event["chargedCents"] == pytest.approx(expected, abs=1e-9), event
        checked += 1
    assert checked > 100


def test_token_fee_is_charged_on_third_party_models_only(team):
    _, events = team
    third_party = first_party = 0
    for event in events:
        if event["kind"] not in ("Usage-based", "Included in Business"):
            continue
        if event["model"] in FIRST_PARTY:
            assert "cursorTokenFee" not in event, event
            first_party += 1
        else:
            usage = event["tokenUsage"]
            tokens = sum(usage[k] for k in ("inputTokens", "outputTokens", "cacheWriteTokens", "cacheReadTokens"))
            assert event["cursorTokenFee"] == pytest.approx(round(tokens * 0.000025, 6), abs=1e-9), event
            third_party += 1
    assert third_party > 0 and first_party > 0


def test_errored_events_charge_nothing_and_only_usage_based_events_are_chargeable(team):
    _, events = team
    assert {e["kind"] for e in events} == KINDS
    for event in events:
        assert event["isChargeable"] is (event["kind"] == "Usage-based")
        if event["kind"] == "Errored, Not Charged":
            assert event["chargedCents"] == 0


def test_owners_members_and_unpaid_admins_all_appear(team):
    server, _ = team
    roles = {m["role"] for m in client(server).get("/teams/members").json()["teamMembers"]}
    assert {"owner", "member", "free-owner"} <= roles


def test_service_account_events_name_their_service_account(team):
    _, events = team
    service = [e for e in events if "serviceAccountId" in e]
    assert service
    for event in service:
        assert event["serviceAccountId"].startswith("sa_")
        assert event["serviceAccountName"]
        assert event["isHeadless"] is True
    assert all("serviceAccountName" not in e for e in events if "serviceAccountId" not in e)
