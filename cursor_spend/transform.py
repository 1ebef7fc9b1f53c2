"""Transform the raw warehouse with dbt, then export the marts as Parquet for BI tools.

dbt runs as a subprocess (its own process, its own DuckDB connection) with the project's own profile; the
warehouse path reaches it through ``CURSOR_SPEND_DUCKDB`` and the business settings through ``--vars``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb

from .config import DBT_PROJECT_DIR, Settings
from .warehouse import is_lock_error, locked_message

_FAILURE = re.compile(r"\b(Failure|Error) in (model|test|unit_test|seed|snapshot|hook) (\S+)")
_MISSING_RAW = re.compile(r"Table with name \w+ does not exist")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
SEAT_PRICES_SEED = DBT_PROJECT_DIR / "seeds" / "seat_prices.csv"


class TransformError(Exception):
    """dbt or the export failed; the message says what failed and what to do."""


def _dbt_command() -> list[str]:
    dbt = Path(sys.executable).with_name("dbt")
    return [str(dbt)] if dbt.exists() else [sys.executable, "-m", "dbt.cli.main"]


def run_dbt(settings: Settings, *args: str, seat_price_usd: float | None = None) -> None:
    """Run one dbt command over the warehouse, streaming dbt's output; raise TransformError when it fails."""
    dbt_vars = settings.dbt_vars | {
        "seat_price_usd": settings.seat_price_usd if seat_price_usd is None else seat_price_usd
    }
    command = [
        *_dbt_command(),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--vars",
        json.dumps(dbt_vars),
    ]
    env = dict(os.environ, CURSOR_SPEND_DUCKDB=str(settings.duckdb_path.resolve()))
    failures: list[str] = []
    locked = missing_raw = False
    with subprocess.Popen(
        command, cwd=DBT_PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            locked = locked or is_lock_error(line)
            missing_raw = missing_raw or bool(_MISSING_RAW.search(line))
            match = _FAILURE.search(_ANSI.sub("", line))
            if match:
                failures.append(f"{match.group(2)} {match.group(3)}")
    if process.returncode == 0:
        return
    if locked:
        raise TransformError(locked_message(settings.duckdb_path))
    what = ", ".join(dict.fromkeys(failures)) or "see the dbt output above"
    hint = "raw tables are missing: run the load first" if missing_raw else "see the dbt output above"
    raise TransformError(f"dbt {args[0] if args else ''} failed: {what} ({hint})")


def export_marts(settings: Settings) -> list[Path]:
    """Write every table of schema ``marts`` to ``<export_dir>/<name>.parquet`` (atomically, via a temp file)."""
    export_dir = settings.export_dir
    export_dir.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(settings.duckdb_path), read_only=True)
    except duckdb.IOException as exc:
        if is_lock_error(str(exc)):
            raise TransformError(locked_message(settings.duckdb_path)) from exc
        raise TransformError(f"cannot open the warehouse {settings.duckdb_path}: {exc}") from exc
    paths = []
    with con:
        names = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' and table_type = 'BASE TABLE' order by table_name"
            ).fetchall()
        ]
        for name in names:
            target = export_dir / f"{name}.parquet"
            temporary = export_dir / f".{name}.parquet.tmp"
            quoted = str(temporary).replace("'", "''")
            con.execute(f"copy (select * from marts.\"{name}\") to '{quoted}' (format parquet)")
            temporary.replace(target)
            paths.append(target)
    return paths


def transform(settings: Settings, seat_price_usd: float | None = None, full_refresh: bool = False) -> list[Path]:
    """Build seeds, models and tests with dbt, then export the marts; returns the Parquet paths.

    Seat prices (the default, seeds/seat_prices.csv, committed seats) may re-price any day, so when they differ
    from the last build's the incremental models are rebuilt in full: no fact keeps days at an old price."""
    if not settings.duckdb_path.exists():
        raise TransformError(f"no warehouse at {settings.duckdb_path}; run the load first")
    price = settings.seat_price_usd if seat_price_usd is None else seat_price_usd
    prices = {
        "seat_price_usd": price,
        "seat_prices_csv": hashlib.sha256(SEAT_PRICES_SEED.read_bytes()).hexdigest(),
        "committed_seats": settings.dbt_vars.get("committed_seats", 0),
    }
    last_build = settings.warehouse_dir / ".dbt_last_build.json"
    previous = json.loads(last_build.read_text()) if last_build.exists() else prices
    if not full_refresh and previous != prices:
        print(
            "Seat prices changed since the last build (price, seeds/seat_prices.csv or committed seats): full rebuild"
        )
        full_refresh = True
    run_dbt(settings, "build", *(["--full-refresh"] if full_refresh else []), seat_price_usd=price)
    last_build.write_text(json.dumps(prices))
    return export_marts(settings)
