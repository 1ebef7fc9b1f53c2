"""Benchmark 7, teams side by side: a backfill of several teams (Enterprise, the AI Code Tracking and Analytics
routes included) under the documented rate limits, with a shortened window, against each team's backfill alone.

Each team has its own limits, so a run that reads the teams side by side takes about as long as its slowest team
alone; one that reads them one after the other takes their sum. Every run gets a fresh simulator process (no
server-side window left over from the run before) and a warehouse of its own.
"""

from __future__ import annotations

import time
from pathlib import Path

from cursor_simulator import SimulatorOptions, TeamSpec
from cursor_spend import load
from cursor_spend.config import load_settings
from dlt_sources.cursor.settings import RETENTION_DAYS

from .report import Figure, Result
from .scales import Scale
from .served import served_requests, simulator_process

TARGET = 1.3  # the issue's: all teams together within 1.3x of the slowest team alone


def team_specs(scale: Scale) -> dict[str, TeamSpec]:
    """Team label -> its spec: teams of the same size, each with its own data (seed) and key."""
    return {
        f"team{k}": TeamSpec(
            api_key="crsr_" + chr(ord("C") + k) * 64,
            seed=11 + k,
            team_id=20001 + k,
            domain=f"team{k}.io",
            members=scale.teams_members,
            days=scale.teams_days,
            end_date=scale.end_date,
            events_per_active_day=scale.teams_events_per_active_day,
            retention_days=max(RETENTION_DAYS, scale.teams_days),
        )
        for k in range(scale.teams)
    }


def backfill(specs: dict[str, TeamSpec], scale: Scale, folder: Path) -> dict:
    """One backfill of ``specs``' teams against a fresh simulator: its seconds, rows and 429s."""
    window = scale.teams_window_seconds
    options = SimulatorOptions(rate_limits=True, window_seconds=window)
    first = next(iter(specs.values()))
    with simulator_process(list(specs.values()), options) as base_url:
        keys = ", ".join(f'"{label}": "{spec.api_key}"' for label, spec in specs.items())
        env = {"CURSOR_API_KEYS": "{" + keys + "}", "CURSOR_API_BASE_URL": base_url,
               "CURSOR_SPEND_DUCKDB": str(folder / "cursor_spend.duckdb")}  # fmt: skip
        settings = load_settings(env=env, rate_limit_window=window)
        started = time.perf_counter()
        rows = load.load(settings, first.start_date, first.end_date)
        seconds = time.perf_counter() - started
        served = served_requests(base_url)
    throttled = sum(n for (_route, status), n in served.items() if status == 429)
    return {"seconds": seconds, "events": rows.get("usage_events", 0), "requests": sum(served.values()),
            "responses_429": throttled}  # fmt: skip


def run(scale: Scale, workdir: Path, shared: dict) -> Result:
    specs = team_specs(scale)
    alone = {label: backfill({label: spec}, scale, workdir / "teams" / label) for label, spec in specs.items()}
    together = backfill(specs, scale, workdir / "teams" / "together")
    slowest = max(run["seconds"] for run in alone.values())
    summed = sum(run["seconds"] for run in alone.values())
    ratio = together["seconds"] / slowest
    throttled = together["responses_429"] + sum(run["responses_429"] for run in alone.values())
    result = Result(
        name="teams",
        title="7. Teams side by side",
        parameters={
            "teams": scale.teams,
            "members_per_team": scale.teams_members,
            "days": scale.teams_days,
            "events_per_active_day": scale.teams_events_per_active_day,
            "window_seconds": scale.teams_window_seconds,
        },
    )
    result.figures = {
        "events": Figure("usage events backfilled, all teams", together["events"]),
        "slowest_alone_seconds": Figure("slowest team's backfill alone", slowest, "s"),
        "sum_alone_seconds": Figure("the teams' backfills alone, summed", summed, "s"),
        "together_seconds": Figure("all teams in one run", together["seconds"], "s"),
        "together_vs_slowest": Figure("all teams / slowest alone", ratio, "x", f"≤ {TARGET:.2f}x", ratio <= TARGET),
        "responses_429": Figure("429 responses", throttled, "", "0", throttled == 0),
    }
    result.details = {"alone": alone, "together": together}
    result.notes = [
        f"Teams side by side: {scale.teams} Enterprise teams of {scale.teams_members} members, {scale.teams_days} "
        f"days, the documented limits per team with the window shortened to {scale.teams_window_seconds:g} s; "
        "each backfill (check, extract, normalize, load into DuckDB) against a fresh simulator process."
    ]
    if together["events"] != sum(run["events"] for run in alone.values()):
        result.error = "the teams together loaded other events than the teams alone"
    return result
