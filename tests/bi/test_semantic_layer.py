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


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A built warehouse of each kind and `mf` over it."""
    folder = tmp_path_factory.mktemp(request.param)
    url = request.getfixturevalue("postgres_server").database() if request.param == "postgres" else None
    settings = warehouse.build(folder, url)
    return settings, MetricFlow(folder, warehouse.dbt_env(settings))


def marts(built, sql: str, keys: int) -> dict[tuple, tuple]:
    return keyed(warehouse.rows(built[0], sql), keys)


def mf(built, *options: str, keys: int) -> dict[tuple, tuple]:
    return keyed([row.values() for row in built[1].query(*options)], keys)


def test_the_semantic_manifest_validates_and_every_metric_runs_on_the_warehouse(built):
    output = built[1].validate()  # with the warehouse checks: each semantic model, dimension and metric is queried
    assert "ERRORS: 0, FUTURE_ERRORS: 0" in output, output[-3000:]
    assert "Successfully validated semantic models against data warehouse" in output, output[-3000:]
    assert "Successfully validated metrics against data warehouse" in output, output[-3000:]


MONTHLY = (
    "seats_usd, on_demand_usd, total_usd, included_value_usd, paid_seats, users_with_usage, "
    "total_usd / nullif(users_with_usage, 0), request_count"
)
MONTHLY_METRICS = (
    "seat_cost_usd", "on_demand_cost_usd", "total_cost_usd", "included_value_usd", "paid_seats", "active_users",
    "cost_per_active_user_usd", "requests",
)  # fmt: skip


def _ordered(rows: list[dict[str, str]], leading: list[str]) -> list[list[str]]:
    return [[row[column] for column in leading + list(MONTHLY_METRICS)] for row in rows]


def test_month_to_date_spend_equals_rpt_cursor_monthly_spend_and_the_report(built):
    all_teams = keyed(_ordered(built[1].query("--saved-query", "month_to_date_spend"), ["metric_time__month"]), 1)
    expected = marts(built, f"select usage_month, {MONTHLY} from marts.rpt_cursor_monthly_spend where team = '*'", 1)
    assert len(expected) == 2 and all_teams.keys() == expected.keys()
    assert_equal_to_the_cent(all_teams, expected)

    by_team = built[1].query("--saved-query", "month_to_date_spend_by_team")
    expected = marts(
        built, f"select usage_month, team, {MONTHLY} from marts.rpt_cursor_monthly_spend where team != '*'", 2
    )
    assert_equal_to_the_cent(keyed(_ordered(by_team, ["metric_time__month", "team"]), 2), expected)

    report = warehouse.report_figures(built[0])  # what the CLI's summary and the HTML report show
    month = all_teams[(report.month_start.isoformat(),)]
    shown = (report.seats_usd, report.on_demand_usd, report.total_usd, report.included_value_usd, report.paid_seats)
    assert all(same_to_the_cent(got, want) for got, want in zip(month[:5], shown, strict=True)), (month, shown)


def test_daily_spend_equals_rpt_cursor_daily_spend(built):
    daily = "seats_usd, on_demand_usd, included_value_usd, total_usd, paid_seats from marts.rpt_cursor_daily_spend"
    metrics = "seat_cost_usd,on_demand_cost_usd,included_value_usd,total_cost_usd,paid_seats"
    by_team = mf(built, "--metrics", metrics, "--group-by", "metric_time__day,team", keys=2)
    expected = marts(built, f"select usage_date, team, {daily} where team != '*'", 2)
    assert len(expected) == 2 * warehouse.DAYS
    assert_equal_to_the_cent(by_team, expected)

    rows = built[1].query("--saved-query", "daily_spend")
    all_teams = keyed([[row[c] for c in ["metric_time__day", *metrics.split(",")]] for row in rows], 1)
    assert_equal_to_the_cent(all_teams, marts(built, f"select usage_date, {daily} where team = '*'", 1))


def test_top_users_and_models_equal_their_marts_in_rank_order(built):
    for saved, mart, key, columns in (
        ("top_users", "rpt_cursor_top_users", "user", "usage_value_usd, included_value_usd, on_demand_usd"),
        ("top_models", "rpt_cursor_top_models", "cost__model", "usage_value_usd"),
    ):
        rows = built[1].query("--saved-query", saved)
        metrics = [name for name in rows[0] if name not in ("metric_time__month", key)]
        got = [[row["metric_time__month"], row[key], *(row[m] for m in metrics)] for row in rows]
        column = "user_email" if key == "user" else "model"
        expected = warehouse.rows(
            built[0],
            f"select usage_month, {column}, {columns}, request_count from marts.{mart} where team = '*' "
            "order by usage_month, rank",
        )
        assert len(got) == len(expected) > 10
        mart_order = [(str(month), name) for month, name, *_ in expected]
        assert [(row[0][:10], row[1]) for row in got] == mart_order  # the ranking is the mart's
        assert_equal_to_the_cent(keyed(got, 2), keyed(expected, 2))


def test_chargeback_by_billing_group_equals_rpt_cursor_chargeback_monthly(built):
    rows = built[1].query("--saved-query", "chargeback_by_billing_group")
    columns = ["metric_time__month", "team", "cost__billing_group_id", "cost__billing_group", "seat_cost_usd",
               "on_demand_cost_usd", "total_cost_usd", "included_value_usd", "requests"]  # fmt: skip
    expected = marts(
        built,
        "select usage_month, team, billing_group_id, billing_group, seats_usd, on_demand_usd, total_usd, "
        "included_value_usd, request_count from marts.rpt_cursor_chargeback_monthly",
        4,
    )
    assert len({key[2] for key in expected}) >= 3
    assert_equal_to_the_cent(keyed([[row[c] for c in columns] for row in rows], 4), expected)


def test_idle_seat_metrics_equal_rpt_cursor_idle_seats_and_the_monthly_mart(built):
    got = mf(built, "--saved-query", "idle_seats", keys=2)
    expected = marts(
        built,
        "select team, user_email, 1, seat_cost_this_month_usd, seat_cost_month_to_date_usd "
        "from marts.rpt_cursor_idle_seats",
        2,
    )
    assert len(expected) >= 2
    assert_equal_to_the_cent(got, expected)

    totals = mf(built, "--metrics", "idle_seats,idle_seat_cost_usd", "--group-by", "team", keys=1)
    current = marts(
        built,
        "select team, idle_seats, idle_seat_cost_usd from marts.rpt_cursor_monthly_spend "
        "where is_current_month and team != '*' and idle_seats > 0",
        1,
    )
    assert_equal_to_the_cent(totals, current)


def test_budget_consumption_equals_rpt_cursor_budget_status(built):
    rows = built[1].query("--saved-query", "budget_consumption")
    columns = ["metric_time__month", "budget_period__budget_name", "budget_period__scope_value", "budget_usd",
               "budget_spend_to_date_usd", "budget_consumption"]  # fmt: skip
    got = keyed([[row[c] for c in columns] for row in rows], 3)
    expected = marts(
        built,
        "select period_start, budget_name, scope_value, budget_usd, spend_to_date_usd, percent_used "
        "from marts.rpt_cursor_budget_status",
        3,
    )
    assert any(status == "exceeded" for (status,) in warehouse.rows(built[0], "select status from "
                                                                    "marts.rpt_cursor_budget_status"))  # fmt: skip
    assert got.keys() == expected.keys()
    for key, (budget, spend, percent) in expected.items():
        assert same_to_the_cent(got[key][0], budget) and same_to_the_cent(got[key][1], spend), key
        assert abs(got[key][2] * 100 - percent) < Decimal("1e-6"), key  # a share: percent_used / 100


def test_month_to_date_cost_equals_the_all_teams_budget_burnup(built):
    got = mf(built, "--metrics", "total_cost_usd_month_to_date", "--group-by", "metric_time__day", keys=1)
    expected = marts(
        built,
        "select usage_date, cumulative_usd from marts.rpt_cursor_budget_burnup "
        "where budget_name = 'all-teams' and scope_value = '*' and not is_projected "
        "and usage_date >= (select min(usage_date) from marts.fct_cursor_costs_daily)",
        1,
    )
    assert len(expected) == warehouse.DAYS
    assert_equal_to_the_cent({key: got[key] for key in expected}, expected)  # the spine also holds later days


def test_tokens_requests_and_activity_by_week_equal_the_facts(built):
    metrics = "requests,request_units,input_tokens,output_tokens,cache_write_tokens,cache_read_tokens,total_tokens"
    got = mf(built, "--metrics", metrics, "--group-by", "metric_time__week,cost__charge_type", keys=2)
    sums = "sum(request_count), sum(request_units), sum(input_tokens), sum(output_tokens), sum(cache_write_tokens)"
    expected = marts(
        built,
        f"select cast(date_trunc('week', cast(usage_date as timestamp)) as date), charge_type, {sums}, "
        "sum(cache_read_tokens), sum(total_tokens) from marts.fct_cursor_costs_daily group by 1, 2",
        2,
    )
    assert_equal_to_the_cent(got, expected)

    activity = "active_member_days,accepted_lines_added,tabs_accepted,agent_requests"
    got = mf(built, "--metrics", activity, "--group-by", "metric_time__month,member__is_service_account", keys=2)
    expected = marts(
        built,
        "select cast(date_trunc('month', cast(a.usage_date as timestamp)) as date), u.is_service_account, "
        "sum(case when a.is_active then 1 else 0 end), sum(a.accepted_lines_added), sum(a.total_tabs_accepted), "
        "sum(a.agent_requests) from marts.fct_cursor_activity_daily as a left join marts.dim_cursor_users as u "
        "on a.team = u.team and a.user_email = u.user_email group by 1, 2",
        2,
    )
    assert_equal_to_the_cent(got, expected)
