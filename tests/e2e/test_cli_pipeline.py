"""The whole pipeline as a user runs it: a simulator over HTTP, `cursor-spend extract`, `cursor-spend transform`,
then the marts against the simulator's ground truth per user, model, charge type and day."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

from cursor_spend.simulator import SimulatorOptions
from tests.conftest import API_KEY, END_DATE
from tests.truth import expected_seat_costs, expected_usage_costs, mart_seat_costs, mart_usage_costs

UNASSIGNED = "unassigned committed seats"
START_DATE = END_DATE - timedelta(days=34)  # 35 days: two calendar months and two 30-day API windows


def cursor_spend(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "cursor_spend.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_extract_then_transform_gives_marts_equal_to_the_simulator(make_simulator, tmp_path):
    server = make_simulator(members=25, days=35, options=SimulatorOptions(rate_limits=False))
    usage = server.simulator.team()
    warehouse = tmp_path / "warehouse" / "cursor_spend.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CURSOR_", "AIRFLOW_CONN"))} | {
        "CURSOR_API_KEY": API_KEY,
        "CURSOR_API_BASE_URL": server.base_url,
        "CURSOR_SPEND_DUCKDB": str(warehouse),
    }

    out = cursor_spend("extract", "--start-date", str(START_DATE), "--end-date", str(END_DATE), env=env)
    assert "usage_events" in out
    cursor_spend("transform", "--seat-price-usd", "37.5", env=env)

    assert mart_usage_costs(warehouse) == expected_usage_costs(usage, START_DATE, END_DATE)
    assert mart_seat_costs(warehouse) == expected_seat_costs(usage, START_DATE, END_DATE, Decimal("37.5"))

    # The default price from the environment re-prices every seat-day, not only the days of the lookback.
    out = cursor_spend("transform", env=env | {"CURSOR_SEAT_PRICE_USD": "45"})
    assert "Seat prices changed" in out
    assert mart_seat_costs(warehouse) == expected_seat_costs(usage, START_DATE, END_DATE, Decimal(45))
    assert mart_usage_costs(warehouse) == expected_usage_costs(usage, START_DATE, END_DATE)

    # More dbt vars from the environment: 30 committed seats bill the unassigned ones too.
    cursor_spend("transform", env=env | {"CURSOR_SPEND_DBT_VARS": '{"committed_seats": 30}'})
    seats = expected_seat_costs(usage, START_DATE, END_DATE, Decimal(40))
    unassigned = {
        (UNASSIGNED, day): (30 - sum(1 for _, d in seats if d == day)) * price
        for day, price in {d: p for (_, d), p in seats.items()}.items()
    }
    assert mart_seat_costs(warehouse) == seats | unassigned
