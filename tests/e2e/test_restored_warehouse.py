"""A warehouse restored from an older copy (a DuckDB file copied back, a PostgreSQL database from a dump) while the
local dlt state beside it remembers later loads: the next run reads again from what the warehouse holds, says so in
one line, and every day equals the simulator's truth.

Each run is the command line (a process of its own), its end date moved as days pass: a first run, a copy of the
warehouse, twelve days more, the copy restored, and the run after it.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import psycopg2
import pytest

from cursor_simulator import SimulatorOptions
from cursor_spend.config import load_settings
from cursor_spend.warehouse import Warehouse
from tests.conftest import API_KEY, END_DATE
from tests.source.helpers import PLACEHOLDER, normalized, truth_by_user_day
from tests.test_config import cli
from tests.truth import query

BEFORE_THE_COPY = END_DATE - timedelta(days=12)
FIRST_DAY = END_DATE - timedelta(days=60)  # before the simulated team's first day
SAID = "holds an older load than the local dlt state"


def _env(server, **more: str) -> dict[str, str]:
    return {"CURSOR_API_KEY": API_KEY, "CURSOR_TEAM": "acme", "CURSOR_API_BASE_URL": server.base_url, **more}


def _by_user_day(warehouse: Warehouse) -> dict:
    """(user email or placeholder, UTC day) -> (events, sum of chargedCents) of the raw usage events."""
    out: dict = defaultdict(lambda: [0, Decimal(0)])
    events = query(warehouse, "select user_email, timestamp_ms, charged_cents from cursor_raw.usage_events")
    for email, timestamp_ms, cents in events:
        day = datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC).date()
        out[(email or PLACEHOLDER, day)][0] += 1
        out[(email or PLACEHOLDER, day)][1] += Decimal(cents)
    return normalized({key: tuple(value) for key, value in out.items()})


def _three_runs(server, env: dict, copy_aside, restore) -> list:
    extract = lambda end: cli("extract", "--end-date", str(end), env=env)  # noqa: E731
    runs = [extract(BEFORE_THE_COPY)]
    copy_aside()
    runs.append(extract(END_DATE))
    restore()
    runs.append(extract(END_DATE))
    assert [run.returncode for run in runs] == [0, 0, 0], runs[-1].stderr[-3000:]
    return runs


def _check(runs, warehouse: Warehouse, server) -> None:
    loaded, truth = _by_user_day(warehouse), normalized(truth_by_user_day(server, FIRST_DAY, END_DATE))
    assert sorted({day for _, day in truth} - {day for _, day in loaded}) == []  # no day lost
    assert loaded == truth
    assert [SAID in run.stderr for run in runs] == [False, False, True]
    said = [line for line in runs[-1].stderr.splitlines() if SAID in line]
    assert len(said) == 1 and f"'acme' {BEFORE_THE_COPY} there, {END_DATE} here" in said[0], said


@pytest.mark.slow
def test_a_duckdb_file_restored_from_a_copy_loses_no_day(make_simulator, tmp_path):
    server = make_simulator(members=8, days=30, options=SimulatorOptions(rate_limits=False))
    path = tmp_path / "warehouse" / "cursor_spend.duckdb"
    env = _env(server, CURSOR_SPEND_DUCKDB=str(path))

    runs = _three_runs(
        server,
        env,
        copy_aside=lambda: shutil.copy2(path, tmp_path / "copy.duckdb"),
        restore=lambda: shutil.copy2(tmp_path / "copy.duckdb", path),
    )

    _check(runs, Warehouse(path, "96MB"), server)


@pytest.mark.slow
def test_a_postgres_database_restored_from_a_copy_loses_no_day(make_simulator, tmp_path, postgres_server, postgres_url):
    """The copy is a template database (as a dump restored into a new database would be)."""
    server = make_simulator(members=8, days=30, options=SimulatorOptions(rate_limits=False))
    name = urlsplit(postgres_url).path[1:]
    env = _env(server, CURSOR_SPEND_WAREHOUSE=postgres_url, CURSOR_SPEND_DUCKDB=str(tmp_path / "local" / "w.duckdb"))

    def admin(*statements: str) -> None:
        connection = psycopg2.connect(postgres_server.url())
        connection.autocommit = True  # CREATE DATABASE runs outside a transaction
        try:
            for statement in statements:
                connection.cursor().execute(statement)
        finally:
            connection.close()

    runs = _three_runs(
        server,
        env,
        copy_aside=lambda: admin(f"create database {name}_copy template {name}"),
        restore=lambda: admin(f"drop database {name}", f"create database {name} template {name}_copy"),
    )

    _check(runs, load_settings(env=env).warehouse, server)
