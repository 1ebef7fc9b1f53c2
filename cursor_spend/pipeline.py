"""The pipeline both the CLI and the Airflow DAGs run: check the keys, extract and load, transform.

Raw tables land in the dataset ``cursor_raw`` of the destination (DuckDB at ``settings.duckdb_path`` unless
CURSOR_SPEND_DESTINATION names another dlt destination, configured the dlt way).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import dlt
from dlt.pipeline.exceptions import PipelineStepFailed

from dlt_sources.cursor import Progress, cursor_source
from dlt_sources.cursor.client import CursorClient
from dlt_sources.cursor.errors import CursorAPIError, CursorConfigurationError

from .config import ConfigError, Settings

log = logging.getLogger(__name__)

PIPELINE_NAME = "cursor_spend"
RAW_DATASET = "cursor_raw"
LOCK_MARKERS = ("Could not set lock on file", "Conflicting lock is held")


class WarehouseLockedError(Exception):
    """DuckDB's file lock is held by another process (DuckDB allows one writer at a time)."""


def _locked_message(path: Path) -> str:
    return (
        f"the warehouse {path} is in use by another process (DuckDB allows one writer at a time, e.g. a running "
        "Airflow task, `cursor-spend` command or an open DuckDB shell): wait for it to finish and retry"
    )


def _require_teams(settings: Settings) -> None:
    if not settings.teams:
        raise ConfigError(
            "no Cursor Admin API key configured: set CURSOR_API_KEY (or CURSOR_API_KEYS for several teams), "
            "or run the demo with `make demo`"
        )


def check(settings: Settings) -> dict[str, int]:
    """Validate every team's key against ``/teams/members``, as the peers do; returns team -> member count.

    Raises :class:`CursorConfigurationError` with a one-line cause and fix for a bad or non-admin key, a plan
    without the Admin API, a wrong team (empty roster)."""
    _require_teams(settings)
    sizes = {}
    for label, key in settings.teams.items():
        with CursorClient(key, label, settings.base_url, rate_limit_window=settings.rate_limit_window) as client:
            roster = client.get("/teams/members").get("teamMembers")
        if not roster:
            raise CursorConfigurationError(
                f"team {label!r}: the key's team has no members. The key was probably created in another team "
                "(one person can belong to several). Fix: create the key from the team you want to track."
            )
        sizes[label] = len(roster)
    return sizes


def make_pipeline(settings: Settings) -> dlt.Pipeline:
    """The dlt pipeline; its working state lives beside the warehouse so each warehouse is self-contained."""
    destination_name = os.environ.get("CURSOR_SPEND_DESTINATION", "duckdb")
    if destination_name == "duckdb":
        settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
        destination = dlt.destinations.duckdb(credentials=str(settings.duckdb_path.resolve()))
    else:
        destination = destination_name
    return dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        pipelines_dir=str(settings.warehouse_dir.resolve() / ".dlt"),
        destination=destination,
        dataset_name=RAW_DATASET,
        progress="log" if os.environ.get("CURSOR_SPEND_DLT_PROGRESS") else None,
    )


def extract(
    settings: Settings,
    start_date: date | None = None,
    end_date: date | None = None,
    teams: list[str] | None = None,
    progress: Progress | None = None,
    client_factory: Callable[..., CursorClient] = CursorClient,
) -> dict[str, int]:
    """Check the keys, then extract and load into the raw dataset; returns rows loaded per table.

    Without dates: from the last loaded day minus the lookback (or ``initial_days`` back on a first run) to
    yesterday. With dates: exactly that window (a backfill)."""
    settings = settings.with_teams(teams)
    check(settings)
    pipeline = make_pipeline(settings)
    source = cursor_source(
        teams=settings.teams,
        base_url=settings.base_url,
        start_date=start_date,
        end_date=end_date,
        lookback_days=settings.lookback_days,
        initial_days=settings.initial_days,
        rate_limit_window=settings.rate_limit_window,
        progress=progress,
        client_factory=client_factory,
    )
    try:
        pipeline.run(source)
    except PipelineStepFailed as exc:
        cause = exc.__cause__ or exc.exception
        while isinstance(cause, PipelineStepFailed | Exception) and not isinstance(cause, CursorAPIError):
            if any(marker in str(cause) for marker in LOCK_MARKERS):
                raise WarehouseLockedError(_locked_message(settings.duckdb_path)) from None
            if cause.__cause__ is None and cause.__context__ is None:
                break
            cause = cause.__cause__ or cause.__context__
        if isinstance(cause, CursorAPIError):
            raise cause from None
        raise
    counts = pipeline.last_trace.last_normalize_info.row_counts if pipeline.last_trace.last_normalize_info else {}
    return {table: n for table, n in sorted(counts.items()) if not table.startswith("_dlt")}


def transform(settings: Settings, seat_price_usd: float | None = None, full_refresh: bool = False) -> list[Path]:
    """Build the dbt project (staging, intermediate, marts, tests) and export the marts as Parquet."""
    from .transform import transform as build

    return build(settings, seat_price_usd=seat_price_usd, full_refresh=full_refresh)
