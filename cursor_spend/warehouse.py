"""DuckDB's single-writer lock, recognised in one place for the loader and for dbt."""

from __future__ import annotations

from pathlib import Path

LOCK_MARKERS = ("Could not set lock", "Conflicting lock")


class WarehouseLockedError(Exception):
    """DuckDB's file lock is held by another process (DuckDB allows one writer at a time)."""


def is_lock_error(text: str) -> bool:
    """Whether DuckDB's message (or a line of dbt's output) says the file lock is held elsewhere."""
    return any(marker in text for marker in LOCK_MARKERS)


def locked_message(path: Path) -> str:
    return (
        f"the warehouse {path} is in use by another process (DuckDB allows one writer at a time, e.g. a running "
        "Airflow task, `cursor-spend` command or an open DuckDB shell): wait for it to finish and retry"
    )
