"""Benchmark 8, ten million events: one Enterprise team the size of the largest customers (5,000 members, 30
days), limits off, on DuckDB and on PostgreSQL.

Both warehouses are backfilled by the whole source in 3-day windows, oldest first, each window in a fresh process
(as ``cursor-spend extract`` per window, or an Airflow task per interval, runs: its throughput, CPU and peak RSS);
each is built once; then a daily run: a fresh process extracts the new day and the lookback (limits off: at the
documented limits a day this size is minutes of waiting, computed here from its pages), the one-day incremental
`dbt build`, the Parquet export of the marts. The PostgreSQL server is a throwaway cluster, as in benchmark 6.

Why windows: the simulator keeps only the few most recent days of a team this size in memory (an event is about
1.7 KB there), and each page of its daily-usage route needs every day of the window, so a 30-day window would have
it generate each day several times (hours). For the same reason the team's billing cycle starts on the first day
the daily run reads (a member's included usage on a day depends on the cycle's earlier days), and both backfills
read one simulator process, which first sums the spend of the history's older cycle (its billing groups route; it
remembers each day's spend per member), untimed. On each window DuckDB loads first, while the simulator generates
the days (as in benchmark 2, the simulator is the bound), then PostgreSQL from the days it keeps.

DuckDB loads with ``CURSOR_SPEND_DUCKDB_MEMORY_LIMIT`` raised to the scale's ``large_duckdb_memory_limit``: at the
default 96MB, merging a window's AI commit ranges (about 440,000 rows for 3 days of this team) ran out of memory
when DuckDB still loaded several jobs at once; with one job at a time 128MB is enough, 96MB was not tried again.
"""

from __future__ import annotations

import math
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from cursor_simulator import TeamSpec
from dlt_sources.cursor.settings import DEFAULT_LOOKBACK_DAYS, EVENTS_PAGE_SIZE, RATE_LIMITS
from tests.postgres import PostgresServer

from .history import BUILD, History, backfill_in_windows
from .postgres import daily_seconds
from .report import Figure, Result
from .scales import Scale
from .served import API_KEY, simulator_process
from .volume import MEMORY_LIMIT_MB

WINDOW_DAYS = 3


def _sum_the_first_cycle(base_url: str, day: date) -> float:
    """Have the simulator sum the spend of the cycle holding ``day`` (its billing groups route), generating the
    cycle's days once, before the timed backfills; returns its seconds."""
    started = time.perf_counter()
    httpx.get(f"{base_url}/teams/groups", params={"billingCycle": day.isoformat()}, auth=(API_KEY, ""), timeout=None)
    return time.perf_counter() - started


def run_large(scale: Scale, workdir: Path, shared: dict) -> Result:
    first_daily_day = scale.end_date - timedelta(days=DEFAULT_LOOKBACK_DAYS + 1)
    spec = TeamSpec(
        api_key=API_KEY,
        members=scale.large_members,
        days=scale.large_days + 1,
        end_date=scale.end_date,
        events_per_active_day=scale.large_events_per_active_day,
        retention_days=scale.large_days + 1,
        cycle_day=first_daily_day.day,
    )
    server = PostgresServer().start()
    try:
        limit = {"duckdb_memory_limit": scale.large_duckdb_memory_limit}
        on_duckdb = History(scale, spec, workdir / "large", limits=False, **limit)
        on_postgres = History(scale, spec, workdir / "large-postgres", server.database(), limits=False)
        with simulator_process(spec) as base_url:
            warm_up = _sum_the_first_cycle(base_url, spec.start_date)
            backfill_in_windows(base_url, [on_duckdb, on_postgres], WINDOW_DAYS)
        for warehouse in (on_duckdb, on_postgres):
            warehouse.finish()
            warehouse.builds.append(warehouse.dbt(*BUILD))
            warehouse.export()
    finally:
        server.stop()
    result = Result(
        name="large",
        title="8. Ten million events",
        parameters={"members": scale.large_members, "days": scale.large_days,
                    "events_per_active_day": scale.large_events_per_active_day},
    )  # fmt: skip
    backfill = on_duckdb.backfilled
    events = backfill["events"]
    result.figures = {
        "events": Figure("usage events backfilled", events),
        "events_per_second": Figure("backfill into DuckDB (every resource)", events / backfill["seconds"], "events/s"),
        "cpu_seconds_per_million": Figure("backfill CPU per million events", backfill["cpu_seconds"] * 1e6 / events,
                                          "s"),
        "peak_rss_mb": Figure("peak RSS of the backfill, DuckDB", backfill["peak_rss_mb"], "MB",
                              f"< {MEMORY_LIMIT_MB} MB", backfill["peak_rss_mb"] < MEMORY_LIMIT_MB),
        "postgres_events_per_second": Figure("backfill into PostgreSQL",
                                             on_postgres.backfilled["events"] / on_postgres.backfilled["seconds"],
                                             "events/s"),
        "postgres_peak_rss_mb": Figure("peak RSS of the backfill, PostgreSQL", on_postgres.backfilled["peak_rss_mb"],
                                       "MB", f"< {MEMORY_LIMIT_MB} MB",
                                       on_postgres.backfilled["peak_rss_mb"] < MEMORY_LIMIT_MB),
        "daily_events": Figure("usage events of the daily run (new day, lookback)",
                               on_duckdb.daily_rows.get("usage_events")),
        "daily_minimum_minutes_at_limits": Figure("their pages at the documented limit", _minutes_at_limits(on_duckdb),
                                                  "min"),
        "daily_peak_rss_mb": Figure("peak RSS of the daily run's extract, DuckDB", on_duckdb.daily_peak_rss_mb, "MB",
                                    f"< {MEMORY_LIMIT_MB} MB", on_duckdb.daily_peak_rss_mb < MEMORY_LIMIT_MB),
    }  # fmt: skip
    for warehouse, name, label in ((on_duckdb, "duckdb", "DuckDB"), (on_postgres, "postgres", "PostgreSQL")):
        if "initial_build" in warehouse.seconds:  # not at the tiny scale, whose one build builds everything
            result.figures[f"{name}_full_build_seconds"] = Figure(
                f"dbt build, everything, {label}", warehouse.seconds["initial_build"], "s"
            )
        result.figures |= {
            f"{name}_incremental_seconds": Figure(f"dbt build, one-day incremental, {label}", warehouse.builds[0], "s"),
            f"{name}_daily_seconds": Figure(f"daily run end to end (limits off), {label}", daily_seconds(warehouse),
                                            "s"),
        }  # fmt: skip
    result.details = {"simulator_warm_up_seconds": warm_up} | {
        label: {"backfill": warehouse.backfilled, "seconds": warehouse.seconds, "daily_rows": warehouse.daily_rows}
        for label, warehouse in (("duckdb", on_duckdb), ("postgres", on_postgres))
    }
    windows = ", ".join(f"{window['seconds']:.0f}" for window in backfill["windows"])
    result.notes = [
        f"Ten million events: {scale.large_members:,} members, {scale.large_days} days, "
        f"{scale.large_events_per_active_day:g} events per active member-day, every resource of an Enterprise team; "
        f"DuckDB loads with CURSOR_SPEND_DUCKDB_MEMORY_LIMIT={scale.large_duckdb_memory_limit}. "
        f"Backfill into DuckDB in {WINDOW_DAYS}-day windows ({windows} s), while the simulator generated the days "
        "(one process generating every event: the bound); PostgreSQL loaded each window next, from the days the "
        "simulator kept. The daily run, in a fresh process, "
        "extracts the new day and the lookback with the limits off; at the documented limit of 60 usage-event pages "
        "a minute those pages alone take the minutes shown."
    ]
    if on_postgres.backfilled["events"] != events:
        postgres_events = on_postgres.backfilled["events"]
        result.error = f"backfilled {postgres_events} usage events into PostgreSQL, {events} into DuckDB"
    return result


def _minutes_at_limits(warehouse: History) -> float:
    """The daily run's usage-event pages (one window: new day and lookback) at the documented requests a minute."""
    pages = math.ceil(warehouse.daily_rows.get("usage_events", 0) / EVENTS_PAGE_SIZE)
    return pages / RATE_LIMITS["events"]
