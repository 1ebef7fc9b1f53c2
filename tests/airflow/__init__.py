"""Airflow tests: one throw-away AIRFLOW_HOME with a SQLite metadata DB per test session.

Airflow reads ``AIRFLOW_HOME`` and its database URL when it is first imported, so they are set here, when the
test package is imported and before any test module imports Airflow. Test modules use the session fixture
``airflow_db`` (import it from this package), which runs ``airflow db migrate`` once and creates the
single-slot pool ``cursor_spend_duckdb``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS_DIR = REPO / "dags"
POOL = "cursor_spend_duckdb"


def airflow_env(home: Path) -> dict[str, str]:
    """The environment of an isolated Airflow: its own home, SQLite DB, this repository's dags/, no examples."""
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # SQLite allows one writer: a CLI command (`airflow backfill create`) waits up to 60 s for the scheduler's
        # write, not SQLite's default 5 s ("database is locked" on a busy 2-core machine)
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}?timeout=60",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
    }


def run_airflow(args: list[str], env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess:
    """``airflow <args>`` in a subprocess with ``env`` over this process's environment; raises on failure.

    SQLite refuses at once, without waiting out the busy timeout, the write of a transaction that began by reading
    while the scheduler writes ("database is locked"); the command's transaction is rolled back, so it runs again
    (at most three times)."""
    for attempt in range(1, 4):
        result = subprocess.run(
            [sys.executable, "-m", "airflow", *args],
            env=os.environ | env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode == 0 or "database is locked" not in result.stdout + result.stderr or attempt == 3:
            break
        time.sleep(2)
    if result.returncode != 0:
        raise RuntimeError(f"airflow {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def _session_home() -> Path:
    if "airflow" in sys.modules and os.environ.get("_CURSOR_SPEND_TEST_AIRFLOW_HOME"):
        return Path(os.environ["_CURSOR_SPEND_TEST_AIRFLOW_HOME"])
    home = Path(tempfile.mkdtemp(prefix="cursor-spend-airflow-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    os.environ.update(airflow_env(home) | {"_CURSOR_SPEND_TEST_AIRFLOW_HOME": str(home)})
    return home


SESSION_HOME = _session_home()


@pytest.fixture(scope="session")
def airflow_db() -> Iterator[Path]:
    """Migrate the session's SQLite metadata DB once and create the DuckDB pool; yields AIRFLOW_HOME."""
    env = airflow_env(SESSION_HOME)
    run_airflow(["db", "migrate"], env)
    run_airflow(["pools", "set", POOL, "1", "DuckDB single writer"], env)
    yield SESSION_HOME


def mart_snapshot(duckdb_path: Path) -> dict[str, dict[str, float]]:
    """Row count and the sum of every numeric column of every mart table (opened read-only, then closed)."""
    import duckdb

    snapshot: dict[str, dict[str, float]] = {}
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema like '%marts' and table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            numeric = [
                name
                for name, data_type in con.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = ? and table_name = ?",
                    [schema, table],
                ).fetchall()
                if data_type.split("(")[0] in {"INTEGER", "BIGINT", "DOUBLE", "DECIMAL", "HUGEINT", "FLOAT"}
            ]
            sums = ", ".join(f'round(sum("{name}"), 6)' for name in numeric)
            row = con.execute(f'select count(*){", " + sums if sums else ""} from "{schema}"."{table}"').fetchone()
            sums_by_column = {name: float(value or 0) for name, value in zip(numeric, row[1:], strict=True)}
            snapshot[table] = {"rows": row[0]} | sums_by_column
    return snapshot


def mart_days(duckdb_path: Path, table: str) -> set[str]:
    """The distinct values of the first DATE column of a mart table, as ISO strings."""
    import duckdb

    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        schema, column = con.execute(
            "select table_schema, column_name from information_schema.columns where table_schema like '%marts' "
            "and table_name = ? and data_type = 'DATE' order by ordinal_position limit 1",
            [table],
        ).fetchone()
        return {str(day) for (day,) in con.execute(f'select distinct "{column}" from "{schema}"."{table}"').fetchall()}
