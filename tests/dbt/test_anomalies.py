"""Anomalies worth a message: over 90 scored days of a steady simulated team, the anomalies flagged on days nobody
planted stay under 1 % of the active user-days (the figure is printed), and every planted spike of 5 x or more that
stands above the dollar floor is caught, on its day."""

from __future__ import annotations

import statistics
from datetime import timedelta
from decimal import Decimal

import pytest

from cursor_simulator import Scenario, TeamSpec
from cursor_simulator.usage import TeamUsage
from cursor_spend.config import load_settings
from cursor_spend.transform import BUILD, run_dbt
from tests.conftest import API_KEY, END_DATE
from tests.truth import member_days, query

from .raw_fixture import build_raw_warehouse

SPEC = {"members": 40, "days": 118, "end_date": END_DATE}  # 28 days of baseline, then 90 scored days
FLOOR = Decimal(25)  # var anomaly_min_spend_usd
SPIKE_DAYS = [END_DATE - timedelta(days=n) for n in (80, 61, 45, 30, 12)]  # none in the last 2 (provisional) days


def _spikes(steady: TeamUsage) -> tuple[Scenario, ...]:
    """A 5 x (or more) spike for five regular members, each large enough to stand $5 above the floor."""
    start = steady.spec.start_date
    regulars = sorted(
        (m for m in steady.current_members() if m.joined < start and m.role == "member"), key=lambda m: -m.p_active
    )
    scenarios = []
    for member, day in zip(regulars, SPIKE_DAYS, strict=False):
        days = member_days(steady, member.index, start, END_DATE)
        typical = Decimal(statistics.median(row.overall_cents for d, row in days.items() if d != day)) / 100
        factor = max(5.0, float((FLOOR + 5) / typical) + 1)
        scenarios.append(Scenario("spike", member.index, day, factor=factor))
    return tuple(scenarios)


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    steady = TeamUsage(TeamSpec(api_key=API_KEY, **SPEC))
    usage = TeamUsage(TeamSpec(api_key=API_KEY, scenarios=_spikes(steady), **SPEC))
    warehouse = tmp_path_factory.mktemp("anomalies") / "cursor_spend.duckdb"
    build_raw_warehouse(warehouse, usage, "acme")
    settings = load_settings(env={"CURSOR_SPEND_DUCKDB": str(warehouse)})
    # the anomaly mart, what it reads and their tests: the rule, not the whole build (test_transform builds it all)
    result = run_dbt(settings, *BUILD, "--select", "+rpt_cursor_spend_anomalies", "--indirect-selection", "cautious")
    assert not result.failed, result.line
    rows = query(
        settings.warehouse,
        "select user_email, usage_date, is_anomaly, compared_with from marts.rpt_cursor_spend_anomalies",
    )
    return usage, rows


def test_noise_stays_under_one_percent_of_active_user_days(scored):
    usage, rows = scored
    planted = {(usage.members[p.member_index].email, p.day) for p in usage.planted}
    days = {day for _, day, _, _ in rows}
    assert min(days) > END_DATE - timedelta(days=90) and len(days) == 90  # the 90 scored days
    unplanted = [row for row in rows if (row[0], row[1]) not in planted]
    noise = sum(1 for row in unplanted if row[2])
    share = noise / len(unplanted)
    print(f"\nanomaly noise: {noise} of {len(unplanted)} active user-days ({share:.2%}) over 90 days")
    assert len(unplanted) > 1000 and share < 0.01


def test_every_planted_spike_above_the_floor_is_caught(scored):
    usage, rows = scored
    flagged = {(email, day): compared for email, day, is_anomaly, compared in rows if is_anomaly}
    assert len(usage.planted) == len(SPIKE_DAYS)
    for spike in usage.planted:
        assert spike.factor >= 5 and spike.day in SPIKE_DAYS
        email = usage.members[spike.member_index].email
        assert (email, spike.day) in flagged, (email, spike.day, spike.factor)
