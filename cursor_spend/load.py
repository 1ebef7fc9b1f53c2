"""The load step, as the CLI and the Airflow DAGs run it: check the keys, then extract from the Cursor Admin API
and load the raw tables (dlt).

Raw tables land in the dataset ``cursor_raw`` of the warehouse (settings.warehouse: the DuckDB file, or the
PostgreSQL database of CURSOR_SPEND_WAREHOUSE). Where each resource stands is the warehouse's word (a warehouse
restored from an older copy is read again from its own last days: :mod:`.warehouse_state`); a load an earlier run
left unfinished (killed, interrupted, locked, out of memory) is finished first, then the requested window is
extracted, in the same run. On PostgreSQL the step holds the warehouse's writer lock (:mod:`.locking`) and the
database enforces each raw table's keys (:mod:`.raw_keys`), so no two writers at once can leave a key twice.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import dlt
from dlt.common.runtime.collector import Collector
from dlt.extract import DltSource
from dlt.pipeline.exceptions import PipelineStepFailed

from dlt_sources.cursor import cursor_source
from dlt_sources.cursor.client import CursorClient
from dlt_sources.cursor.errors import CursorAPIError, CursorConfigurationError
from dlt_sources.cursor.organization import check_organization, key_of_other_kind

from .config import Settings
from .errors import ConfigError, WarehouseError, WarehouseLockedError
from .files import refusal
from .locking import exclusive
from .marts import LOAD_SCHEMAS, RAW_SCHEMA
from .raw_keys import check_raw_tables, enforce_keys
from .warehouse import is_lock_error, locked_message
from .warehouse_state import follow_the_warehouse

log = logging.getLogger(__name__)

PIPELINE_NAME = "cursor_spend"
KEEP_LOADED_PACKAGES = 7  # dlt keeps a folder per completed load: the newest few stay for inspection


def _require_teams(settings: Settings) -> None:
    if not settings.teams and not settings.organization:
        raise ConfigError(
            "no Cursor Admin API key configured: set CURSOR_API_KEY (or CURSOR_API_KEYS for several teams, or "
            "CURSOR_ORG_API_KEY for an organization), or run the demo with `make demo`"
        )


def request_log_dir(settings: Settings) -> Path:
    """Where the clients of every process log their recent requests per team (the API's limits are per team)."""
    return settings.warehouse_dir / ".dlt" / "requests"


def client(settings: Settings, label: str, factory: Callable[..., CursorClient] = CursorClient) -> CursorClient:
    return factory(
        settings.teams[label],
        label,
        settings.base_url,
        rate_limit_window=settings.rate_limit_window,
        request_log_dir=request_log_dir(settings),
    )


def check(settings: Settings, client_factory: Callable[..., CursorClient] = CursorClient) -> dict[str, int]:
    """Validate every team's key against ``/teams/members``, as the peers do, and the organization's key (its
    pooled usage and members); returns team -> member count (an organization's teams labelled by team id).

    Raises :class:`CursorConfigurationError` with a one-line cause and fix for a bad or non-admin key, a key of the
    other kind (a team's key given as the organization's, or the reverse), an organization key without a scope it
    needs, a plan without the Admin API, a wrong team (empty roster) or a URL that is not the Admin API."""
    _require_teams(settings)
    sizes = {}
    for label in settings.teams:
        with client(settings, label, client_factory) as api:
            try:
                roster = api.get("/teams/members").get("teamMembers")
            except CursorConfigurationError as exc:
                raise key_of_other_kind(api, exc) or exc from None
        if not roster:
            raise CursorConfigurationError(
                f"team {label!r}: the key's team has no members. The key was probably created in another team "
                "(one person can belong to several). Fix: create the key from the team you want to track."
            )
        sizes[label] = len(roster)
    if settings.organization:
        with org_client(settings, client_factory) as api:
            sizes |= check_organization(api, settings.organization)
    return sizes


def org_client(settings: Settings, factory: Callable[..., CursorClient] = CursorClient) -> CursorClient:
    key = settings.organization
    return factory(
        key.api_key,
        key.organization_id,
        settings.base_url,
        rate_limit_window=settings.rate_limit_window,
        request_log_dir=request_log_dir(settings),
        kind="organization",
    )


def _without_refused_writes(record: logging.LogRecord) -> bool:
    """dlt logs, with its traceback, each working file it could not write on a full or read-only disk (its run
    trace, a job's exception): the run's own error says so in one line (:func:`load_errors`)."""
    return not (record.exc_info and refusal(record.exc_info[1]))


def make_pipeline(
    settings: Settings,
    progress: Collector | None = None,
    name: str = PIPELINE_NAME,
    dataset: str = RAW_SCHEMA,
    job: str = "extract",
) -> dlt.Pipeline:
    """A dlt pipeline into the warehouse (by default the raw load's; its connections named after ``job``); its
    working state lives beside the warehouse so each warehouse is self-contained."""
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    logging.getLogger("dlt").addFilter(_without_refused_writes)  # once: a filter is added only once
    dlt.config["load.delete_completed_jobs"] = True  # loaded files are in the warehouse: no second copy on disk
    # Ctrl-C and SIGTERM stop the run where it is (the next run finishes the package): dlt's own handlers in normalize
    # and load would defer them to their next check and forget one that arrives after it
    dlt.config["runtime.intercept_signals"] = False
    return dlt.pipeline(
        pipeline_name=name,
        pipelines_dir=str(settings.warehouse_dir.resolve() / ".dlt"),
        destination=settings.warehouse.destination(job),
        dataset_name=dataset,
        progress=progress,
    )


def load(
    settings: Settings,
    start_date: date | None = None,
    end_date: date | None = None,
    teams: list[str] | None = None,
    progress: Collector | None = None,
    client_factory: Callable[..., CursorClient] = CursorClient,
) -> dict[str, int]:
    """Check the warehouse and the keys, finish any load left pending, then extract and load into the raw
    dataset; returns rows loaded per table.

    Without dates: from the last loaded day minus the lookback (or ``initial_days`` back on a first run) to
    yesterday. With dates: exactly that window (a backfill)."""
    settings = settings.with_teams(teams)
    settings.warehouse.check(creates=LOAD_SCHEMAS)
    check(settings, client_factory)
    pipeline = make_pipeline(settings, progress)
    source = cursor_source(
        teams=settings.teams,
        base_url=settings.base_url,
        start_date=start_date,
        end_date=end_date,
        lookback_days=settings.lookback_days,
        initial_days=settings.initial_days,
        rate_limit_window=settings.rate_limit_window,
        request_log_dir=request_log_dir(settings),
        client_factory=client_factory,
        organization=settings.organization,
    )
    if settings.warehouse.kind == "duckdb":
        parquet_on_duckdb(source)
    with exclusive(settings, "extract"), load_errors(settings):
        check_raw_tables(settings.warehouse)
        enforce_keys(settings.warehouse)
        pipeline = follow_the_warehouse(pipeline, str(settings.warehouse))
        finish_pending(pipeline)
        counts = run_in_steps(pipeline, source)
        enforce_keys(settings.warehouse)  # on the tables this run created
    prune_loaded_packages(pipeline)
    return {table: n for table, n in sorted(counts.items()) if not table.startswith("_dlt")}


def run_in_steps(pipeline: dlt.Pipeline, source: DltSource) -> dict[str, int]:
    """What dlt's ``pipeline.run`` does (the state from the warehouse first, then extract, normalize, load), with
    the memory each step freed handed back before the next; returns the rows normalized per table."""
    if pipeline.config.restore_from_destination:
        pipeline.sync_destination()
    pipeline.extract(source)
    release_memory()
    counts = pipeline.normalize().row_counts
    release_memory()
    pipeline.load()
    return counts


def release_memory() -> None:
    """Give the system back what a step freed. The extract of a big window frees its pages and counters, but
    Python's allocator, glibc's malloc and Arrow's memory pool keep freed memory for reuse, and the load would
    add DuckDB's buffer pool on top of it: for a window of a million events the load's peak fell by some 60 MB.
    ``malloc_trim`` is glibc's (Linux); elsewhere only Python's and Arrow's part is done."""
    import pyarrow

    gc.collect()
    pyarrow.default_memory_pool().release_unused()
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)


def parquet_on_duckdb(source: DltSource) -> None:
    """Every table loads into DuckDB from Parquet files (usage events already come as Arrow tables). DuckDB parses
    an INSERT ... VALUES statement outside its memory limit (~1 GB for a few thousand rows of daily usage), and dlt
    runs several such jobs at once: for a 5,000-member team the load step rose past 1.8 GB."""
    for resource in source.resources.values():
        resource.apply_hints(file_format="parquet")


def finish_pending(pipeline: dlt.Pipeline) -> None:
    """Load what an interrupted run extracted but did not load (dlt's ``run`` would load only that and skip the
    new window): nothing is lost, nothing is counted twice (every table merges on its keys)."""
    if pipeline.has_pending_data:
        log.warning("finishing the load an earlier run left pending, then extracting the requested window")
        pipeline.normalize()
        pipeline.load()


def prune_loaded_packages(pipeline: dlt.Pipeline, keep: int = KEEP_LOADED_PACKAGES) -> None:
    """dlt keeps a folder per completed load (schema and state, its files deleted): keep the newest ``keep``."""
    for load_id in sorted(pipeline.list_completed_load_packages())[:-keep]:
        shutil.rmtree(Path(pipeline.working_dir) / "load" / "loaded" / load_id, ignore_errors=True)


@contextmanager
def load_errors(settings: Settings) -> Iterator[None]:
    """dlt wraps every failure of a step: turn the expected ones back into one-line errors."""
    try:
        yield
    except PipelineStepFailed as exc:
        for cause in causes(exc):
            if isinstance(cause, KeyboardInterrupt | CursorAPIError | WarehouseError):
                raise cause from None  # an interrupt, or the source's one-line message, not dlt's wrapper
            if is_lock_error(str(cause)):
                raise WarehouseLockedError(locked_message(settings.duckdb_path)) from None
            if (lost := _postgres_error(cause, settings)) is not None:
                raise lost from None
            local = isinstance(cause, OSError) or settings.warehouse.kind == "duckdb"  # not the server's disk
            if local and (refused := refusal(cause)):  # dlt's working files or the DuckDB file
                raise WarehouseError(
                    f"cannot load into the {settings.warehouse}: {refused} in {settings.warehouse_dir.resolve()} "
                    "(dlt's working files). Nothing is lost: make room there and run again; what was extracted is "
                    "loaded first."
                ) from None
            if "Out of Memory Error" in str(cause):
                raise ConfigError(
                    f"DuckDB needed more than CURSOR_SPEND_DUCKDB_MEMORY_LIMIT={settings.duckdb_memory_limit} to load "
                    "the raw tables. Nothing is lost: raise the limit (e.g. 1GB) and run again, and the extracted "
                    "data is loaded before anything new is extracted."
                ) from None
        raise
    except Exception as exc:  # outside dlt's steps (reading the warehouse's dlt state): what the server said
        if isinstance(exc, ConfigError | WarehouseError | CursorAPIError):
            raise  # already one line
        for cause in causes(exc):
            if (lost := _postgres_error(cause, settings)) is not None:
                raise lost from None
        raise


def _postgres_error(cause: BaseException, settings: Settings) -> WarehouseError | None:
    """What PostgreSQL said, as one line: the server gone, another writer, or a refusal. Nothing is half-loaded
    (each table's merge is a transaction of its own) and the next run loads what this one extracted, first."""
    if not settings.warehouse.url:
        return None
    import psycopg2

    if not isinstance(cause, psycopg2.Error):
        return None
    reason, code, warehouse = (
        (str(cause).strip() or type(cause).__name__).splitlines()[0],
        cause.pgcode or "",
        settings.warehouse,
    )
    for secret in settings.secrets:
        reason = reason.replace(secret, "***")
    again = "nothing is half-loaded: run again, and what was extracted is loaded first"
    if not code or code.startswith(("08", "57P")):  # no connection, or the server shutting down
        return WarehouseError(f"lost the connection to the {warehouse} during the load ({reason}); start it, {again}")
    if code in ("23505", "40P01"):  # unique violation, deadlock: a writer that did not take the lock
        return WarehouseError(
            f"another process wrote the raw tables of the {warehouse} at the same time ({reason}); {again}"
        )
    return WarehouseError(f"the {warehouse} refused the load ({reason}); {again}")


def causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it was raised from, outermost first."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__
