"""The whole pipeline as a user runs it, on DuckDB and on PostgreSQL: a simulator over HTTP, `cursor-spend extract`,
`cursor-spend transform`, then the marts against the simulator's ground truth per user, model, charge type and day,
and the marts of the two warehouses against each other, row for row."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

from cursor_simulator import SimulatorOptions
from cursor_spend.config import load_settings
from tests.conftest import API_KEY, END_DATE
from tests.truth import all_marts, expected_seat_costs, expected_usage_costs, mart_seat_costs, mart_usage_costs

UNASSIGNED = "unassigned committed seats"
START_DATE = END_DATE - timedelta(days=34)  # 35 days: two calendar months and two 30-day API windows


def cursor_spend(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "cursor_spend.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_extract_then_transform_gives_the_same_exact_marts_on_duckdb_and_postgres(
    make_simulator, tmp_path, postgres_url
):
    server = make_simulator(members=25, days=35, options=SimulatorOptions(rate_limits=False))
    usage = server.simulator.team()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CURSOR_", "AIRFLOW_CONN"))} | {
        "CURSOR_API_KEY": API_KEY,
        "CURSOR_API_BASE_URL": server.base_url,
    }
    envs = {
        "duckdb": base
        | {
            "CURSOR_SPEND_DUCKDB": str(tmp_path / "duckdb" / "cursor_spend.duckdb"),
            "CURSOR_SPEND_READER_ROLES": "bi_reader",
        },  # PostgreSQL's grants: nothing on DuckDB
        "postgres": base | {"CURSOR_SPEND_WAREHOUSE": postgres_url, "CURSOR_SPEND_DUCKDB": str(tmp_path / "pg" / "x")},
    }
    warehouses = {}
    for name, env in envs.items():
        out = cursor_spend("extract", "--start-date", str(START_DATE), "--end-date", str(END_DATE), env=env)
        assert "usage_events" in out
        out = cursor_spend("transform", "--seat-price-usd", "37.5", env=env)
        assert "dbt build: " in out and " 0 warnings, 0 errors" in out and "\x1b[" not in out  # one line, no ANSI
        warehouse = warehouses[name] = load_settings(env=env).warehouse
        assert mart_usage_costs(warehouse) == expected_usage_costs(usage, START_DATE, END_DATE), name
        assert mart_seat_costs(warehouse) == expected_seat_costs(usage, START_DATE, END_DATE, Decimal("37.5")), name

    on_duckdb, on_postgres = all_marts(warehouses["duckdb"]), all_marts(warehouses["postgres"])
    assert set(on_duckdb) == set(on_postgres)
    for mart, rows in on_duckdb.items():
        assert on_postgres[mart] == rows, mart

    # Settings from the environment: the default price re-prices every seat-day, not only the days of the lookback,
    # and more dbt vars reach the build: 30 committed seats bill the unassigned ones too.
    env = envs["duckdb"] | {"CURSOR_SEAT_PRICE_USD": "45", "CURSOR_SPEND_DBT_VARS": '{"committed_seats": 30}'}
    cursor_spend("transform", env=env)
    seats = expected_seat_costs(usage, START_DATE, END_DATE, Decimal(45))
    unassigned = {
        (UNASSIGNED, day): (30 - sum(1 for _, d in seats if d == day)) * price
        for day, price in {d: p for (_, d), p in seats.items()}.items()
    }
    assert mart_seat_costs(warehouses["duckdb"]) == seats | unassigned
    assert mart_usage_costs(warehouses["duckdb"]) == expected_usage_costs(usage, START_DATE, END_DATE)
