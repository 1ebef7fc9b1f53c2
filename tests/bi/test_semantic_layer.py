"""The semantic layer (dbt_project/models/semantic: MetricFlow semantic models, metrics, saved queries) agrees with
the marts: `mf query` over a warehouse filled by the simulator, extract and transform, on DuckDB and on PostgreSQL,
gives each mart's figures (and the report's) to the cent. One warehouse per kind, shared by the module's tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.bi import warehouse
from tests.bi.compare import assert_equal_to_the_cent, keyed, same_to_the_cent
from tests.bi.metricflow import MetricFlow

pytestmark = pytest.mark.slow


MONTHLY_METRICS = (
    "seat_cost_usd,on_demand_cost_usd,total_cost_usd,included_value_usd,paid_seats,active_users,"
    "cost_per_active_user_usd,requests"
)
DAILY_METRICS = "seat_cost_usd,on_demand_cost_usd,included_value_usd,total_cost_usd,paid_seats"
TOKENS = "requests,request_units,input_tokens,output_tokens,cache_write_tokens,cache_read_tokens,total_tokens"
ACTIVITY = "active_member_days,accepted_lines_added,tabs_accepted,agent_requests"
REPOSITORY_COSTS = (
    "linked_cost_usd,allocated_cost_usd,unattributed_cost_usd,ai_code_cost_usd,ai_code_billed_cost_usd,"
    "cost_per_1000_ai_lines_usd"
)
ADOPTION = "ai_commits,ai_lines_committed,cursor_daily_active_users,paid_seats,active_member_days"
# name: (group by, metrics, and the saved query of that name when True); the test reads the columns in that order
QUERIES = {
    "month_to_date_spend": ("metric_time__month", MONTHLY_METRICS, True),
    "month_to_date_spend_by_team": ("metric_time__month,team", MONTHLY_METRICS, True),
    "daily_spend": ("metric_time__day", DAILY_METRICS, True),
    "daily_spend_by_team": ("metric_time__day,team", DAILY_METRICS, False),
    "top_users": ("metric_time__month,user", "usage_value_usd,included_value_usd,on_demand_cost_usd,requests", True),
    "top_models": ("metric_time__month,cost__model", "usage_value_usd,requests", True),
    "chargeback_by_billing_group": (
        "metric_time__month,team,cost__billing_group_id,cost__billing_group",
        "seat_cost_usd,on_demand_cost_usd,total_cost_usd,included_value_usd,requests",
        True,
    ),
    "idle_seats": ("team,user", "idle_seats,idle_seat_cost_usd,idle_seat_cost_month_to_date_usd", True),
    "budget_consumption": (
        "metric_time__month,budget_period__budget_name,budget_period__scope_value",
        "budget_usd,budget_spend_to_date_usd,budget_consumption",
        True,
    ),
    "month_to_date_cost": ("metric_time__day", "total_cost_usd_month_to_date", False),
    "tokens_by_week": ("metric_time__week,cost__charge_type", TOKENS, False),
    "activity_by_month": ("metric_time__month,member__is_service_account", ACTIVITY, False),
    "repository_costs": ("metric_time__month,repository_month__repository", REPOSITORY_COSTS, True),
    "repository_costs_by_team": ("metric_time__month,team,repository_month__repository", REPOSITORY_COSTS, False),
    "adoption_by_day": ("metric_time__day,team", ADOPTION, False),
}


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A built warehouse of each kind, `mf validate-configs` over it and the answers of every query in QUERIES."""
    folder = tmp_path_factory.mktemp(request.param)
    url = request.getfixturevalue("postgres_server").database() if request.param == "postgres" else None
    settings = warehouse.build(folder, url)
    options = {
        name: ["--saved-query", name] if saved else ["--metrics", metrics, "--group-by", group_by]
        for name, (group_by, metrics, saved) in QUERIES.items()
    }
    rows, output = MetricFlow(folder, warehouse.dbt_env(settings)).run(options)
    answers = {}
    for name, (group_by, metrics, _) in QUERIES.items():
        keys = group_by.split(",")  # the metrics in the order asked: mf orders the CSV's columns its own way
        answers[name] = keyed([[row[c] for c in keys + metrics.split(",")] for row in rows[name]], len(keys))
    return settings, answers, output


def marts(built, sql: str, keys: int) -> dict[tuple, tuple]:
    return keyed(warehouse.rows(built[0], sql), keys)


def test_the_semantic_manifest_validates_and_every_metric_runs_on_the_warehouse(built):
    output = built[2]  # mf validate-configs with the warehouse checks: each model, dimension and metric is queried
    assert "Successfully validated the semantics of built manifest (ERRORS: 0, FUTURE_ERRORS: 0" in output, output
    for part in ("semantic models", "dimensions", "entities", "measures", "metrics"):
        assert f"Successfully validated {part} against data warehouse (ERRORS: 0" in output, output[-3000:]


MONTHLY = (
    "seats_usd, on_demand_usd, total_usd, included_value_usd, paid_seats, users_with_usage, "
    "total_usd / nullif(users_with_usage, 0), request_count from marts.rpt_cursor_monthly_spend"
)


def test_month_to_date_spend_equals_rpt_cursor_monthly_spend_and_the_report(built):
    all_teams = built[1]["month_to_date_spend"]
    expected = marts(built, f"select usage_month, {MONTHLY} where team = '*'", 1)
    assert len(expected) == 2
    assert_equal_to_the_cent(all_teams, expected)
    by_team = marts(built, f"select usage_month, team, {MONTHLY} where team != '*'", 2)
    assert_equal_to_the_cent(built[1]["month_to_date_spend_by_team"], by_team)

    report = warehouse.report_figures(built[0])  # what the CLI's summary and the HTML report show
    shown_month = report.month
    month = all_teams[(shown_month.usage_month.isoformat(),)]
    shown = (
        shown_month.seats_usd,
        shown_month.on_demand_usd,
        shown_month.total_usd,
        shown_month.included_value_usd,
        shown_month.paid_seats,
    )
    assert all(same_to_the_cent(got, want) for got, want in zip(month[:5], shown, strict=True)), (month, shown)


def test_daily_spend_equals_rpt_cursor_daily_spend(built):
    daily = "seats_usd, on_demand_usd, included_value_usd, total_usd, paid_seats from marts.rpt_cursor_daily_spend"
    expected = marts(built, f"select usage_date, team, {daily} where team != '*'", 2)
    assert len(expected) == 2 * warehouse.DAYS
    assert_equal_to_the_cent(built[1]["daily_spend_by_team"], expected)
    all_teams = marts(built, f"select usage_date, {daily} where team = '*'", 1)
    assert_equal_to_the_cent(built[1]["daily_spend"], all_teams)


def test_top_users_and_models_equal_their_marts_in_rank_order(built):
    for saved, mart, columns in (
        ("top_users", "rpt_cursor_top_users", "user_email, usage_value_usd, included_value_usd, on_demand_usd"),
        ("top_models", "rpt_cursor_top_models", "model, usage_value_usd"),
    ):
        expected = warehouse.rows(
            built[0],
            f"select usage_month, {columns}, request_count from marts.{mart} where team = '*' "
            "order by usage_month, rank",
        )
        got = built[1][saved]
        assert len(got) == len(expected) > 10
        assert list(got) == list(keyed(expected, 2))  # mf's order (the saved query's) is the mart's ranking
        assert_equal_to_the_cent(got, keyed(expected, 2))


def test_chargeback_by_billing_group_equals_rpt_cursor_chargeback_monthly(built):
    expected = marts(
        built,
        "select usage_month, team, billing_group_id, billing_group, seats_usd, on_demand_usd, total_usd, "
        "included_value_usd, request_count from marts.rpt_cursor_chargeback_monthly",
        4,
    )
    assert len({key[2] for key in expected}) >= 3
    assert_equal_to_the_cent(built[1]["chargeback_by_billing_group"], expected)


def test_idle_seat_metrics_equal_rpt_cursor_idle_seats_and_the_monthly_mart(built):
    expected = marts(
        built,
        "select team, user_email, 1, seat_cost_this_month_usd, seat_cost_month_to_date_usd "
        "from marts.rpt_cursor_idle_seats",
        2,
    )
    assert len(expected) >= 2
    assert_equal_to_the_cent(built[1]["idle_seats"], expected)
    current = marts(
        built,
        "select team, idle_seats, idle_seat_cost_usd from marts.rpt_cursor_monthly_spend "
        "where is_current_month and team != '*' and idle_seats > 0",
        1,
    )
    for (team,), (seats, cost) in current.items():  # the current month's idle seats are the idle-seat mart's
        rows = [values for (row_team, _), values in built[1]["idle_seats"].items() if row_team == team]
        assert same_to_the_cent(sum(row[0] for row in rows), seats), team
        assert same_to_the_cent(sum(row[1] for row in rows), cost), team


def test_budget_consumption_equals_rpt_cursor_budget_status(built):
    got = built[1]["budget_consumption"]
    expected = marts(
        built,
        "select period_start, budget_name, scope_value, budget_usd, spend_to_date_usd, percent_used, status "
        "from marts.rpt_cursor_budget_status",
        3,
    )
    assert "exceeded" in {status for *_, status in expected.values()}
    assert got.keys() == expected.keys()
    for key, (budget, spend, percent, _) in expected.items():
        assert same_to_the_cent(got[key][0], budget) and same_to_the_cent(got[key][1], spend), key
        assert abs(got[key][2] * 100 - percent) < Decimal("1e-6"), key  # a share: percent_used / 100


def test_month_to_date_cost_equals_the_all_teams_budget_burnup(built):
    expected = marts(
        built,
        "select usage_date, cumulative_usd from marts.rpt_cursor_budget_burnup "
        "where budget_name = 'all-teams' and scope_value = '*' and not is_projected "
        "and usage_date >= (select min(usage_date) from marts.fct_cursor_costs_daily)",
        1,
    )
    assert len(expected) == warehouse.DAYS
    got = built[1]["month_to_date_cost"]
    assert_equal_to_the_cent({key: got[key] for key in expected}, expected)  # the spine also holds later days


def test_tokens_requests_and_activity_equal_the_facts(built):
    sums = "sum(request_count), sum(request_units), sum(input_tokens), sum(output_tokens), sum(cache_write_tokens)"
    expected = marts(
        built,
        f"select cast(date_trunc('week', cast(usage_date as timestamp)) as date), charge_type, {sums}, "
        "sum(cache_read_tokens), sum(total_tokens) from marts.fct_cursor_costs_daily group by 1, 2",
        2,
    )
    assert_equal_to_the_cent(built[1]["tokens_by_week"], expected)
    expected = marts(
        built,
        "select cast(date_trunc('month', cast(a.usage_date as timestamp)) as date), u.is_service_account, "
        "sum(case when a.is_active then 1 else 0 end), sum(a.accepted_lines_added), sum(a.total_tabs_accepted), "
        "sum(a.agent_requests) from marts.fct_cursor_activity_daily as a left join marts.dim_cursor_users as u "
        "on a.team = u.team and a.user_email = u.user_email group by 1, 2",
        2,
    )
    assert_equal_to_the_cent(built[1]["activity_by_month"], expected)


def test_repository_costs_equal_rpt_cursor_repo_costs_monthly(built):
    columns = (
        "linked_cost_usd, allocated_cost_usd, unattributed_cost_usd, cost_usd, billed_cost_usd, "
        "cost_per_1000_ai_lines_usd from marts.rpt_cursor_repo_costs_monthly"
    )
    all_teams = marts(built, f"select usage_month, repository, {columns} where team = '*'", 2)
    assert {"(unattributed)", "(no repository)"} < {repository for _, repository in all_teams}
    assert all(sum(values[i] for values in all_teams.values()) > 0 for i in (0, 1))  # linked and allocated
    assert_equal_to_the_cent(built[1]["repository_costs"], all_teams)
    by_team = marts(built, f"select usage_month, team, repository, {columns} where team != '*'", 3)
    assert len({team for _, team, _ in by_team}) == 2
    assert_equal_to_the_cent(built[1]["repository_costs_by_team"], by_team)


def test_commits_daily_active_users_and_paid_seats_equal_rpt_cursor_adoption_daily(built):
    expected = marts(
        built,
        "select usage_date, team, commit_count, ai_lines_committed, cursor_dau, paid_seats, active_users "
        "from marts.rpt_cursor_adoption_daily where team != '*'",
        2,
    )
    assert len(expected) == 2 * warehouse.DAYS and sum(values[0] for values in expected.values()) > 0
    got = built[1]["adoption_by_day"]
    assert_equal_to_the_cent({key: got[key] for key in expected}, expected)
