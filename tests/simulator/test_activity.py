"""``TeamSpec(activity=...)`` scales how often members are active (0.0 is an idle team); weekends stay quiet."""

from __future__ import annotations

from datetime import date

from cursor_simulator import SimulatorOptions
from tests.simulator import DAY_MS, client, window

NO_LIMITS = SimulatorOptions(rate_limits=False)


def _daily_rows(http, days: int) -> list[dict]:
    start, end = window(days)
    body = {"startDate": start, "endDate": end, "page": 1, "pageSize": 1000}
    return http.post("/teams/daily-usage-data", json=body).json()["data"]


def test_an_idle_team_has_members_and_daily_rows_but_no_usage_events_in_any_window(make_simulator):
    http = client(make_simulator(options=NO_LIMITS, members=15, days=12, activity=0.0))
    start, end = window(12)
    windows = [(start, end)] + [(day, day + DAY_MS - 1) for day in range(start, end, DAY_MS)]
    for first, last in windows:
        body = {"startDate": first, "endDate": last, "pageSize": 1000}
        events = http.post("/teams/filtered-usage-events", json=body).json()
        assert events["totalUsageEventsCount"] == 0 and events["usageEvents"] == []
    assert len(http.get("/teams/members").json()["teamMembers"]) >= 10
    rows = _daily_rows(http, 12)
    assert len(rows) >= 10 * 12
    assert not any(row["isActive"] or row["usageBasedReqs"] or row["subscriptionIncludedReqs"] for row in rows)
    spend = http.post("/teams/spend", json={"pageSize": 100}).json()["teamMemberSpend"]
    assert spend and all(row["spendCents"] == 0 and row["overallSpendCents"] == 0 for row in spend)


def test_a_lower_activity_makes_fewer_active_member_days_from_the_same_members(make_simulator):
    usual = _daily_rows(client(make_simulator(options=NO_LIMITS, members=30, days=14)), 14)
    quieter = _daily_rows(client(make_simulator(options=NO_LIMITS, members=30, days=14, activity=0.4)), 14)
    active_usual = {(r["userId"], r["day"]) for r in usual if r["isActive"]}
    active_quieter = {(r["userId"], r["day"]) for r in quieter if r["isActive"]}
    assert {(r["userId"], r["day"]) for r in quieter} == {(r["userId"], r["day"]) for r in usual}
    assert active_quieter < active_usual
    assert len(active_quieter) < 0.6 * len(active_usual)


def test_people_are_active_far_less_often_on_weekends(make_simulator):
    """Forecasts weigh weekdays and weekends: the simulated people are active a quarter as often on weekends."""
    rows = _daily_rows(client(make_simulator(options=NO_LIMITS, members=40, days=28)), 28)
    share = {}
    for weekend in (False, True):
        days = [r for r in rows if (date.fromisoformat(r["day"]).weekday() >= 5) is weekend]
        share[weekend] = sum(r["isActive"] for r in days) / len(days)
    assert share[True] < 0.4 * share[False]
