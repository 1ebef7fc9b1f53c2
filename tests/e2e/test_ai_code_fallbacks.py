"""What the spend bought when Cursor gives less, end to end over HTTP: without the limited-alpha commit-detail route
every cost is allocated or unattributed and the totals do not change (loaded as a backfill and a rerun over
overlapping windows, which change nothing); on a Business plan every new route is skipped with one warning and the
spend marts are what they always were."""

from __future__ import annotations

import io
import logging
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from rich.console import Console

from cursor_simulator import Simulator, SimulatorOptions, TeamSpec, serve
from cursor_simulator.cycles import DAY_MS, day_start_ms
from cursor_spend.config import load_settings
from cursor_spend.load import load
from cursor_spend.report import build_report
from cursor_spend.summary import print_summary, summarize
from cursor_spend.transform import transform
from tests.conftest import API_KEY, END_DATE
from tests.truth import expected_seat_costs, expected_usage_costs, mart_seat_costs, mart_usage_costs, query

DAYS = 40
FIRST = END_DATE - timedelta(days=DAYS - 1)
TOLERANCE = Fraction(1, 10**9)
USAGE_BY_MONTH = (
    "select cast(date_trunc('month', usage_date) as date), sum(list_cost_usd), sum(billed_cost_usd) "
    "from marts.fct_cursor_costs_daily where charge_type != 'seat' group by 1"
)
REPOSITORIES_BY_MONTH = (
    "select usage_month, sum(cost_usd), sum(billed_cost_usd) from marts.rpt_cursor_repo_costs_monthly "
    "where team = 'acme' group by 1"
)


def _settings(server, folder):
    return load_settings(
        env={
            "CURSOR_API_KEY": API_KEY,
            "CURSOR_TEAM": "acme",
            "CURSOR_API_BASE_URL": server.base_url,
            "CURSOR_SPEND_DUCKDB": str(folder / "cursor_spend.duckdb"),
        }  # fmt: skip
    )


@pytest.fixture(scope="module")
def allocated_only(tmp_path_factory):
    """A team without the commit-detail route, loaded as the later days, a backfill of the earlier ones and a rerun
    over both, then transformed; (usage, warehouse)."""
    spec = TeamSpec(api_key=API_KEY, seed=3, members=8, days=DAYS, end_date=END_DATE)
    options = SimulatorOptions(rate_limits=False, commit_details=False)
    with serve(Simulator([spec], options)) as server:
        settings = _settings(server, tmp_path_factory.mktemp("allocated_only"))
        middle = END_DATE - timedelta(days=DAYS // 2)
        load(settings, middle + timedelta(days=1), END_DATE)
        load(settings, FIRST, middle)  # a backfill
        load(settings, middle - timedelta(days=5), END_DATE - timedelta(days=10))  # a rerun of loaded days
        result = transform(settings)
        assert not result.failed and result.statuses["warn"] == 0, result.line
        yield server.simulator.team(), settings.warehouse


def test_without_commit_details_every_cost_is_allocated_or_unattributed_as_the_simulator_says(allocated_only):
    usage, warehouse = allocated_only
    truth = usage.ai_code.costs(linked=False)
    rows = query(warehouse, "select commit_hash, linked_cost_usd, allocated_cost_usd, allocated_billed_cost_usd "
                            "from marts.rpt_cursor_commit_costs")  # fmt: skip
    assert {h for h, *_ in rows} == set(truth.commits)
    for hash_text, linked, allocated, billed in rows:
        costs = truth.commits[hash_text]
        assert linked == 0
        assert abs(Fraction(allocated) - costs.allocated.usage) <= TOLERANCE, hash_text
        assert abs(Fraction(billed) - costs.allocated.billed) <= TOLERANCE, hash_text
    assert sum(allocated for _, _, allocated, _ in rows) > 0


def test_without_commit_details_the_totals_are_unchanged(allocated_only):
    usage, warehouse = allocated_only
    with_details = usage.ai_code.costs(linked=True).usage
    fact = {f"{month:%Y-%m}": (a, b) for month, a, b in query(warehouse, USAGE_BY_MONTH)}
    repositories = {f"{month:%Y-%m}": (a, b) for month, a, b in query(warehouse, REPOSITORIES_BY_MONTH)}
    assert repositories == fact  # exactly
    assert {month: (Fraction(a), Fraction(b)) for month, (a, b) in fact.items()} == {
        month: (amounts.usage, amounts.billed) for month, amounts in with_details.items()
    }


def test_a_backfill_and_a_rerun_leave_one_row_per_listing_and_range(allocated_only):
    usage, warehouse = allocated_only
    commits = usage.ai_code.commits(FIRST, END_DATE)
    listings = len(commits) + sum(1 for c in commits if c.amended_ms and c.amended_ms < day_start_ms(END_DATE) + DAY_MS)
    assert query(warehouse, "select count(*), count(distinct commit_hash) from cursor_raw.ai_commits") == [
        (listings, len(commits))
    ]
    days = query(warehouse, "select count(*), count(distinct day) from cursor_raw.analytics_dau")
    assert days == [(DAYS, DAYS)]


def test_a_business_plan_skips_every_new_route_with_one_warning_and_keeps_the_spend_marts(tmp_path, caplog):
    spec = TeamSpec(api_key=API_KEY, members=6, days=8, end_date=END_DATE, plan="business")
    with serve(Simulator([spec], SimulatorOptions(rate_limits=False))) as server:
        settings = _settings(server, tmp_path)
        with caplog.at_level(logging.WARNING):
            load(settings, spec.start_date, END_DATE)
        usage = server.simulator.team()
    result = transform(settings)

    assert not result.failed and result.statuses["warn"] == 0, result.line
    skipped = Counter(r.getMessage().split("skipping ")[1].split(":")[0] for r in caplog.records
                      if "skipping /analytics" in r.getMessage())  # fmt: skip
    assert len(skipped) == 8 and set(skipped.values()) == {1}
    warehouse = settings.warehouse
    assert query(warehouse, "select count(*) from marts.fct_cursor_ai_commits") == [(0,)]
    repositories = query(warehouse, "select distinct repository, linked_cost_usd + allocated_cost_usd "
                                    "from marts.rpt_cursor_repo_costs_monthly")  # fmt: skip
    assert repositories == [("(unattributed)", Decimal(0))]  # all usage reached no commit
    assert dict((m, (a, b)) for m, a, b in query(warehouse, REPOSITORIES_BY_MONTH)) == dict(
        (m, (a, b)) for m, a, b in query(warehouse, USAGE_BY_MONTH)
    )
    assert query(warehouse, "select max(cursor_dau), min(paid_seats) from marts.rpt_cursor_adoption_daily") == [
        (0, query(warehouse, "select min(paid_seats) from marts.rpt_cursor_daily_spend")[0][0])
    ]
    assert mart_usage_costs(warehouse) == expected_usage_costs(usage, spec.start_date, END_DATE)
    assert mart_seat_costs(warehouse) == expected_seat_costs(usage, spec.start_date, END_DATE, Decimal(40))

    # The summary and the report say in one line that the plan has no AI code data, instead of empty charts.
    summary = summarize(settings)
    assert not summary.has_ai_code and not summary.top_repositories and not summary.seats_without_ai_commits
    console = Console(file=io.StringIO(), width=120)
    print_summary(summary, console)
    assert "What the spend bought: no AI code data" in console.file.getvalue()
    html = build_report(settings, summary)
    section = html[html.index(">What the spend bought<") : html.index(">Seat utilisation<")]
    assert "<svg" not in section and section.count("<p>") == 1 and "Enterprise plan only" in section
