"""Benchmarks 4 and 5, transform cost as history grows and the daily run end to end.

Two warehouses of the same team, loaded by the source from the simulator (limits off) in 30-day windows, each in a
fresh process: one holding 30 days of history, one 365. Each is built once, then gets a daily run: ``load.load`` of
the next day plus the lookback (under the documented limits), ``dbt build`` (one-day incremental), export of the
marts to Parquet.
The incremental builds of the two warehouses are timed side by side, interleaved, and the median counts.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import psutil

from cursor_simulator import SimulatorOptions, TeamSpec
from cursor_spend import load
from cursor_spend.export import export_marts
from cursor_spend.transform import BUILD, run_dbt
from dlt_sources.cursor.client import CursorClient

from .report import Figure, Result
from .scales import Scale
from .served import API_KEY, NO_LIMITS, count, settings_for, simulator_process, without_limits
from .volume import in_child, peak_rss_mb

BUILD_RATIO_LIMIT = 1.5
DAILY_SECONDS_BEFORE = 37.3  # the daily run measured 2026-11-28, before the AI code routes: not to get slower
WINDOW_DAYS = 30  # a history is backfilled as a first run loads (CURSOR_INITIAL_DAYS), window after window


def timed(function: Callable, *args, **kwargs) -> tuple[object, float]:
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - started


class History:
    """A warehouse holding ``days`` days of one team's history up to the scale's end date; the simulated team
    has one more day, which the daily run extracts (under the documented limits, or with them off)."""

    def __init__(
        self,
        scale: Scale,
        spec: TeamSpec,
        directory: Path,
        warehouse_url: str | None = None,
        limits: bool = True,
        **overrides,
    ) -> None:
        self.days = spec.days - 1
        self.initial_build = scale.initial_build
        self.warehouse_url = warehouse_url
        self.spec = spec
        self.limits = limits
        self.dir = directory
        self.overrides = overrides  # settings of every run, e.g. duckdb_memory_limit
        self.settings = settings_for("", self.dir / "cursor_spend.duckdb", warehouse_url, **overrides)
        self.seconds: dict[str, float] = {}
        self.backfilled: dict = {}  # what the backfill's processes measured (see backfill_in_windows)
        self.builds: list[float] = []  # incremental dbt builds after the daily extract
        self.daily_rows: dict[str, int] = {}
        self.daily_peak_rss_mb = 0.0  # of the daily extract's process

    def prepare(self) -> None:
        """Backfill the history (limits off) from a fresh simulator, then ``finish``."""
        with simulator_process(self.spec) as base_url:
            backfill_in_windows(base_url, [self], WINDOW_DAYS)
        self.finish()

    def finish(self) -> None:
        """After the backfill: build it once (unless the scale says not to), then extract as a daily run does: from
        the last loaded day minus the lookback to the new day."""
        self.seconds["backfill"] = self.backfilled["seconds"]
        if self.initial_build:
            self.seconds["initial_build"] = self.dbt(*BUILD)
        options = SimulatorOptions() if self.limits else NO_LIMITS
        with simulator_process(self.spec, options) as base_url:
            daily = in_child(
                daily_extract, base_url, self.settings.duckdb_path, self.spec.end_date, self.warehouse_url, self.limits,
                self.overrides,
            )  # fmt: skip
        self.daily_rows, self.daily_peak_rss_mb = daily["rows"], daily["peak_rss_mb"]
        self.seconds["daily_startup"], self.seconds["daily_extract"] = daily["startup"], daily["extract"]

    def dbt(self, *args: str) -> float:
        """Seconds of one dbt command over this warehouse; its output goes to a log beside the warehouse."""
        started = time.perf_counter()
        run_dbt(self.settings, *args)  # its log: <dir>/dbt/logs/dbt.log
        return time.perf_counter() - started

    def export(self) -> float:
        if "export" not in self.seconds:
            _, self.seconds["export"] = timed(export_marts, self.settings)
        return self.seconds["export"]

    def count(self, table: str) -> int:
        return count(self.settings, table)


def daily_extract(
    base_url: str,
    duckdb_path: Path,
    end_date: date,
    warehouse_url: str | None = None,
    limits: bool = True,
    overrides: dict | None = None,
) -> dict:
    """In a fresh process, as ``cursor-spend run`` starts: the extract from the last loaded day minus the
    lookback to ``end_date`` (under the documented limits, or with them off), with the settings ``overrides``.
    Returns the rows loaded, the seconds of process start (imports included) and of the extract, and the peak
    RSS."""
    startup = time.time() - psutil.Process().create_time()
    if limits:
        settings, factory = settings_for(base_url, duckdb_path, warehouse_url, **(overrides or {})), CursorClient
    else:
        settings, factory = without_limits(base_url, duckdb_path, warehouse_url, **(overrides or {}))
    rows, seconds = timed(load.load, settings, end_date=end_date, client_factory=factory)
    return {"rows": rows, "startup": startup, "extract": seconds, "peak_rss_mb": peak_rss_mb()}


def load_window(base_url: str, duckdb_path: Path, warehouse_url: str | None, first: date, last: date,
                overrides: dict) -> dict:  # fmt: skip
    """In a fresh process, as ``cursor-spend extract`` or an Airflow task runs: ``load.load`` of every resource
    over ``first`` .. ``last``, limits off, with the settings ``overrides``; returns its seconds, the process's CPU
    seconds (imports included) and its peak RSS."""
    settings, factory = without_limits(base_url, duckdb_path, warehouse_url, **overrides)
    began = time.perf_counter()
    load.load(settings, first, last, client_factory=factory)
    return {"seconds": time.perf_counter() - began, "cpu_seconds": time.process_time(), "peak_rss_mb": peak_rss_mb()}


def backfill_in_windows(base_url: str, warehouses: list[History], days: int) -> None:
    """Each warehouse's history but the new day, window after window of ``days`` days, oldest first, each window
    in a fresh process; the first warehouse first on each window (it has the simulator generate the days, the next
    ones read them from the days it keeps)."""
    spec = warehouses[0].spec
    windows: list[list[dict]] = [[] for _ in warehouses]
    first, end = spec.start_date, spec.end_date - timedelta(days=1)
    while first <= end:
        last = min(end, first + timedelta(days=days - 1))
        for warehouse, own in zip(warehouses, windows, strict=True):
            paths = (warehouse.settings.duckdb_path, warehouse.warehouse_url)
            own.append(in_child(load_window, base_url, *paths, first, last, warehouse.overrides))
        first = last + timedelta(days=1)
    for warehouse, own in zip(warehouses, windows, strict=True):
        warehouse.backfilled = {
            "events": warehouse.count("cursor_raw.usage_events"),
            "seconds": sum(window["seconds"] for window in own),
            "cpu_seconds": sum(window["cpu_seconds"] for window in own),
            "peak_rss_mb": max(window["peak_rss_mb"] for window in own),
            "windows": own,
        }


def history(scale: Scale, days: int, workdir: Path, shared: dict, warehouse_url: str | None = None) -> History:
    """The prepared warehouse of ``days`` days of the history team (DuckDB, or the PostgreSQL database), shared by
    the benchmarks of one run."""
    key = ("history", days, warehouse_url)
    if key not in shared:
        spec = TeamSpec(
            api_key=API_KEY,
            members=scale.history_members,
            days=days + 1,
            end_date=scale.end_date + timedelta(days=1),
            events_per_active_day=scale.history_events_per_active_day,
            retention_days=days + 1,
        )
        directory = workdir / f"history-{days}d{'-postgres' if warehouse_url else ''}"
        shared[key] = History(scale, spec, directory, warehouse_url)
        shared[key].prepare()
    return shared[key]


def run_transform(scale: Scale, workdir: Path, shared: dict) -> Result:
    short = history(scale, scale.history_short_days, workdir, shared)
    long = history(scale, scale.history_long_days, workdir, shared)
    for n in range(scale.build_repeats):
        for warehouse in (short, long):
            if len(warehouse.builds) <= n:
                warehouse.builds.append(warehouse.dbt(*BUILD))
    full_refresh = long.dbt(*BUILD, "--full-refresh")
    short_build = statistics.median(short.builds)
    long_build = statistics.median(long.builds)
    ratio = long_build / short_build
    result = Result(
        name="transform",
        title="4. Transform cost as history grows",
        parameters={
            "members": scale.history_members,
            "history_days": [short.days, long.days],
            "events_per_active_day": scale.history_events_per_active_day,
            "incremental_builds_each": scale.build_repeats,
        },
    )
    events = {warehouse.days: warehouse.count("cursor_raw.usage_events") for warehouse in (short, long)}
    result.figures = {
        "short_events": Figure(f"usage events in the {short.days}-day warehouse", events[short.days]),
        "long_events": Figure(f"usage events in the {long.days}-day warehouse", events[long.days]),
        "short_incremental_seconds": Figure(f"dbt build, one-day incremental, {short.days} days", short_build, "s"),
        "long_incremental_seconds": Figure(f"dbt build, one-day incremental, {long.days} days", long_build, "s"),
        "incremental_ratio": Figure(f"{long.days} days / {short.days} days", ratio, "x",
                                    f"≤ {BUILD_RATIO_LIMIT:.1f}x", ratio <= BUILD_RATIO_LIMIT),
        "long_full_refresh_seconds": Figure(f"dbt build --full-refresh, {long.days} days", full_refresh, "s"),
    }  # fmt: skip
    result.details = {
        "incremental_builds_seconds": {short.days: short.builds, long.days: long.builds},
        "other_seconds": {short.days: short.seconds, long.days: long.seconds},
    }
    result.notes = [
        f"Transform: median of {scale.build_repeats} one-day incremental `dbt build`s per warehouse (seeds, models, "
        "data tests; unit tests excluded, as cursor-spend builds), run interleaved; each build is a separate dbt "
        "process, startup included."
    ]
    return result


def run_daily(scale: Scale, workdir: Path, shared: dict) -> Result:
    long = history(scale, scale.history_long_days, workdir, shared)
    if not long.builds:
        long.builds.append(long.dbt(*BUILD))
    steps = {
        "startup": long.seconds["daily_startup"],
        "extract": long.seconds["daily_extract"],
        "dbt build": long.builds[0],
        "export": long.export(),
    }
    total = sum(steps.values())
    result = Result(
        name="daily",
        title=f"5. Daily run on the {long.days}-day warehouse",
        parameters={"members": scale.history_members, "history_days": long.days},
    )
    result.figures = {
        "events_extracted": Figure("usage events extracted (new day, lookback)", long.daily_rows.get("usage_events")),
        "startup_seconds": Figure("process start and imports", steps["startup"], "s"),
        "extract_seconds": Figure("extract and load (documented limits)", steps["extract"], "s"),
        "build_seconds": Figure("dbt build (incremental)", steps["dbt build"], "s"),
        "export_seconds": Figure("Parquet export of the marts", steps["export"], "s"),
        "total_seconds": Figure("daily run end to end", total, "s", f"≤ {DAILY_SECONDS_BEFORE} s",
                                total <= DAILY_SECONDS_BEFORE),
    }  # fmt: skip
    result.details = {"rows_extracted": long.daily_rows, "lookback_days": long.settings.lookback_days}
    result.notes = [
        f"Daily run: a fresh process extracts from the last loaded day minus the {long.settings.lookback_days}-day "
        f"lookback to the new day ({sum(long.daily_rows.values()):,} rows in all tables) from a simulator with the "
        "documented limits (60 s window); then `dbt build` and the Parquet export, as `cursor-spend run` does."
    ]
    return result
