"""The transform step: build the dbt project over the raw warehouse (seeds, staging, intermediate, marts, tests).

dbt runs as a subprocess (its own process and connection) with the project's own profile; the warehouse reaches
it through the variables of :meth:`Warehouse.dbt_env` and the business settings through ``--vars`` (only those the
user set: the project's defaults in dbt_project.yml are the defaults). dbt's log goes to a file beside the
warehouse; the terminal shows a progress bar and one result line, read from dbt's ``run_results.json``.

dbt parses the whole project (several seconds) whenever a target folder has no parse of its own; a new DuckDB
warehouse starts from the last parse kept in the user's cache for the same project, file name and vars. dbt itself
checks that a parse still applies (project files, vars, profile) and parses again when it does not.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import DBT_PROJECT_DIR, Settings
from .errors import TransformError, WarehouseLockedError
from .locking import blockers, exclusive
from .marts import DBT_SCHEMAS
from .warehouse import is_lock_error, locked_message

log = logging.getLogger(__name__)

PASSED = {"success", "pass"}
FAILED = {"error", "fail", "runtime error"}
LOCK_TIMEOUT = "canceling statement due to lock timeout"  # PostgreSQL's message (55P03) when lock_timeout passes


@dataclass(frozen=True)
class BuildResult:
    """What one dbt command did, from its run_results.json."""

    statuses: Counter
    failed: list[str]  # "model fct_x", "test unique_y" ...
    log_path: Path

    @property
    def line(self) -> str:
        passed = sum(n for status, n in self.statuses.items() if status in PASSED)
        errors = sum(n for status, n in self.statuses.items() if status in FAILED)
        text = f"{passed} passed, {self.statuses['warn']} warnings, {errors} errors, {self.statuses['skipped']} skipped"
        return text + (f" (failed: {', '.join(self.failed)})" if self.failed else "")


def dbt_dirs(settings: Settings) -> tuple[Path, Path]:
    """dbt's target and log folders: beside the warehouse, never inside the (possibly installed) project."""
    root = settings.warehouse_dir / "dbt"
    return root / "target", root / "logs"


def parse_cache(settings: Settings) -> Path | None:
    """Where dbt's parse of the project is kept for new warehouses of the same kind: DuckDB files of the same name
    and vars (PostgreSQL profiles hold credentials: their parse stays in their own target folder)."""
    if settings.warehouse.url:
        return None
    key = json.dumps([str(DBT_PROJECT_DIR), settings.duckdb_path.name, dbt_vars(settings)], sort_keys=True)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cursor-spend" / "dbt-parse"
    return cache / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.msgpack"


def _copy(source: Path, destination: Path) -> None:
    """Copy through a temporary file, so a concurrent reader never sees half a file. The parse is only worth a few
    seconds: a cache folder that cannot be written (read-only home, full disk) costs a full parse, never the run."""
    partial = destination.with_name(f".{destination.name}.{os.getpid()}")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, partial)
        os.replace(partial, destination)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        log.debug("dbt's parse not copied to %s: %s", destination, exc)


def dbt_vars(settings: Settings) -> dict:
    """The vars the user set (CURSOR_SEAT_PRICE_USD, --seat-price-usd, CURSOR_SPEND_DBT_VARS, CURSOR_SPEND_READER_ROLES,
    CURSOR_SPEND_LOCK_TIMEOUT)."""
    values = dict(settings.dbt_vars)
    if settings.seat_price_usd is not None:
        values["seat_price_usd"] = str(settings.seat_price_usd)
    if settings.reader_roles:
        values["reader_roles"] = list(settings.reader_roles)
    if settings.lock_timeout is not None:
        values["lock_timeout"] = f"{settings.lock_timeout * 1000:.0f}ms"
    return values


def _dbt_command() -> list[str]:
    dbt = Path(sys.executable).with_name("dbt")
    return [str(dbt)] if dbt.exists() else [sys.executable, "-m", "dbt.cli.main"]


def _die_with_parent() -> None:
    """Runs in the dbt child before exec: the kernel sends it SIGTERM when the CLI dies, even by SIGKILL, so no
    orphaned dbt keeps the warehouse locked."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def run_dbt(settings: Settings, *args: str, on_progress: Callable[[int, int], None] | None = None) -> BuildResult:
    """Run one dbt command over the warehouse; raise TransformError (or WarehouseLockedError) when it fails.

    dbt's JSON log lines are read for progress (``on_progress(done, total)``) and its text log goes to
    ``<warehouse dir>/dbt/logs/dbt.log``."""
    target, logs = dbt_dirs(settings)
    command = [
        *_dbt_command(), *args,
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target.resolve()), "--log-path", str(logs.resolve()),
        "--log-format", "json", "--log-format-file", "text", "--no-use-colors",
        "--vars", json.dumps(dbt_vars(settings)),
    ]  # fmt: skip
    env = os.environ | settings.warehouse.dbt_env() | {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}  # no .user.yml
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)  # dbt runs there
    (target / "run_results.json").unlink(missing_ok=True)
    parsed, cached = target / "partial_parse.msgpack", parse_cache(settings)
    if cached and cached.is_file() and not parsed.exists():
        _copy(cached, parsed)
    errors: list[str] = []
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    process = subprocess.Popen(
        command, cwd=settings.warehouse_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=preexec,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        for line in process.stdout:
            _follow(line, errors, on_progress)
        process.wait()
    except BaseException:  # an interrupt: stop dbt with us, then let the caller report it
        process.terminate()
        process.wait(30)
        raise
    if cached and process.returncode == 0 and parsed.is_file():
        _copy(parsed, cached)
    return _result(settings, args, process.returncode, errors, target, logs)


def _follow(line: str, errors: list[str], on_progress: Callable[[int, int], None] | None) -> None:
    try:
        event = json.loads(line)
    except ValueError:
        errors.append(line.strip())  # not dbt's JSON: a crash before its logger started
        return
    info, data = event.get("info", {}), event.get("data", {})
    if info.get("level") == "error" and info.get("msg"):
        errors.append(str(info["msg"]).strip())
    if on_progress and info.get("name", "").endswith("Result") and data.get("total"):
        on_progress(int(data.get("index") or 0), int(data["total"]))


def _result(settings: Settings, args: tuple, code: int, errors: list[str], target: Path, logs: Path) -> BuildResult:
    results_file = target / "run_results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    statuses = Counter(str(r["status"]) for r in results)
    failed = [_node_name(r["unique_id"]) for r in results if str(r["status"]) in FAILED]
    result = BuildResult(statuses, failed, logs / "dbt.log")
    if code == 0:
        return result
    text = "\n".join(errors)
    if is_lock_error(text):
        raise WarehouseLockedError(locked_message(settings.duckdb_path))
    command = f"dbt {args[0] if args else ''}".strip()
    if failed and all(LOCK_TIMEOUT in str(r.get("message")) for r in results if str(r["status"]) in FAILED):
        raise WarehouseLockedError(_blocked_message(settings, failed))
    if failed:
        raise TransformError(f"{command} failed: {result.line}; see {result.log_path}")
    first = next((" ".join(line.strip() for line in e.splitlines() if line.strip()) for e in errors if e), "no output")
    for secret in settings.secrets:
        first = first.replace(secret, "***")
    raise TransformError(f"{command} failed before running anything: {first[:300]}; see {result.log_path}")


def _node_name(unique_id: str) -> str:
    kind, _, rest = unique_id.partition(".")
    return f"{kind.replace('_', ' ')} {rest.split('.', 1)[-1]}"


# What a run builds: seeds, models and their data tests, without dbt's unit tests. Unit tests check the SQL of the
# models against fixed inputs, never the warehouse's data, so (as dbt advises) production builds leave them to
# development and CI: `make test` runs them on DuckDB and PostgreSQL, and a plain `dbt build` still runs them.
BUILD = ("build", "--exclude-resource-type", "unit_test")


def transform(
    settings: Settings, full_refresh: bool = False, on_progress: Callable[[int, int], None] | None = None
) -> BuildResult:
    """Build seeds, models and data tests with dbt (holding the warehouse's writer lock); returns dbt's result."""
    settings.warehouse.check(creates=DBT_SCHEMAS)
    with exclusive(settings, "transform"):
        result = run_dbt(settings, *BUILD, *(["--full-refresh"] if full_refresh else []), on_progress=on_progress)
    log.info("dbt build: %s (log: %s)", result.line, result.log_path)
    return result


def _blocked_message(settings: Settings, failed: list[str]) -> str:
    """The build waited longer than lock_timeout for tables readers hold (PostgreSQL): which readers, how to end."""
    with settings.warehouse.connect(job="transform") as connection:
        readers = blockers(connection)
    who = "; ".join(text for text, _ in readers) or "a reader that has let go since"
    end = f" (or select pg_terminate_backend({readers[0][1]}))" if readers else ""
    return (
        f"the build of the {settings.warehouse} waited longer than lock_timeout (CURSOR_SPEND_LOCK_TIMEOUT) for "
        f"tables in use and did not rebuild {', '.join(failed)} nor what depends on them: {who}; end that "
        f"transaction{end} and run the transform again"
    )
