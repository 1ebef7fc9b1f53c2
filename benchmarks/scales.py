"""How big each benchmark runs: ``full`` is the issue's setup, ``quick`` a few-minute look, ``tiny`` the smoke
test's (it checks the harness, not the speed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Scale:
    name: str
    # 1. API efficiency: a backfill under the documented limits, with a shortened rate-limit window
    api_members: int
    api_days: int
    api_events_per_active_day: float
    api_window_seconds: float
    # 2-3. throughput and memory, limits off: one team, a short and a long window of days (~100k and ~1M events)
    volume_members: int
    volume_events_per_active_day: float
    volume_small_days: int
    volume_large_days: int
    # 4-5. transform cost and the daily run: the same team with a short and a long history
    history_members: int
    history_events_per_active_day: float
    history_short_days: int
    history_long_days: int
    build_repeats: int  # incremental dbt builds timed per history, interleaved; the median counts
    # 7. teams side by side: several Enterprise teams under the documented limits, with a shortened window
    teams: int
    teams_members: int
    teams_days: int
    teams_events_per_active_day: float
    teams_window_seconds: float
    # 8. ten million events, limits off: one Enterprise team, on DuckDB and on PostgreSQL
    large_members: int
    large_days: int
    large_events_per_active_day: float
    large_duckdb_memory_limit: str  # CURSOR_SPEND_DUCKDB_MEMORY_LIMIT for this team (see benchmarks/large.py)
    # Build each history once before its daily extract, so the timed builds are one-day incrementals; the tiny scale
    # leaves it out (its timed builds then build everything once: it checks the harness, not the speed)
    initial_build: bool = True
    end_date: date = date(2026, 11, 20)  # the last day with data, fixed so every run sees the same data


SCALES = {
    "full": Scale(
        name="full",
        api_members=200, api_days=30, api_events_per_active_day=60, api_window_seconds=30.0,
        volume_members=1000, volume_events_per_active_day=75, volume_small_days=3, volume_large_days=30,
        history_members=200, history_events_per_active_day=20, history_short_days=30, history_long_days=365,
        build_repeats=3,
        teams=4, teams_members=100, teams_days=30, teams_events_per_active_day=10, teams_window_seconds=30.0,
        large_members=5000, large_days=30, large_events_per_active_day=150, large_duckdb_memory_limit="128MB",
    ),
    "quick": Scale(
        name="quick",
        api_members=200, api_days=30, api_events_per_active_day=20, api_window_seconds=5.0,
        volume_members=1000, volume_events_per_active_day=75, volume_small_days=1, volume_large_days=5,
        history_members=200, history_events_per_active_day=20, history_short_days=30, history_long_days=120,
        build_repeats=1,
        teams=4, teams_members=50, teams_days=14, teams_events_per_active_day=20, teams_window_seconds=5.0,
        large_members=1000, large_days=5, large_events_per_active_day=75, large_duckdb_memory_limit="128MB",
    ),
    "tiny": Scale(
        name="tiny",
        api_members=10, api_days=3, api_events_per_active_day=20, api_window_seconds=1.0,
        volume_members=20, volume_events_per_active_day=20, volume_small_days=1, volume_large_days=2,
        history_members=10, history_events_per_active_day=20, history_short_days=3, history_long_days=6,
        build_repeats=1, initial_build=False,
        teams=2, teams_members=5, teams_days=2, teams_events_per_active_day=10, teams_window_seconds=1.0,
        large_members=10, large_days=3, large_events_per_active_day=20, large_duckdb_memory_limit="128MB",
    ),
}  # fmt: skip
