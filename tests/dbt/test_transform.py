"""The dbt project over a raw warehouse built from the simulator's ground truth: the run's one transform of the shared
team (shared.py; dbt runs take seconds), copied for the module, then many assertions against the simulator."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from cursor_simulator.usage import DAY_MS, TeamUsage, day_start_ms, ms_to_day
from cursor_spend.config import load_settings
from cursor_spend.errors import TransformError, WarehouseLockedError
from cursor_spend.export import export_marts
from cursor_spend.marts.tables import mart_names
from cursor_spend.summary import summarize
from cursor_spend.transform import BUILD, _copy, parse_cache, run_dbt, transform
from tests.source.helpers import query
from tests.truth import (
    PLACEHOLDER,
    expected_idle_seats,
    expected_seat_costs,
    expected_usage_costs,
    mart_seat_costs,
    mart_usage_costs,
)

from .raw_fixture import event_rows, money, write_table
from .shared import SPEC, TEAM, copy_of

SEAT_PRICE = Decimal(40)
MARTS = (
    "dim_cursor_days",
    "dim_cursor_users",
    "fct_cursor_activity_daily",
    "fct_cursor_ai_commits",
    "fct_cursor_costs_daily",
    "fct_cursor_focus_charges",
    "fct_cursor_seats_daily",
    "rpt_cursor_adoption_daily",
    "rpt_cursor_alerts",
    "rpt_cursor_budget_burnup",
    "rpt_cursor_budget_status",
    "rpt_cursor_bugbot_costs",
    "rpt_cursor_chargeback_monthly",
    "rpt_cursor_commit_costs",
    "rpt_cursor_contract_pool_daily",
    "rpt_cursor_contract_pool_forecast",
    "rpt_cursor_cycle_forecast",
    "rpt_cursor_cycle_spend",
    "rpt_cursor_daily_model_spend",
    "rpt_cursor_daily_spend",
    "rpt_cursor_idle_seats",
    "rpt_cursor_model_mix",
    "rpt_cursor_monthly_spend",
    "rpt_cursor_repo_costs_monthly",
    "rpt_cursor_spend_anomalies",
    "rpt_cursor_top_models",
    "rpt_cursor_top_users",
    "rpt_cursor_user_value_monthly",
)


@pytest.fixture(scope="module")
def usage() -> TeamUsage:
    return TeamUsage(SPEC)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, shared_warehouse: Path):
    """A copy of the warehouse after one transform (no dbt test failed or warned: the marts agree), the marts as they
    were then, and the export paths."""
    warehouse = copy_of(shared_warehouse, tmp_path_factory.mktemp("warehouse"))
    settings = load_settings(env={"CURSOR_SPEND_DUCKDB": str(warehouse)})
    return settings, read_marts(warehouse), export_marts(settings)


def read_marts(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {name: sorted(con.execute(f"select * from marts.{name}").fetchall(), key=repr) for name in MARTS}


def test_build_creates_every_mart_with_rows(built):
    _, marts, _ = built
    assert set(marts) == set(MARTS)
    assert all(marts[name] for name in MARTS if name != "rpt_cursor_idle_seats")


def test_usage_costs_equal_the_simulator_per_user_model_charge_type_and_day(built, usage):
    settings, _, _ = built
    actual = mart_usage_costs(settings.duckdb_path)
    assert actual == expected_usage_costs(usage, usage.spec.start_date, usage.spec.end_date)
    assert any(key[0] == PLACEHOLDER for key in actual), "events of removed members keep the placeholder user"
    assert any(key[0].endswith("@serviceaccount.acme.io") for key in actual), "service accounts keep their email"


def test_seat_rows_are_paid_seat_days_times_price_over_days_in_month(built, usage):
    settings, _, _ = built
    actual = mart_seat_costs(settings.duckdb_path)
    assert actual == expected_seat_costs(usage, usage.spec.start_date, usage.spec.end_date, SEAT_PRICE)
    free_owner = next(m for m in usage.humans if m.role == "free-owner")
    assert all(email != free_owner.email for email, _ in actual), "the unpaid admin is not a seat"


def test_events_at_midnight_utc_belong_to_that_day(built, usage):
    settings, _, _ = built
    spec = usage.spec
    midnight = [
        (event.get("userEmail", PLACEHOLDER), ms_to_day(int(event["timestamp"])))
        for _, event in usage.events_in(day_start_ms(spec.start_date), day_start_ms(spec.end_date) + DAY_MS - 1)
        if int(event["timestamp"]) % DAY_MS == 0
    ]
    assert midnight, "the simulator produces events at 00:00:00.000 UTC"
    rows = set(
        query(
            settings,
            "select user_email, usage_date from staging.stg_cursor__usage_events where timestamp_ms % 86400000 = 0",
        )
    )
    assert {(email.lower(), day) for email, day in midnight} <= rows


def test_cycle_spend_from_events_matches_the_spend_snapshot(built):
    settings, _, _ = built
    rows = query(
        settings,
        "select count(*), max(abs(spend_difference_usd)) from marts.rpt_cursor_cycle_spend "
        "where snapshot_date is not null",
    )
    count, worst = rows[0]
    assert count > 0
    assert worst <= Decimal("0.01")


def test_dim_users_has_one_row_per_user_with_joins_and_leaves(built, usage):
    settings, _, _ = built
    users = {
        row[0]: row[1:] for row in query(settings, "select user_email, is_paid, left_date from marts.dim_cursor_users")
    }
    for member in usage.humans:
        is_paid, left_date = users[member.email]
        assert is_paid == (member.role in ("owner", "member"))
        assert left_date == member.removed
    assert PLACEHOLDER in users


def test_a_rerun_in_a_new_folder_starts_from_the_kept_parse_and_changes_nothing(built, tmp_path):
    """dbt's parse is kept per project, file name and vars (transform.parse_cache): a new warehouse folder skips
    the full parse, and dbt's own checks still hold: a rerun of the transform (here on a copy of the built warehouse
    in a new folder) leaves every mart as it was."""
    settings, before, _ = built
    assert parse_cache(settings).is_file()
    warehouse = tmp_path / "elsewhere" / settings.duckdb_path.name
    warehouse.parent.mkdir()
    shutil.copy2(settings.duckdb_path, warehouse)
    moved = load_settings(env={"CURSOR_SPEND_DUCKDB": str(warehouse)})
    assert parse_cache(moved) == parse_cache(settings)

    result = transform(moved)

    assert "Unable to do partial parsing" not in result.log_path.read_text()
    assert read_marts(warehouse) == before
    with_vars = load_settings(env={"CURSOR_SPEND_DUCKDB": str(warehouse), "CURSOR_SEAT_PRICE_USD": "41"})
    assert parse_cache(with_vars) != parse_cache(settings)


def test_a_cache_folder_that_cannot_be_written_costs_a_parse_not_the_run(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    settings = load_settings(env={"CURSOR_SPEND_DUCKDB": str(tmp_path / "w" / "cursor_spend.duckdb")})
    parsed = tmp_path / "partial_parse.msgpack"
    parsed.write_bytes(b"parse")

    _copy(parsed, parse_cache(settings))  # no error: the run goes on

    assert not list(tmp_path.glob(".*.msgpack.*"))


def test_parquet_exports_match_the_marts_row_counts(built):
    settings, marts, paths = built
    assert sorted(p.name for p in paths) == sorted(f"{name}.parquet" for name in MARTS)
    with duckdb.connect() as con:
        for path in paths:
            (count,) = con.execute(f"select count(*) from read_parquet('{path}')").fetchall()[0]
            assert count == len(marts[path.stem]), path.name
    assert not list(settings.export_dir.glob("*.tmp"))


def test_a_shared_marts_schema_lists_and_exports_only_the_projects_marts(built, tmp_path):
    """Another project's table in the schema marts is neither exported nor counted as ours."""
    settings, _, _ = built
    assert mart_names() == set(MARTS)
    shared = load_settings(env={"CURSOR_SPEND_DUCKDB": str(tmp_path / "shared.duckdb")})
    shutil.copy2(settings.duckdb_path, shared.duckdb_path)
    with duckdb.connect(str(shared.duckdb_path)) as con:
        con.execute("create table marts.finance_forecast as select 1 as quarter")

    paths = export_marts(shared)
    summary = summarize(shared)

    assert sorted(path.stem for path in paths) == sorted(MARTS)
    assert {name.split(".")[1] for name in summary.table_rows if name.startswith("marts.")} == set(MARTS)


def test_docs_generate_works(built):
    settings, _, _ = built
    run_dbt(settings, "docs", "generate")


def test_a_locked_warehouse_gives_an_actionable_error(built):
    settings, _, _ = built
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(settings.duckdb_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseLockedError, match="in use by another process"):
            export_marts(settings)
        with pytest.raises(WarehouseLockedError, match="in use by another process"):
            run_dbt(settings, "run", "--select", "stg_cursor__members")
    finally:
        holder.kill()
        holder.wait()


HOLD_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(60)
"""


def test_a_failing_build_names_what_failed_from_dbts_run_results(tmp_path):
    warehouse = tmp_path / "cursor_spend.duckdb"  # the usual name: the build starts from the kept parse
    duckdb.connect(str(warehouse)).close()  # no raw tables at all
    settings = load_settings(env={"CURSOR_SPEND_DUCKDB": str(warehouse)})
    with pytest.raises(TransformError, match=r"dbt build failed: .* errors, .*\(failed: model stg_cursor__") as failure:
        transform(settings)
    assert "\n" not in str(failure.value) and str(settings.warehouse_dir / "dbt" / "logs" / "dbt.log") in str(
        failure.value
    )


def test_idle_seats_are_paid_members_without_usage_in_the_last_14_days(built, usage):
    settings, _, _ = built
    expected = expected_idle_seats(usage, usage.spec.end_date)
    rows = query(settings, "select user_email, seat_cost_this_month_usd from marts.rpt_cursor_idle_seats")
    assert expected and {email for email, _ in rows} == expected
    # a whole month of a $40 seat costs $40 exactly (its seat-days sum to the monthly price)
    assert all(cost == SEAT_PRICE for _, cost in rows)


def test_model_mix_spend_per_user_and_month_equals_the_events(built, usage):
    settings, _, _ = built
    spec = usage.spec
    expected: dict[tuple, Decimal] = defaultdict(Decimal)
    for _, event in usage.events_in(day_start_ms(spec.start_date), day_start_ms(spec.end_date) + DAY_MS - 1):
        month = ms_to_day(int(event["timestamp"])).replace(day=1)
        email = event.get("userEmail", PLACEHOLDER).lower()
        expected[(email, month)] += Decimal(money(event["chargedCents"])) * Decimal("0.01")
    rows = query(
        settings,
        "select user_email, usage_month, sum(list_cost_usd), min(user_premium_spend_share), "
        "max(user_premium_spend_share) from marts.rpt_cursor_model_mix group by all",
    )
    assert {(email, month): cost for email, month, cost, _, _ in rows} == dict(expected)
    assert all(low == high and (low is None or 0 <= low <= 1) for *_, low, high in rows)


def test_a_reloaded_late_cost_change_is_picked_up_by_the_next_build_of_the_fact(built, usage):
    settings, _, _ = built
    end = usage.spec.end_date
    usage.late_change = True  # the simulator raises some costs of its last day, as Cursor does
    try:
        with duckdb.connect(str(settings.duckdb_path)) as con:
            write_table(con, "usage_events", event_rows(usage, TEAM), load_id="2")
        expected = sum(
            Decimal(money(event["chargedCents"])) * Decimal("0.01")
            for _, event in usage.events_in(day_start_ms(end), day_start_ms(end) + DAY_MS - 1)
            if event["kind"] == "Usage-based"
        )
    finally:
        usage.late_change = False
    before = query(settings, f"select sum(billed_cost_usd) from marts.fct_cursor_costs_daily {ON_DEMAND_ON_LAST_DAY}")
    # the fact, what it reads and their tests; the marts built from the fact (and tests across them) wait
    run_dbt(settings, *BUILD, "--select", "+fct_cursor_costs_daily", "--indirect-selection", "cautious")
    after = query(settings, f"select sum(billed_cost_usd) from marts.fct_cursor_costs_daily {ON_DEMAND_ON_LAST_DAY}")
    assert after[0][0] == expected != before[0][0]


ON_DEMAND_ON_LAST_DAY = "where charge_type = 'on_demand' and usage_date = date '2026-11-20'"
