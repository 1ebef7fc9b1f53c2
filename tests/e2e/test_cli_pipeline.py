"""The whole pipeline as a user runs it, on DuckDB and on PostgreSQL: a simulator over HTTP, `cursor-spend extract`,
`cursor-spend transform`, then the marts against the simulator's ground truth per user, model, charge type and day,
and the marts of the two warehouses against each other, row for row: the same dbt project on PostgreSQL gives the
same marts, Parquet exports and FOCUS files as on DuckDB, passes its unit tests, generates its docs and delivers its
alerts once. One build of each warehouse serves every test of the module (the settings test transforms a copy)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cursor_simulator import Simulator, SimulatorOptions, SimulatorServer, TeamSpec
from cursor_spend.alerts.channels import webhook_channel
from cursor_spend.alerts.delivery import deliver
from cursor_spend.config import load_settings
from cursor_spend.export import export_focus
from cursor_spend.transform import run_dbt
from tests.conftest import API_KEY, END_DATE
from tests.receivers import webhook
from tests.truth import (
    all_marts,
    expected_seat_costs,
    expected_usage_costs,
    mart_seat_costs,
    mart_usage_costs,
    normal,
    query,
)

UNASSIGNED = "unassigned committed seats"
START_DATE = END_DATE - timedelta(days=34)  # 35 days: two calendar months and two 30-day API windows
PRICE = Decimal("37.5")


def cursor_spend(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "cursor_spend.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory, postgres_server):
    """One simulated team extracted and transformed by the command line into a DuckDB file and into a PostgreSQL
    database; returns the team, each warehouse's environment, settings (as the build had them) and CLI output."""
    root = tmp_path_factory.mktemp("pipeline")
    spec = TeamSpec(api_key=API_KEY, members=15, days=35, end_date=END_DATE)
    server = SimulatorServer(Simulator([spec], SimulatorOptions(rate_limits=False))).start()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CURSOR_", "AIRFLOW_CONN"))} | {
        "CURSOR_API_KEY": API_KEY,
        "CURSOR_API_BASE_URL": server.base_url,
    }
    envs = {
        "duckdb": base
        | {
            "CURSOR_SPEND_DUCKDB": str(root / "duckdb" / "cursor_spend.duckdb"),
            "CURSOR_SPEND_READER_ROLES": "bi_reader",
        },  # PostgreSQL's grants: nothing on DuckDB
        "postgres": base
        | {"CURSOR_SPEND_WAREHOUSE": postgres_server.database(), "CURSOR_SPEND_DUCKDB": str(root / "pg" / "x")},
    }
    outputs = {}
    try:
        for name, env in envs.items():
            extracted = cursor_spend("extract", "--start-date", str(START_DATE), "--end-date", str(END_DATE), env=env)
            outputs[name] = (extracted, cursor_spend("transform", "--seat-price-usd", str(PRICE), env=env))
    finally:
        server.stop()
    settings = {name: load_settings(env=env, seat_price_usd=PRICE) for name, env in envs.items()}  # the build's vars
    return server.simulator.team(), envs, settings, outputs


def test_extract_then_transform_gives_the_simulators_exact_marts_on_duckdb_and_postgres(built):
    usage, _, settings, outputs = built
    for name, (extracted, transformed) in outputs.items():
        assert "usage_events" in extracted, name
        assert "dbt build: " in transformed and " 0 warnings, 0 errors" in transformed, name
        assert "\x1b[" not in transformed  # one line, no ANSI
        warehouse = settings[name].warehouse
        assert mart_usage_costs(warehouse) == expected_usage_costs(usage, START_DATE, END_DATE), name
        assert mart_seat_costs(warehouse) == expected_seat_costs(usage, START_DATE, END_DATE, PRICE), name


def test_every_mart_on_postgres_equals_the_duckdb_build_row_for_row(built):
    _, _, settings, _ = built
    on_duckdb, on_postgres = all_marts(settings["duckdb"].warehouse), all_marts(settings["postgres"].warehouse)
    assert set(on_duckdb) == set(on_postgres)
    for mart, rows in on_duckdb.items():
        assert on_postgres[mart] == rows, mart


def test_every_unit_test_passes_on_postgres(built):
    result = run_dbt(built[2]["postgres"], "test", "--select", "test_type:unit")
    assert result.statuses["pass"] >= 13 and not result.failed, result.line


def test_docs_generate_on_postgres(built):
    settings = built[2]["postgres"]
    run_dbt(settings, "docs", "generate")
    assert (settings.warehouse_dir / "dbt" / "target" / "catalog.json").exists()


def test_the_focus_export_from_postgres_equals_the_one_from_duckdb(built, tmp_path):
    both = built[2].values()
    on_duckdb, on_postgres = (
        export_focus(settings, file_format="csv", output=tmp_path / f"{settings.warehouse.kind}.csv")[0].read_text()
        for settings in both
    )
    assert on_duckdb == on_postgres and on_duckdb.count("\n") > 100
    tables = [pq.read_table(export_focus(settings, output=tmp_path)[0]) for settings in both]
    assert tables[0].schema == tables[1].schema and tables[0].equals(tables[1])


def test_the_parquet_exports_of_every_mart_from_postgres_equal_duckdbs(built):
    """PostgreSQL's marts reach Arrow by COPY with their declared types: a BI tool reading the Parquet exports (the
    transform wrote them) sees the same columns, types and values from either warehouse (load times aside)."""
    on_duckdb, on_postgres = (
        {path.stem: pq.read_table(path) for path in settings.export_dir.glob("*.parquet")}
        for settings in built[2].values()
    )
    assert set(on_postgres) == set(on_duckdb) and len(on_duckdb) >= 19
    for name, table in on_duckdb.items():
        other = on_postgres[name]
        assert other.schema.names == table.schema.names, name
        for field in table.schema:
            kind = other.schema.field(field.name).type
            same = pa.types.is_timestamp(kind) if pa.types.is_timestamp(field.type) else kind == field.type
            assert same, (name, field.name, field.type, kind)
        assert _rows(other) == _rows(table), name


def _rows(table: pa.Table) -> list[tuple]:
    rows = (tuple(normal(v) for k, v in row.items() if k != "source_loaded_at") for row in table.to_pylist())
    return sorted(rows, key=repr)


def test_alerts_are_delivered_once_from_a_postgres_warehouse(built):
    """The ledger is a dlt table on either warehouse: PostgreSQL sends each alert once too, through the outbox."""
    settings = built[2]["postgres"]
    mart = dict(query(settings.warehouse, "select alert_key, delivery from marts.rpt_cursor_alerts"))
    delivered = {key for key, delivery in mart.items() if delivery != "off"}
    with webhook() as hook:
        first = deliver(settings, [webhook_channel(hook.url)])
        again = deliver(settings, [webhook_channel(hook.url)])
    assert delivered and first.sent == {"webhook": len(delivered)} and again.sent == {"webhook": 0}
    assert sorted(alert["alert_key"] for alert in hook.alerts) == sorted(delivered)
    ledger = query(settings.warehouse, "select alert_key, status from cursor_alerts.alert_deliveries")
    assert sorted(ledger) == sorted((key, "sent" if key in delivered else "skipped") for key in mart)


def test_settings_from_the_environment_reprice_every_seat_day_and_reach_the_build(built, tmp_path):
    """The default price re-prices every seat-day, not only the days of the lookback, and more dbt vars reach the
    build: 30 committed seats bill the unassigned ones too (on a copy of the DuckDB warehouse, kept for the rest)."""
    usage, envs, settings, _ = built
    shutil.copytree(settings["duckdb"].warehouse_dir, tmp_path / "copy")
    path = tmp_path / "copy" / settings["duckdb"].duckdb_path.name
    env = envs["duckdb"] | {
        "CURSOR_SPEND_DUCKDB": str(path),
        "CURSOR_SEAT_PRICE_USD": "45",
        "CURSOR_SPEND_DBT_VARS": '{"committed_seats": 30}',
    }

    cursor_spend("transform", env=env)

    seats = expected_seat_costs(usage, START_DATE, END_DATE, Decimal(45))
    unassigned = {
        (UNASSIGNED, day): (30 - sum(1 for _, d in seats if d == day)) * price
        for day, price in {d: p for (_, d), p in seats.items()}.items()
    }
    assert mart_seat_costs(path) == seats | unassigned
    assert mart_usage_costs(path) == expected_usage_costs(usage, START_DATE, END_DATE)
