"""Benchmark 6, PostgreSQL as the warehouse, beside the DuckDB figures of benchmarks 3 to 5: the large extract of
usage events loaded into PostgreSQL (time, peak RSS of the extract's process), and on a PostgreSQL warehouse with
the long history, the one-day incremental dbt build and the daily run end to end.

The server is a throwaway cluster started for the run (tests/postgres.py: Debian's postgresql, a temporary folder,
a free port), stopped at the end. The same team, days and simulator processes as the DuckDB benchmarks.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from tests.postgres import PostgresServer

from .history import BUILD, history
from .report import Figure, Result
from .scales import Scale
from .served import simulator_process
from .volume import MEMORY_LIMIT_MB, extract_events, in_child, measure, volume_spec

RATIO_LIMIT = 2.0  # PostgreSQL within 2x of DuckDB


def run_postgres(scale: Scale, workdir: Path, shared: dict) -> Result:
    server = PostgresServer().start()
    try:
        return _measure(scale, workdir, shared, server)
    finally:
        server.stop()


def _measure(scale: Scale, workdir: Path, shared: dict, server: PostgresServer) -> Result:
    days = scale.volume_large_days
    on_duckdb = measure(scale, days, workdir, shared, with_ceiling=False)["pipeline"]
    spec = volume_spec(scale, days)
    with simulator_process(spec) as base_url:
        path = workdir / f"volume-{days}d-postgres" / "local.duckdb"
        loaded = in_child(extract_events, base_url, spec.start_date, spec.end_date, path, server.database())

    duckdb_history = history(scale, scale.history_long_days, workdir, shared)
    if not duckdb_history.builds:
        duckdb_history.builds.append(duckdb_history.dbt(*BUILD))
    pg_history = history(scale, scale.history_long_days, workdir, shared, server.database())
    pg_history.builds.append(pg_history.dbt(*BUILD))
    pg_daily = daily_seconds(pg_history)
    duckdb_daily = daily_seconds(duckdb_history)
    build_ratio = statistics.median(pg_history.builds) / statistics.median(duckdb_history.builds)
    daily_ratio = pg_daily / duckdb_daily

    result = Result(
        name="postgres",
        title="6. PostgreSQL warehouse",
        parameters={"volume_members": scale.volume_members, "volume_days": days,
                    "history_members": scale.history_members, "history_days": scale.history_long_days},
    )  # fmt: skip
    rate = loaded["events"] / loaded["seconds"]
    result.figures = {
        "events": Figure("usage events extracted and loaded into PostgreSQL", loaded["events"]),
        "extract_seconds": Figure("extract, normalize and load into PostgreSQL", loaded["seconds"], "s"),
        "events_per_second": Figure("PostgreSQL load rate", rate, "events/s"),
        "duckdb_events_per_second": Figure("DuckDB load rate (benchmark 3's large run)",
                                           on_duckdb["events"] / on_duckdb["seconds"], "events/s"),
        "peak_rss_mb": Figure("peak RSS of the extract into PostgreSQL", loaded["peak_rss_mb"], "MB",
                              f"< {MEMORY_LIMIT_MB} MB", loaded["peak_rss_mb"] < MEMORY_LIMIT_MB),
        "incremental_build_seconds": Figure(f"dbt build, one-day incremental, {pg_history.days} days, PostgreSQL",
                                            statistics.median(pg_history.builds), "s"),
        "incremental_build_ratio": Figure("incremental build PostgreSQL / DuckDB", build_ratio, "x",
                                          f"≤ {RATIO_LIMIT:.1f}x", build_ratio <= RATIO_LIMIT),
        "daily_seconds": Figure(f"daily run end to end, {pg_history.days} days, PostgreSQL", pg_daily, "s"),
        "daily_ratio": Figure("daily run PostgreSQL / DuckDB", daily_ratio, "x", f"≤ {RATIO_LIMIT:.1f}x",
                              daily_ratio <= RATIO_LIMIT),
    }  # fmt: skip
    steps = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in loaded["steps_seconds"].items())
    result.details = {"extract": loaded, "history_seconds": pg_history.seconds, "builds": pg_history.builds}
    result.notes = [
        f"PostgreSQL: PostgreSQL 15 on loopback (fsync off, a throwaway cluster). The large extract ({steps}) "
        f"against a fresh simulator; the {pg_history.days}-day warehouse backfilled by the source, then a daily run "
        f"(extract under the documented limits, incremental dbt build, Parquet export) as on DuckDB (benchmark 5: "
        f"{duckdb_daily:.1f} s)."
    ]
    if loaded["events"] != on_duckdb["events"]:
        result.error = f"loaded {loaded['events']} usage events into PostgreSQL, {on_duckdb['events']} into DuckDB"
    return result


def daily_seconds(warehouse) -> float:
    return (
        warehouse.seconds["daily_startup"] + warehouse.seconds["daily_extract"] + warehouse.builds[0]
        + warehouse.export()
    )  # fmt: skip
