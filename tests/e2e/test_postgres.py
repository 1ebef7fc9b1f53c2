"""PostgreSQL as the warehouse over days of use: incremental runs, reruns and a backfill change nothing they should
not; a reader holding a connection during a transform always sees complete marts and is never blocked for long."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import psycopg2

from cursor_simulator import SimulatorOptions
from cursor_spend import load
from cursor_spend.config import load_settings
from cursor_spend.transform import transform
from tests.conftest import API_KEY, END_DATE
from tests.truth import expected_seat_costs, expected_usage_costs, mart_seat_costs, mart_usage_costs

FIRST = END_DATE - timedelta(days=19)


def _settings(server, url: str, tmp_path, **overrides):
    env = {
        "CURSOR_API_KEY": API_KEY,
        "CURSOR_TEAM": "acme",
        "CURSOR_API_BASE_URL": server.base_url,
        "CURSOR_SPEND_WAREHOUSE": url,
        "CURSOR_SPEND_DUCKDB": str(tmp_path / "local" / "unused.duckdb"),
    }
    return load_settings(env=env, **overrides)


def _equal_truth(settings, usage, start, end) -> None:
    from decimal import Decimal

    assert mart_usage_costs(settings.warehouse) == expected_usage_costs(usage, start, end)
    assert mart_seat_costs(settings.warehouse) == expected_seat_costs(usage, start, end, Decimal(40))


def test_daily_runs_a_rerun_and_a_backfill_on_postgres_end_exact(make_simulator, tmp_path, postgres_url):
    server = make_simulator(members=10, days=20, options=SimulatorOptions(rate_limits=False))
    usage = server.simulator.team()
    settings = _settings(server, postgres_url, tmp_path, initial_days=8)

    load.load(settings, end_date=END_DATE - timedelta(days=2))  # the first daily run: 8 days
    transform(settings)
    load.load(settings, end_date=END_DATE)  # the next daily run, with its lookback
    load.load(settings, end_date=END_DATE)  # and a rerun of it
    transform(settings)
    recent = END_DATE - timedelta(days=9)
    _equal_truth(settings, usage, recent, END_DATE)

    load.load(settings, FIRST, recent - timedelta(days=1))  # a backfill of the older days
    transform(settings)
    _equal_truth(settings, usage, FIRST, END_DATE)


def _snapshot(cursor, marts: list[str]) -> dict[str, tuple]:
    out = {}
    for mart in marts:
        cursor.execute(f"select count(*), sum(length(cast(t as text))) from marts.{mart} as t")
        out[mart] = cursor.fetchone()
    return out


def test_a_reader_during_a_transform_sees_complete_marts_and_is_never_blocked_for_long(
    make_simulator, tmp_path, postgres_url
):
    server = make_simulator(members=15, days=20, options=SimulatorOptions(rate_limits=False))
    settings = _settings(server, postgres_url, tmp_path)
    load.load(settings, FIRST, END_DATE - timedelta(days=1))
    transform(settings)
    reader = psycopg2.connect(postgres_url)  # a BI tool: one connection held open, a query at a time
    reader.autocommit = True
    cursor = reader.cursor()
    cursor.execute("select table_name from information_schema.tables where table_schema = 'marts' order by 1")
    marts = [name for (name,) in cursor.fetchall()]
    before = _snapshot(cursor, marts)
    load.load(settings, END_DATE - timedelta(days=1), END_DATE)  # a new day changes every mart

    seen, waits, done = [], [], threading.Event()

    def read() -> None:
        while not done.is_set():
            started = time.monotonic()
            seen.append(_snapshot(cursor, marts))
            waits.append(time.monotonic() - started)

    thread = threading.Thread(target=read)
    thread.start()
    started = time.monotonic()
    try:
        transform(settings)
    finally:
        done.set()
        thread.join()
    build = time.monotonic() - started
    after = _snapshot(cursor, marts)
    reader.close()

    assert len(seen) > 5 and after != before
    for snapshot in seen:
        for mart in marts:  # each mart is the old one or the new one, never empty or half-built
            assert snapshot[mart] in (before[mart], after[mart]), mart
    print(f"{len(seen)} reads during a {build:.1f} s build; the slowest read took {max(waits):.2f} s")
    assert max(waits) < build / 2  # waits for a swap at most, never for the whole build
