"""Benchmark 8, ten million events: one Enterprise team the size of the largest customers (5,000 members, 30
days), limits off, on DuckDB and on PostgreSQL.

Each warehouse is backfilled by the whole source in a child process (its throughput, CPU and peak RSS), built
once, then gets a daily run: a fresh process extracts the new day and the lookback (limits off: at the documented
limits a day this size is an hour of waiting, computed here from its pages), the one-day incremental `dbt build`,
the Parquet export of the marts. The PostgreSQL server is a throwaway cluster, as in benchmark 6.
"""

from __future__ import annotations

import math
from pathlib import Path

from cursor_simulator import TeamSpec
from dlt_sources.cursor.settings import EVENTS_PAGE_SIZE, RATE_LIMITS
from tests.postgres import PostgresServer

from .history import BUILD, History
from .postgres import daily_seconds
from .report import Figure, Result
from .scales import Scale
from .served import API_KEY
from .volume import MEMORY_LIMIT_MB


def large_history(scale: Scale, workdir: Path, warehouse_url: str | None = None) -> History:
    """The large team's history, backfilled, built once and given its daily extract; then the daily run's
    incremental build and export."""
    spec = TeamSpec(
        api_key=API_KEY,
        members=scale.large_members,
        days=scale.large_days + 1,
        end_date=scale.end_date,
        events_per_active_day=scale.large_events_per_active_day,
        retention_days=scale.large_days + 1,
    )
    directory = workdir / f"large{'-postgres' if warehouse_url else ''}"
    warehouse = History(scale, spec, directory, warehouse_url, limits=False)
    warehouse.prepare()
    warehouse.builds.append(warehouse.dbt(*BUILD))
    warehouse.export()
    return warehouse


def run_large(scale: Scale, workdir: Path, shared: dict) -> Result:
    on_duckdb = large_history(scale, workdir)
    server = PostgresServer().start()
    try:
        on_postgres = large_history(scale, workdir, server.database())
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
    result.details = {
        label: {"backfill": warehouse.backfilled, "seconds": warehouse.seconds, "daily_rows": warehouse.daily_rows}
        for label, warehouse in (("duckdb", on_duckdb), ("postgres", on_postgres))
    }
    steps = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in backfill["steps_seconds"].items())
    result.notes = [
        f"Ten million events: {scale.large_members:,} members, {scale.large_days} days, "
        f"{scale.large_events_per_active_day:g} events per active member-day, every resource of an Enterprise team. "
        f"Backfill into DuckDB: {steps}, in a child process against a fresh simulator (which is the bound: one "
        "process generating every event). The daily run, in a fresh process, extracts the new day and the "
        "lookback with the limits off; at the documented limit of 60 usage-event pages a minute those pages alone "
        "take the minutes shown."
    ]
    if on_postgres.backfilled["events"] != events:
        postgres_events = on_postgres.backfilled["events"]
        result.error = f"backfilled {postgres_events} usage events into PostgreSQL, {events} into DuckDB"
    return result


def _minutes_at_limits(warehouse: History) -> float:
    """The daily run's usage-event pages (one window: new day and lookback) at the documented requests a minute."""
    pages = math.ceil(warehouse.daily_rows.get("usage_events", 0) / EVENTS_PAGE_SIZE)
    return pages / RATE_LIMITS["events"]
