"""Snowflake smoke test: dlt's ``snowflake`` destination loads a simulator window with the project's dlt source into
fakesnow's server; the project's incremental model is built on the first days, then, after one more day is loaded,
``dbt build`` on the project's Snowflake target passes (seeds, models, data tests, unit tests) and rebuilds the
loaded days of the incremental model; every mart then has the same rows, non-null values and money sums as the
DuckDB warehouse the CLI builds from the whole API window at once (an incremental build equals a full one).

What it proves and what only a real Snowflake account would: docs/snowflake.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from cursor_simulator import Simulator, SimulatorOptions, SimulatorServer, TeamSpec
from tests.conftest import API_KEY, END_DATE

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]  # a cold run installs the Snowflake venv first

TEAM = "smoke"
START_DATE = END_DATE - timedelta(days=4)  # 5 days: 4 in the first build, the last in the incremental one
FIRST_END = END_DATE - timedelta(days=1)
INCREMENTAL = "int_usage_costs_loaded"  # the project's incremental model (delete+insert of the loaded days)
# Each statement costs fakesnow a translation: the first build makes only what the incremental model needs; the
# second is the whole `dbt build`, on every day.
FIRST_BUILD = ("run", "--select", f"+{INCREMENTAL}")
MARTS = "select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
COLUMNS = (
    "select column_name, data_type from information_schema.columns where table_schema = 'marts' "
    "and table_name = '{}' order by ordinal_position"
)


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorServer]:
    team = TeamSpec(api_key=API_KEY, members=8, days=5, end_date=END_DATE)
    server = SimulatorServer(Simulator([team], SimulatorOptions(rate_limits=False))).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def snowflake_builds(fakesnow, simulator, tmp_path_factory) -> list[tuple[dict, str]]:
    """Load the first days and build the incremental model, load the last day and build everything; each build's
    run_results.json and the SQL it ran for the incremental model."""
    folder = tmp_path_factory.mktemp("snowflake")
    teams = {TEAM: API_KEY}
    builds = []
    for start, end, command in ((START_DATE, FIRST_END, FIRST_BUILD), (END_DATE, END_DATE, ("build",))):
        loaded = fakesnow.load(folder / "dlt", simulator.base_url, teams, str(start), str(end))
        assert loaded.get("usage_events", 0) > 0
        done = fakesnow.dbt(*command, folder=folder)
        assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
        results = json.loads((folder / "target" / "run_results.json").read_text())
        builds.append((results, next((folder / "target" / "run").rglob(f"{INCREMENTAL}.sql")).read_text().lower()))
    return builds


@pytest.fixture(scope="module")
def duckdb_warehouse(simulator, tmp_path_factory) -> Path:
    """The whole window through the CLI into DuckDB at once: `cursor-spend run`."""
    path = tmp_path_factory.mktemp("duckdb") / "cursor_spend.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CURSOR_", "AIRFLOW_CONN"))} | {
        "CURSOR_API_KEYS": json.dumps({TEAM: API_KEY}),
        "CURSOR_API_BASE_URL": simulator.base_url,
        "CURSOR_SPEND_DUCKDB": str(path),
    }
    command = [sys.executable, "-m", "cursor_spend.cli", "run", "--start-date", str(START_DATE), "--end-date"]
    done = subprocess.run([*command, str(END_DATE)], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return path


def profile_queries(warehouse: Path) -> dict[str, str]:
    """Per mart: one query of its row count, each column's non-null count and each decimal column's sum."""
    queries = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for (table,) in con.execute(MARTS).fetchall():
            parts = ["count(*)"]
            for column, data_type in con.execute(COLUMNS.format(table)).fetchall():
                name = column if column == column.lower() else f'"{column}"'  # as Snowflake stored it
                parts.append(f"count({name})")
                if data_type.startswith("DECIMAL"):
                    parts.append(f"sum({name})")
            queries[table] = f"select {', '.join(parts)} from marts.{table}"
    return queries


def numbers(row) -> list[Decimal | None]:
    return [None if value in (None, "None") else Decimal(str(value)) for value in row]


def test_dbt_builds_models_data_tests_and_unit_tests_on_snowflake_then_builds_incrementally(snowflake_builds):
    for results, _ in snowflake_builds:
        failed = [(r["unique_id"], r["status"]) for r in results["results"] if r["status"] in ("error", "fail")]
        assert failed == [] and "skipped" not in {r["status"] for r in results["results"]}
    (first, first_sql), (second, second_sql) = snowflake_builds
    assert f"model.cursor_spend.{INCREMENTAL}" in {r["unique_id"] for r in first["results"]}
    assert {"model", "test", "unit_test", "seed"} <= {r["unique_id"].split(".")[0] for r in second["results"]}
    assert "delete from" not in first_sql and "delete from" in second_sql  # built, then rebuilt the loaded days


def test_every_mart_on_snowflake_has_duckdbs_rows_non_null_values_and_money_sums(
    snowflake_builds, duckdb_warehouse, fakesnow
):
    queries = profile_queries(duckdb_warehouse)
    assert len(queries) >= 19
    answers = fakesnow.query(queries)
    with duckdb.connect(str(duckdb_warehouse), read_only=True) as con:
        expected = {table: numbers(con.execute(sql).fetchone()) for table, sql in queries.items()}
    for table, answer in answers.items():
        assert "error" not in answer, f"{table}: {answer['error'][-2000:]}"
        assert numbers(answer["rows"][0]) == expected[table], table
    assert expected["fct_cursor_costs_daily"][0] > 0
