"""The ground truth of cost per commit and per repository (``simulator.team().ai_code.costs()`` and
``GET /_simulator/ai-code/costs``): exact, it accounts for every cent of usage per team-month, it is what the
documented rule gives when restated from what the API serves over HTTP, and the planted stories show in it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import httpx
import pytest

from cursor_simulator import Scenario
from tests.conftest import END_DATE
from tests.simulator import all_events, all_items, client, commit_details, shared_server, utc_day, window

DAYS = 40  # two calendar months
FIRST = END_DATE - timedelta(days=DAYS - 1)
MIGRATION_DAYS = [END_DATE - timedelta(days=d) for d in (12, 11, 10)]
SCENARIOS = (Scenario("migration", repo=1, day=12), Scenario("no_commits", 5))


@pytest.fixture(scope="module")
def server():
    with shared_server(members=30, days=DAYS, scenarios=SCENARIOS) as running:
        yield running


def _served_truth(server, **params) -> dict:
    """The control route's ground truth of the (only) team; computing it takes a while on a busy machine."""
    return httpx.get(server.base_url + "/_simulator/ai-code/costs", params=params, timeout=120).json()["teams"][0]


def _month_sums(costs, month: str) -> tuple[Fraction, Fraction]:
    rows = [c for (m, _), c in costs.repositories.items() if m == month]
    unattributed = costs.unattributed.get(month)
    usage = sum((c.total.usage for c in rows), Fraction(0)) + (unattributed.usage if unattributed else 0)
    billed = sum((c.total.billed for c in rows), Fraction(0)) + (unattributed.billed if unattributed else 0)
    return usage, billed


@pytest.mark.parametrize("linked", [True, False], ids=["linked", "commit-details-off"])
def test_repositories_and_unattributed_add_up_to_each_months_usage_exactly(server, linked):
    costs = server.simulator.team().ai_code.costs(linked=linked)
    assert sorted(costs.usage) == ["2026-10", "2026-11"]
    for month, usage in costs.usage.items():
        assert _month_sums(costs, month) == (usage.usage, usage.billed), month
        assert 0 < usage.billed < usage.usage
    linked_total = sum((c.linked.usage for c in costs.repositories.values()), Fraction(0))
    assert (linked_total > 0) is linked
    per_commit = sum((c.total.usage for c in costs.commits.values()), Fraction(0))
    assert per_commit == sum((c.total.usage for c in costs.repositories.values()), Fraction(0))


def test_without_commit_details_nothing_is_linked_and_every_total_is_unchanged(server):
    team = server.simulator.team().ai_code
    linked, allocated_only = team.costs(), team.costs(linked=False)
    assert linked.usage == allocated_only.usage
    assert all(c.linked.usage == c.linked.billed == 0 for c in allocated_only.commits.values())
    body = _served_truth(server, linked="false")
    assert body["linked"] is False and {r["linkedCostUsd"] for r in body["repositories"]} == {"0.000000000000"}


def _value(event: dict) -> Fraction:
    return Fraction(Decimal(repr(event["chargedCents"]))) / 100


def _restated(http: httpx.Client, attribution_days: int = 7) -> dict[str, Fraction]:
    """Usage value per commit hash by the documented rule, from the events, commits and commit details served."""
    events, rows = [], []
    for last in (END_DATE - timedelta(days=DAYS // 2), END_DATE):  # two windows of 20 days (at most 30 a request)
        start, end = window(DAYS // 2, last)
        events += all_events(http, {"startDate": start, "endDate": end})
        dates = {"startDate": utc_day(start).isoformat(), "endDate": last.isoformat()}
        rows += all_items(http, "/analytics/ai-code/commits", dates)
    commits = {}
    for row in sorted(rows, key=lambda r: r["createdAt"]):  # an amended commit: its first row counts
        commits.setdefault(row["commitHash"], row)
    details, _ = commit_details(http, sorted(commits))
    lines = defaultdict(lambda: defaultdict(int))  # conversation -> hash -> lines
    for detail in details:
        for group in (g for a in detail["rangeAnnotations"] for g in a["groups"] if g["conversationId"]):
            written = sum(r["end"] - r["start"] + 1 for r in group["ranges"])
            lines[group["conversationId"]][detail["commitHash"]] += written
    by_author_day = defaultdict(list)
    for row in commits.values():
        by_author_day[(row["userEmail"], (row["commitTs"] or row["createdAt"])[:10])].append(row)
    cost = defaultdict(Fraction)
    for event in events:
        written = lines.get(event.get("conversationId"))
        if written:
            for hash_text, n in written.items():
                cost[hash_text] += _value(event) * Fraction(n, sum(written.values()))
            continue
        day = utc_day(event["timestamp"])
        for k in range(attribution_days + 1):
            made = by_author_day.get((event.get("userEmail"), (day + timedelta(days=k)).isoformat()))
            if made:
                weights = [r["tabLinesAdded"] + r["composerLinesAdded"] for r in made]
                weights = weights if sum(weights) else [1] * len(made)
                for row, weight in zip(made, weights, strict=True):
                    cost[row["commitHash"]] += _value(event) * Fraction(weight, sum(weights))
                break
    return cost


def test_the_rule_restated_from_what_the_api_serves_gives_each_commits_cost_exactly(server):
    costs = server.simulator.team().ai_code.costs()
    restated = _restated(client(server))
    assert len(restated) > 300
    assert {h: c.total.usage for h, c in costs.commits.items() if c.total.usage} == {
        h: v for h, v in restated.items() if v
    }


def test_the_control_route_serves_the_python_ground_truth(server):
    costs = server.simulator.team().ai_code.costs(attribution_days=3)
    team = _served_truth(server, attributionDays=3)
    assert team["linked"] is True and team["attributionDays"] == 3
    assert len(team["commits"]) == len(costs.commits)
    for row in team["commits"]:
        expected = costs.commits[row["commitHash"]]
        assert abs(
            Decimal(row["costUsd"]) - Decimal(expected.total.usage.numerator) / expected.total.usage.denominator
        ) < Decimal("1e-12")
    months = {(r["month"], r["repoName"]) for r in team["repositories"]}
    assert months == set(costs.repositories) and "(no repository)" in {repo for _, repo in months}


def test_a_migration_makes_its_repositorys_cost_jump_on_its_days(server):
    usage = server.simulator.team()
    planted = usage.planted[0]
    assert planted.kind == "migration" and list(planted.days) == MIGRATION_DAYS and len(planted.members) == 3
    costs = usage.ai_code.costs()
    daily = defaultdict(Fraction)
    for commit in usage.ai_code.commits(FIRST, END_DATE):
        if commit.repo == planted.repo:
            daily[date.fromtimestamp(commit.ts / 1000)] += costs.commits[commit.hash].linked.usage
    during = sum(daily[d] for d in MIGRATION_DAYS) / len(MIGRATION_DAYS)
    before = sum(v for d, v in daily.items() if d < MIGRATION_DAYS[0]) / (DAYS - 13)
    assert during > 4 * before
    for commit in usage.ai_code.commits(MIGRATION_DAYS[0], MIGRATION_DAYS[-1]):
        if commit.member.index in planted.members:
            assert commit.repo == planted.repo


def test_a_no_commits_member_spends_heavily_and_none_of_it_reaches_a_commit(server):
    usage = server.simulator.team()
    planted = usage.planted[1]
    assert planted.kind == "no_commits"
    assert not [c for c in usage.ai_code.commits(FIRST, END_DATE) if c.member.index == planted.member_index]
    spent = defaultdict(Fraction)
    for member, event in usage.events_in(*window(DAYS)):
        spent[member.index] += _value(event)
    others = sorted(v for index, v in spent.items() if index != planted.member_index)
    assert spent[planted.member_index] > others[len(others) // 2]
    accepted = sum(
        code.agent["green_accepted"]
        for d in range(DAYS)
        if (code := usage.ai_code.activity.day(FIRST + timedelta(days=d)).get(planted.member_index))
    )
    assert accepted > 0
