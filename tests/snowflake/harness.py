"""Snowflake on this machine: fakesnow's server (an open-source Snowflake emulator on DuckDB and sqlglot), with dlt's
``snowflake`` destination and dbt-snowflake pointed at it.

They need versions apart from requirements.lock (fakesnow pins sqlglot, dbt-snowflake pins certifi), so they get a
virtual environment of their own, installed from requirements-snowflake.lock (the tested set of the ``[snowflake]``
extra, plus fakesnow) with uv, once per lock, cached outside the repository in
``~/.cache/cursor-spend/snowflake-<lock hash>`` (``$XDG_CACHE_HOME`` when set). The project is not installed there:
its source is on PYTHONPATH. Every step runs with a timeout; what fakesnow lacks is made up in
:mod:`tests.snowflake.fakesnow_server`, never in the product.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from tests.focus_validator import cache_dir

REPO = Path(__file__).resolve().parents[2]
LOCK = REPO / "requirements-snowflake.lock"
HERE = Path(__file__).resolve().parent
DATABASE = "cursor_spend"


def install() -> Path:
    """The Snowflake venv, built on first use (under a lock: pytest processes may race)."""
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()[:12]
    venv = cache_dir() / f"snowflake-{digest}"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f".snowflake-{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / ".complete").exists():  # never built, or a build that was interrupted
            shutil.rmtree(venv, ignore_errors=True)
            _run([sys.executable, "-m", "venv", str(venv)], timeout=300)
            python = str(venv / "bin" / "python")
            _run([python, "-m", "pip", "install", "--quiet", "-c", str(LOCK), "uv"], timeout=600)
            uv = [str(venv / "bin" / "uv"), "pip", "install", "--quiet", "--python", python, "--no-deps"]
            _run([*uv, "-r", str(LOCK)], timeout=1200)
            (venv / ".complete").write_text(digest)
    return venv


def _run(command: list[str], timeout: float, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:6])} ... failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


class FakesnowServer:
    """fakesnow's server in a child process of the Snowflake venv, listening on a free loopback port."""

    def __init__(self, venv: Path, log: Path) -> None:
        self.venv = venv
        self.log = log  # what the server logs (each statement it failed on, with fakesnow's traceback)
        self.port = 0
        self._process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> FakesnowServer:
        command = [str(self.venv / "bin" / "python"), str(HERE / "fakesnow_server.py")]
        with open(self.log, "w") as log:
            self._process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True
            )
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(self._process.stdout.readline()), daemon=True).start()
        try:
            first = lines.get(timeout=timeout)
        except queue.Empty:
            first = ""
        if not first.startswith("port "):
            self.stop()
            raise RuntimeError(f"fakesnow's server did not start: {first!r}")
        self.port = int(first.split()[1])
        return self

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.stdin.close()  # the server stops when its stdin closes
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def env(self) -> dict[str, str]:
        """The environment of a process in the Snowflake venv: the project's source importable, dbt's Snowflake
        target (dbt_project/profiles.yml) pointed at this server."""
        return os.environ | {
            "PYTHONPATH": str(REPO),
            "SNOWFLAKE_ACCOUNT": "fakesnow",
            "SNOWFLAKE_USER": "fake",
            "DBT_ENV_SECRET_SNOWFLAKE_PASSWORD": "snow",
            "SNOWFLAKE_DATABASE": DATABASE,
            "SNOWFLAKE_WAREHOUSE": "smoke",
            "SNOWFLAKE_ROLE": "smoke",
            "SNOWFLAKE_HOST": "127.0.0.1",
            "SNOWFLAKE_PORT": str(self.port),
            "SNOWFLAKE_PROTOCOL": "http",
            "SNOWFLAKE_PRIVATE_KEY_PATH": "",
        }

    def load(self, pipelines_dir: Path, base_url: str, teams: dict[str, str], start: str, end: str) -> dict:
        """dlt loads the simulator's window [start, end] into schema cursor_raw (:mod:`.load`); rows per table."""
        arguments = {"port": self.port, "pipelines_dir": str(pipelines_dir), "base_url": base_url, "teams": teams}
        arguments |= {"database": DATABASE, "start_date": start, "end_date": end}
        command = [str(self.venv / "bin" / "python"), str(HERE / "load.py"), json.dumps(arguments)]
        return json.loads(_run(command, timeout=300, env=self.env()).stdout.splitlines()[-1])

    def dbt(self, *args: str, folder: Path, timeout: float = 600) -> subprocess.CompletedProcess:
        """A dbt command on the project's Snowflake target; target and logs in ``folder``."""
        command = [str(self.venv / "bin" / "dbt"), *args, *_dbt_options(folder)]
        return subprocess.run(command, env=self.env(), capture_output=True, text=True, timeout=timeout)

    def query(self, queries: dict[str, str]) -> dict[str, dict]:
        """Each plain query's rows (as text) or error, by name, from one Snowflake connection (:mod:`.query`)."""
        command = [str(self.venv / "bin" / "python"), str(HERE / "query.py"), json.dumps(queries)]
        return json.loads(_run(command, timeout=300, env=self.env()).stdout.splitlines()[-1])

    def show(self, queries: dict[str, str], folder: Path) -> dict[str, dict]:
        """Each inline query's rows (as text) or error, by name, from one dbt process (:mod:`.show`)."""
        command = [str(self.venv / "bin" / "python"), str(HERE / "show.py"), json.dumps(queries), *_dbt_options(folder)]
        return json.loads(_run(command, timeout=300, env=self.env()).stdout.splitlines()[-1])


def _dbt_options(folder: Path) -> list[str]:
    project = REPO / "dbt_project"
    return [
        "--target", "snowflake", "--project-dir", str(project), "--profiles-dir", str(project),
        "--target-path", str(folder / "target"), "--log-path", str(folder),
    ]  # fmt: skip
