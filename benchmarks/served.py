"""The Cursor Admin API simulator in its own process, so the server and the pipeline under test never share a
GIL, and the settings of a pipeline that reads it."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import httpx

from cursor_simulator import Simulator, SimulatorOptions, TeamSpec, free_port
from cursor_simulator.server import serve_forever
from cursor_spend.config import Settings, load_settings
from cursor_spend.marts.reader import open_reader
from dlt_sources.cursor.client import CursorClient

API_KEY = "crsr_" + "B" * 64
TEAM = "acme"
HOST = "127.0.0.1"
NO_LIMITS = SimulatorOptions(rate_limits=False)


def _serve(specs: list[TeamSpec], options: SimulatorOptions, port: int) -> None:
    serve_forever(Simulator(specs, options), HOST, port)


@contextmanager
def simulator_process(spec: TeamSpec | list[TeamSpec], options: SimulatorOptions = NO_LIMITS) -> Iterator[str]:
    """Serve one team (or several) from a fresh process for the duration of a ``with`` block; yields the base
    URL."""
    port = free_port(HOST)
    specs = spec if isinstance(spec, list) else [spec]
    process = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(specs, options, port), name="cursor-api-simulator", daemon=True
    )
    process.start()
    base_url = f"http://{HOST}:{port}"
    try:
        _wait_until_up(base_url, process)
        yield base_url
    finally:
        process.terminate()
        process.join(timeout=10)


def _wait_until_up(base_url: str, process: multiprocessing.Process, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.is_alive():
            raise RuntimeError(f"the simulator process exited with code {process.exitcode} before serving")
        try:
            httpx.get(f"{base_url}/_simulator/stats", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"the simulator did not answer on {base_url} within {timeout:.0f}s")


def served_requests(base_url: str) -> Counter:
    """(route, HTTP status) -> requests the simulator has answered (its ``/_simulator/stats``)."""
    rows = httpx.get(f"{base_url}/_simulator/stats", timeout=10.0).json()["requests"]
    return Counter({(row["route"], row["status"]): row["count"] for row in rows})


TIMEOUT = 300.0  # a fresh simulator builds a whole window on its first page (~30 s for a million events)


def settings_for(base_url: str, duckdb_path: Path, warehouse_url: str | None = None, **overrides) -> Settings:
    """Settings of a pipeline run against the simulator at ``base_url`` into the warehouse ``duckdb_path`` (or the
    PostgreSQL database ``warehouse_url``, the DuckDB path's folder then holding the local working files)."""
    env = {
        "CURSOR_API_KEY": API_KEY,
        "CURSOR_TEAM": TEAM,
        "CURSOR_API_BASE_URL": base_url,
        "CURSOR_SPEND_DUCKDB": str(duckdb_path),
        "CURSOR_SPEND_WAREHOUSE": warehouse_url or "",
    }
    return load_settings(env=env, **overrides)


def without_limits(
    base_url: str, duckdb_path: Path, warehouse_url: str | None = None, **overrides
) -> tuple[Settings, Callable[..., CursorClient]]:
    """The settings and client factory of a run with the rate limits off: no limiter, and a timeout a fresh
    simulator's first page fits in."""
    settings = settings_for(base_url, duckdb_path, warehouse_url, rate_limit_window=0, **overrides)
    return settings, partial(CursorClient, timeout=TIMEOUT)


def count(settings: Settings, table: str) -> int:
    """Rows of a table of the run's warehouse, whichever it is."""
    with open_reader(settings.warehouse) as reader:
        return reader.first(f"select count(*) from {table}")[0]
