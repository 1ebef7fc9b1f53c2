"""Generated data is deterministic, served fast and never held in memory as a whole."""

from __future__ import annotations

import hashlib
import statistics
import time
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import orjson

from cursor_simulator import Scenario, SimulatorOptions, TeamSpec, day_cache
from cursor_simulator.analytics import summaries as summaries_module
from tests.conftest import API_KEY, END_DATE
from tests.simulator import DAY_MS, all_events, all_items, client, day_ms, window

NO_LIMITS = SimulatorOptions(rate_limits=False)
# sha256 of the members, daily usage, spend and groups responses and of the events' money fields for a team without
# scenarios, as served before scenarios, activity and per-day spend existed (commit fd9b209; the same at 97b6157,
# before cloud-agent, automation and CLI conversations and the AI code routes): other tests and benchmarks pin
# figures of such teams. Events gained fields since (cloudAgentId, automationId, isHeadless) and the audit log
# gained event types; what a request costs, when and for whom, never changed.
STEADY_TEAM_SHA256 = "d5ae9fcc6c9f4a7d9c4a62abbe7ed804dc5b7c3b75ccb328ca535727ded65d85"
MONEY_FIELDS = (
    "timestamp", "userEmail", "model", "kind", "maxMode", "requestsCosts", "tokenUsage", "chargedCents",
    "cursorTokenFee", "serviceAccountId",
)  # fmt: skip


def _responses(server) -> list[bytes]:
    http = client(server)
    start, end = window(5)
    dates = {"startDate": start, "endDate": end}
    return [
        http.get("/teams/members").content,
        http.post("/teams/daily-usage-data", json=dates | {"page": 1, "pageSize": 100}).content,
        http.post("/teams/spend", json={}).content,
        http.post("/teams/filtered-usage-events", json=dates | {"pageSize": 1000}).content,
        http.get("/teams/audit-logs", params={"startTime": "5d"}).content,
        http.get("/teams/groups").content,
    ]


def test_the_same_team_spec_serves_byte_identical_responses(make_simulator):
    spec = TeamSpec(api_key=API_KEY, members=12, days=6, end_date=END_DATE, seed=11)
    first = _responses(make_simulator(options=NO_LIMITS, teams=[spec]))
    second = _responses(make_simulator(options=NO_LIMITS, teams=[spec]))
    assert first == second


def test_a_team_without_scenarios_serves_the_money_it_served_before_scenarios_existed(make_simulator):
    spec = TeamSpec(api_key=API_KEY, members=12, days=35, end_date=END_DATE, seed=11, cycle_day=5)
    server = make_simulator(options=NO_LIMITS, teams=[spec])
    server.simulator.set_late_change(True)
    http = client(server)
    start, end = window(5)
    dates = {"startDate": start, "endDate": end}
    members, daily, spend, events, _, groups = _responses(server)
    money = [{k: e[k] for k in MONEY_FIELDS if k in e} for e in all_events(http, dates)]
    served = b"".join((members, daily, spend, groups, orjson.dumps(money)))
    assert hashlib.sha256(served).hexdigest() == STEADY_TEAM_SHA256


def test_the_same_scenarios_serve_byte_identical_responses(make_simulator):
    planted = (
        Scenario("spike", 3, 1, factor=4.0),
        Scenario("ramp", 4, amount_dollars=60.0),
        Scenario("exhaust_included", 5, 2),
        Scenario("group_move", 6, 3),
    )
    spec = TeamSpec(api_key=API_KEY, members=12, days=6, end_date=END_DATE, seed=11, scenarios=planted)
    first = _responses(make_simulator(options=NO_LIMITS, teams=[spec]))
    second = _responses(make_simulator(options=NO_LIMITS, teams=[spec]))
    steady = _responses(make_simulator(options=NO_LIMITS, teams=[replace(spec, scenarios=())]))
    assert first == second
    assert [a != b for a, b in zip(first, steady, strict=True)] == [False, True, True, True, False, True]


def test_a_different_seed_serves_different_data(make_simulator):
    one = _responses(make_simulator(options=NO_LIMITS, members=12, days=6, seed=11))
    other = _responses(make_simulator(options=NO_LIMITS, members=12, days=6, seed=12))
    assert all(a != b for a, b in zip(one, other, strict=True))


def test_a_page_of_1000_events_is_served_in_well_under_50_ms(make_simulator):
    http = client(make_simulator(options=NO_LIMITS, members=20, days=10))
    start, end = window(10)
    body = {"startDate": start, "endDate": end, "pageSize": 1000, "page": 1}
    assert len(http.post("/teams/filtered-usage-events", json=body).json()["usageEvents"]) == 1000  # warm up
    timings = []
    for _ in range(7):
        began = time.perf_counter()
        response = http.post("/teams/filtered-usage-events", json=body)
        timings.append(time.perf_counter() - began)
        assert response.status_code == 200
    assert statistics.median(timings) < 0.050


def test_walking_500_members_over_90_days_keeps_only_a_few_days_in_memory(make_simulator, monkeypatch):
    monkeypatch.setattr(day_cache, "MAX_EVENTS", 1_000)  # a few of this team's days: a big team's share of the budget
    server = make_simulator(options=NO_LIMITS, members=500, days=90, events_per_active_day=1.0)
    http = client(server)
    rows = 0
    for k in range(3):
        first = END_DATE - timedelta(days=30 * k + 29)
        start = day_ms(first)
        body = {"startDate": start, "endDate": start + 30 * DAY_MS - 1, "page": 1, "pageSize": 1000}
        response = http.post("/teams/daily-usage-data", json=body)
        assert response.status_code == 200
        rows += len(response.json()["data"])
    assert rows > 500 * 60
    cached = server.simulator.team()._days
    assert day_cache.MIN_DAYS <= len(cached) < 90
    assert cached.events <= 1_000 or len(cached) == day_cache.MIN_DAYS


def _ai_code_responses(server) -> list[bytes]:
    http = client(server)
    commits = http.get("/analytics/ai-code/commits", params={"pageSize": 20})
    hashes = ",".join(item["commitHash"] for item in commits.json()["items"])
    paths = ["/analytics/ai-code/changes", f"/analytics/ai-code/commits/{hashes}", "/analytics/team/dau"]
    paths += ["/analytics/team/models", "/analytics/team/bugbot-reviews", "/analytics/by-user/tabs"]
    return [commits.content] + [http.get(path).content for path in paths]


def test_the_same_team_spec_serves_byte_identical_ai_code_and_analytics(make_simulator):
    spec = TeamSpec(api_key=API_KEY, members=12, days=6, end_date=END_DATE, seed=11)
    first = _ai_code_responses(make_simulator(options=NO_LIMITS, teams=[spec]))
    assert first == _ai_code_responses(make_simulator(options=NO_LIMITS, teams=[spec]))
    other = _ai_code_responses(make_simulator(options=NO_LIMITS, seed=12, members=12, days=6))
    assert all(a != b for a, b in zip(first, other, strict=True))


def test_walking_90_days_of_commits_keeps_only_a_few_days_in_memory(make_simulator, monkeypatch):
    monkeypatch.setattr(day_cache, "MAX_EVENTS", 1_000)
    server = make_simulator(options=NO_LIMITS, members=120, days=90, events_per_active_day=2.0)
    http = client(server)
    hashes = set()
    for k in range(3):
        last = END_DATE - timedelta(days=30 * k)
        dates = {"startDate": (last - timedelta(days=29)).isoformat(), "endDate": last.isoformat()}
        hashes |= {item["commitHash"] for item in all_items(http, "/analytics/ai-code/commits", dates)}
    usage = server.simulator.team()
    assert len(hashes) > 120 * 30
    for kept in (usage.ai_code.activity._days, usage._days):
        assert 0 < len(kept) < 90 and (kept.events <= 1_000 or len(kept) == day_cache.MIN_DAYS)
    assert 0 < len(usage.ai_code.routes.summaries._days) <= summaries_module._CACHE_DAYS < 90


def test_reading_a_cycles_groups_again_generates_no_day_again(make_simulator, monkeypatch):
    monkeypatch.setattr(day_cache, "MAX_EVENTS", 1)  # only the few most recent days are kept, as for a big team
    server = make_simulator(options=NO_LIMITS, members=20, days=40)
    usage = server.simulator.team()
    generated: Counter = Counter()
    generate = usage._generate_day
    monkeypatch.setattr(usage, "_generate_day", lambda day: generated.update([day]) or generate(day))
    http = client(server)
    cycle = {"billingCycle": (END_DATE - timedelta(days=25)).isoformat()}
    answers = [http.get("/teams/groups", params=cycle).json() for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    assert len(generated) > day_cache.MIN_DAYS and max(generated.values()) == 1
