"""A data engineer runs dbt directly (no cursor-spend, no sidecar): the marts agree and are priced right after any
build; a bad seat price stops the build in one clear line, whichever way it came in; empty raw tables build empty
marts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from cursor_simulator.usage import TeamUsage
from cursor_spend.config import DBT_PROJECT_DIR, load_settings
from cursor_spend.errors import TransformError
from cursor_spend.export import export_marts
from cursor_spend.transform import transform
from dlt_sources.cursor import schema
from tests.truth import expected_seat_costs, mart_seat_costs, query

from .raw_fixture import write_table
from .shared import SPEC, copy_of

SEED_HEADER = "team,seat_type,valid_from,monthly_price_usd\n"
REPRICED_FROM = date(2026, 11, 10)


def dbt_build(warehouse: Path, *args: str, project: Path = DBT_PROJECT_DIR) -> subprocess.CompletedProcess:
    """`dbt build` as a data engineer types it, with the project's own profile."""
    dbt = Path(sys.executable).with_name("dbt")
    env = os.environ | {"CURSOR_SPEND_DUCKDB": str(warehouse), "CURSOR_SPEND_WAREHOUSE": ""}
    command = [str(dbt), "build", "--project-dir", str(project), "--profiles-dir", str(project)]
    command += ["--target-path", str(warehouse.parent / "target"), "--log-path", str(warehouse.parent / "logs"), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def copy_project(folder: Path) -> Path:
    """A private copy of the dbt project whose seed a test may edit (other test processes build the shared one)."""
    copy = folder / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    return copy


@pytest.fixture(scope="module")
def team() -> TeamUsage:
    return TeamUsage(SPEC)


@pytest.fixture
def warehouse(tmp_path, shared_warehouse) -> Path:
    return copy_of(shared_warehouse, tmp_path)


@pytest.fixture(scope="module")
def repriced(tmp_path_factory, shared_warehouse) -> tuple[Path, list[dict]]:
    """A copy of the run's built warehouse (its first build at the default price, shared.py) after one plain
    `dbt build` with a new seat price (var seat_price_usd=60) and a seed that prices every seat from REPRICED_FROM
    at $55: the warehouse and the build's run results."""
    folder = tmp_path_factory.mktemp("repriced")
    project, built = copy_project(folder), copy_of(shared_warehouse, folder)
    (project / "seeds" / "seat_prices.csv").write_text(SEED_HEADER + f"*,*,{REPRICED_FROM},55\n")
    done = dbt_build(built, "--vars", json.dumps({"seat_price_usd": 60}), project=project)
    assert done.returncode == 0, done.stdout[-3000:]
    return built, json.loads((folder / "target" / "run_results.json").read_text())["results"]


def _seat_rows_agree(warehouse: Path) -> dict:
    """The seat rows of the fact, after checking they equal the seat mart's paid seat-days."""
    sql = "select user_email, usage_date, seat_cost_usd from marts.fct_cursor_seats_daily where is_paid_seat"
    mart = {f"{email} {day}": cost for email, day, cost in query(warehouse, sql)}
    fact = mart_seat_costs(warehouse)
    assert {f"{email} {day}": cost for (email, day), cost in fact.items()} == mart
    return fact


def test_a_plain_dbt_build_with_a_new_seat_price_reprices_both_marts(repriced, team):
    warehouse, _ = repriced
    before = {key: cost for key, cost in _seat_rows_agree(warehouse).items() if key[1] < REPRICED_FROM}
    assert before == expected_seat_costs(team, team.spec.start_date, REPRICED_FROM - timedelta(days=1), Decimal(60))


def test_a_plain_dbt_build_with_a_changed_seed_reprices_both_marts(repriced, team):
    warehouse, _ = repriced
    after = {key: cost for key, cost in _seat_rows_agree(warehouse).items() if key[1] >= REPRICED_FROM}
    assert after == expected_seat_costs(team, REPRICED_FROM, team.spec.end_date, Decimal(55))


def test_a_plain_dbt_build_runs_every_unit_test_and_they_pass(repriced):
    """cursor-spend's transform leaves the unit tests out (they check the SQL, not the data): a plain build runs
    them, all of them."""
    _, results = repriced
    unit_tests = [r["status"] for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit_tests) >= 13 and set(unit_tests) == {"pass"}


@pytest.mark.parametrize("price", ["-5", "nan"])
def test_a_bad_seat_price_var_stops_the_build_naming_the_var(warehouse, price):
    done = dbt_build(warehouse, "--vars", json.dumps({"seat_price_usd": price}))
    assert done.returncode != 0
    assert f"var seat_price_usd={price} is not a seat price" in done.stdout


def test_a_negative_price_in_the_seed_fails_the_build_naming_the_file(warehouse, tmp_path, monkeypatch):
    settings = load_settings(env={"CURSOR_SPEND_DUCKDB": str(warehouse)})
    project = copy_project(tmp_path)
    (project / "seeds" / "seat_prices.csv").write_text(SEED_HEADER + "*,member,2026-11-01,-40\n")
    monkeypatch.setattr("cursor_spend.transform.DBT_PROJECT_DIR", project)
    with pytest.raises(TransformError, match="seat_prices_csv_every_price_is_a_number_of_dollars_at_least_0"):
        transform(settings)


def test_empty_raw_tables_build_empty_marts(tmp_path):
    path = tmp_path / "cursor_spend.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema cursor_raw")
        for table in schema.TABLES:
            write_table(con, table.name, [])

    settings = load_settings(env={"CURSOR_SPEND_DUCKDB": str(path)})
    result = transform(settings)
    paths = export_marts(settings)

    assert not result.failed and result.statuses["warn"] == 0
    assert query(path, "select count(*) from marts.fct_cursor_costs_daily") == [(0,)]
    assert query(path, "select count(*) from marts.rpt_cursor_monthly_spend") == [(0,)]
    assert len(paths) >= 10
