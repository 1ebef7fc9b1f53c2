"""Scenarios are read from ``--scenario`` text and refused, in one line, when they do not fit the team."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cursor_simulator import Scenario, TeamSpec
from cursor_simulator.usage import TeamUsage
from tests.conftest import API_KEY, END_DATE


@pytest.mark.parametrize(
    ("text", "scenario"),
    [
        ("spike:3:2026-11-12", Scenario("spike", 3, date(2026, 11, 12))),
        ("spike:ana.kim4@acme.io:2:8", Scenario("spike", "ana.kim4@acme.io", 2, factor=8.0)),
        ("ramp:5:150", Scenario("ramp", 5, amount_dollars=150.0)),
        ("ramp:5:150.5:2026-10-15", Scenario("ramp", 5, date(2026, 10, 15), amount_dollars=150.5)),
        ("exhaust_included:7:2026-11-16", Scenario("exhaust_included", 7, date(2026, 11, 16))),
        ("group_move:2:0", Scenario("group_move", 2, 0)),
        ("group_move:2:2026-11-10:Data Science", Scenario("group_move", 2, date(2026, 11, 10), group="Data Science")),
        ("migration:acme/ledger:2026-11-15", Scenario("migration", repo="acme/ledger", day=date(2026, 11, 15))),
        ("migration:0:4:2", Scenario("migration", repo=0, day=4, length=2)),
        ("no_commits:5", Scenario("no_commits", 5, factor=3.0)),
        ("no_commits:ana.kim4@acme.io:2.5", Scenario("no_commits", "ana.kim4@acme.io", factor=2.5)),
    ],
)
def test_scenario_text_reads_as_the_scenario(text, scenario):
    assert Scenario.parse(text) == scenario


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("earthquake:3:1", "unknown scenario 'earthquake'"),
        ("spike", "needs a user"),
        ("spike:3", "needs a day"),
        ("spike:3:2026-13-01", "expected spike:USER:DAY"),
        ("spike:3:1:1", "factor must be more than 1"),
        ("ramp:3", "positive amount"),
        ("exhaust_included:3:1:9", "too many parts"),
        ("migration", "needs a repository"),
        ("migration:0", "needs a day"),
        ("migration:0:1:0", "lasts 1 day or more"),
        ("no_commits:3:0.5", "factor must be 1 or more"),
    ],
)
def test_unreadable_scenario_text_is_refused_with_the_expected_form(text, message):
    with pytest.raises(ValueError, match=message):
        Scenario.parse(text)


def _team(*scenarios: Scenario, **spec) -> TeamUsage:
    return TeamUsage(TeamSpec(api_key=API_KEY, end_date=END_DATE, members=20, days=30, scenarios=scenarios, **spec))


@pytest.mark.parametrize(
    ("scenarios", "message"),
    [
        ((Scenario("spike", 99, 1),), "no member 99"),
        ((Scenario("spike", "nobody@acme.io", 1),), "no member 'nobody@acme.io'"),
        ((Scenario("spike", 0, date(2026, 1, 1)),), "outside the simulated days"),
        ((Scenario("ramp", 20, amount_dollars=50),), "is a service account"),
        ((Scenario("spike", 0, 1), Scenario("exhaust_included", 0, 2)), "one usage scenario per member"),
        ((Scenario("group_move", 0, 1, group="Finance"),), "to one of Engineering"),
        ((Scenario("migration", repo=9, day=2),), "no repository 9; the team has 4"),
        ((Scenario("migration", repo="acme/x", day=1, length=3),), "after the end date"),
        ((Scenario("no_commits", 20),), "is a service account"),
    ],
)
def test_a_scenario_that_does_not_fit_the_team_is_refused(scenarios, message):
    with pytest.raises(ValueError, match=message):
        _team(*scenarios)


def test_a_scenario_for_a_member_who_has_left_is_refused():
    usage = _team()
    leaver = next(m for m in usage.humans if m.removed is not None and m.removed > usage.spec.start_date)
    with pytest.raises(ValueError, match="not a member who can use Cursor"):
        _team(Scenario("spike", leaver.index, usage.spec.end_date))


def test_scenarios_given_as_a_list_keep_the_spec_hashable():
    spec = TeamSpec(api_key=API_KEY, scenarios=[Scenario("spike", 1, 1)])
    assert spec.scenarios == (Scenario("spike", 1, 1),) and hash(spec)


def test_a_negative_activity_is_refused():
    with pytest.raises(ValueError, match="activity must be 0 or more"):
        TeamSpec(api_key=API_KEY, activity=-0.5)


def test_a_migration_takes_the_most_active_members_free_of_other_usage_scenarios():
    steady = _team()
    busiest = max((m for m in steady.humans if m.role in ("member", "owner")), key=lambda m: m.p_active)
    usage = _team(Scenario("migration", repo="acme/ledger", day=5), Scenario("spike", busiest.index, 1))
    migration = usage.planted[0]
    assert busiest.index not in migration.members and len(migration.members) == 3
    assert migration.repo == "acme/ledger" and "acme/ledger" in usage.ai_code.activity.repos
    assert migration.days == tuple(END_DATE - timedelta(days=d) for d in (5, 4, 3))
