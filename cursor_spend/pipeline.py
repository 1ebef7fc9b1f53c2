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
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials
from dlt.pipeline.exceptions import PipelineStepFailed

from dlt_sources.cursor import Progress, cursor_source
from dlt_sources.cursor.client import CursorClient
from dlt_sources.cursor.errors import CursorAPIError, CursorConfigurationError

from .config import ConfigError, Settings
from .warehouse import WarehouseLockedError, is_lock_error, locked_message

__all__ = ["WarehouseLockedError", "check", "extract", "make_pipeline", "transform"]

log = logging.getLogger(__name__)

PIPELINE_NAME = "cursor_spend"
RAW_DATASET = "cursor_raw"
LOAD_THREADS = 2


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
    # By default dlt imports Airflow and reads an Airflow Variable on every config lookup (seconds per run) to
    # find its own secrets there; cursor-spend has its own settings. PROVIDERS__ENABLE_AIRFLOW_SECRETS=true turns
    # that back on for a destination configured in that Variable.
    os.environ.setdefault("PROVIDERS__ENABLE_AIRFLOW_SECRETS", "false")
    destination_name = os.environ.get("CURSOR_SPEND_DESTINATION", "duckdb")
    if destination_name == "duckdb":
        settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
        # bounded memory on any machine: DuckDB's limit, and its threads fixed (each thread needs its own buffers)
        config = {"memory_limit": settings.duckdb_memory_limit, "threads": LOAD_THREADS}
        credentials = DuckDbCredentials(str(settings.duckdb_path.resolve()), global_config=config)
        destination = dlt.destinations.duckdb(credentials=credentials)
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
        for cause in _causes(exc):
            if isinstance(cause, CursorAPIError):
                raise cause from None  # the source's one-line message, not dlt's wrapper
            if is_lock_error(str(cause)):
                raise WarehouseLockedError(locked_message(settings.duckdb_path)) from None
            if "Out of Memory Error" in str(cause):
                raise ConfigError(
                    f"DuckDB needed more than CURSOR_SPEND_DUCKDB_MEMORY_LIMIT={settings.duckdb_memory_limit} to load "
                    "the raw tables. Nothing is lost: raise the limit (e.g. 1GB) and run again, and the extracted "
                    "data is loaded before anything new is extracted."
                ) from None
        raise
    counts = pipeline.last_trace.last_normalize_info.row_counts if pipeline.last_trace.last_normalize_info else {}
    return {table: n for table, n in sorted(counts.items()) if not table.startswith("_dlt")}


def _causes(exc: BaseException):
    """The exception and everything it was raised from, outermost first."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def transform(settings: Settings, seat_price_usd: float | None = None, full_refresh: bool = False) -> list[Path]:
    """Build the dbt project (staging, intermediate, marts, tests) and export the marts as Parquet."""
    from .transform import transform as build

    return build(settings, seat_price_usd=seat_price_usd, full_refresh=full_refresh)
