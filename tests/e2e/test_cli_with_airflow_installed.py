"""The command line where Airflow is installed (this venv has it) and no setting of ours or of this repository
applies: from a folder outside the checkout (no ``.dlt/config.toml``), without PROVIDERS__ENABLE_AIRFLOW_SECRETS.

dlt would import Airflow to look for its secrets in an Airflow Variable, which costs seconds and sends the root
logger into a buffer: cursor-spend's warnings (the end-date cap, the API's retention, a retry, a pending load) were
never printed. Each command runs under ``python -X importtime``: no Airflow module is imported, and the warnings
are on stderr.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from cursor_simulator import Fault, SimulatorOptions
from tests.conftest import API_KEY, END_DATE
from tests.source.test_faults import SIGNAL_AFTER_EVENTS_LOAD

RETENTION_START = datetime.now(UTC).date() - timedelta(days=100)  # the simulator keeps 90 days


def _env(tmp_path, **more: str) -> dict[str, str]:
    """A user's shell: none of our settings, none of the test session's dlt setting."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CURSOR_", "PROVIDERS__", "DLT_", "AIRFLOW"))}
    return base | {"CURSOR_SPEND_DUCKDB": str(tmp_path / "warehouse" / "cursor_spend.duckdb")} | more


def _command(tmp_path, env: dict, *args: str) -> subprocess.CompletedProcess:
    """``cursor-spend ARGS`` under ``python -X importtime`` from ``tmp_path`` (outside the checkout)."""
    command = [sys.executable, "-X", "importtime", "-m", "cursor_spend.cli", *args]
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)


def _imported(stderr: str) -> set[str]:
    return {line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def _said(stderr: str) -> list[str]:
    """stderr without the import times."""
    return [line for line in stderr.splitlines() if not line.startswith("import time:")]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess]:
    """A load killed after its events (so the next run finishes it), then extract (with a failing request and a
    window past the API's retention and past yesterday), the same with dlt's Airflow provider turned on, transform,
    and report without an API key."""
    from cursor_simulator import Simulator, SimulatorServer, TeamSpec

    tmp_path = tmp_path_factory.mktemp("outside")
    spec = TeamSpec(api_key=API_KEY, members=8, days=5, end_date=END_DATE)
    server = SimulatorServer(Simulator([spec], SimulatorOptions(rate_limits=False))).start()
    try:
        env = _env(
            tmp_path, CURSOR_API_KEY=API_KEY, CURSOR_API_BASE_URL=server.base_url, CURSOR_RATE_LIMIT_WINDOW="0.1"
        )
        window = ("--start-date", str(END_DATE - timedelta(days=1)), "--end-date", str(END_DATE))
        killed = [sys.executable, "-c", SIGNAL_AFTER_EVENTS_LOAD, str(int(signal.SIGKILL)), "extract", *window]
        assert subprocess.run(killed, cwd=tmp_path, env=env, capture_output=True, timeout=300).returncode < 0
        server.simulator.faults.replace([Fault("5xx", "events", count=1)])
        extract = ("extract", "--start-date", str(RETENTION_START), "--end-date", "2030-01-01")
        out = {"extract": _command(tmp_path, env, *extract)}
        airflow_on = env | {"PROVIDERS__ENABLE_AIRFLOW_SECRETS": "true"}  # dlt's own setting, as a user may set it
        out["extract with Airflow"] = _command(tmp_path, airflow_on, "extract", "--end-date", "2030-01-01")
    finally:
        server.stop()
    out["transform"] = _command(tmp_path, env, "transform")
    out["report"] = _command(tmp_path, _env(tmp_path), "report")  # no key: the keys would come from dlt's providers
    return out


@pytest.mark.slow
@pytest.mark.parametrize("command", ["extract", "transform", "report"])
def test_no_command_imports_airflow(runs, command):
    done = runs[command]
    assert done.returncode == 0, "\n".join(_said(done.stderr))[-3000:]
    imported = _imported(done.stderr)
    assert "cursor_spend.config" in imported  # the import times were read
    assert sorted(name for name in imported if name.split(".")[0] == "airflow") == []


@pytest.mark.slow
def test_the_extracts_warnings_reach_the_terminal(runs):
    said = "\n".join(_said(runs["extract"].stderr))
    assert "finishing the load an earlier run left pending" in said
    assert "end date 2030-01-01 is after the last complete UTC day" in said
    assert f"{RETENTION_START} .. " in said and "older than the Cursor API's retention" in said
    assert "POST /teams/filtered-usage-events: " in said and "retry 1 in" in said


@pytest.mark.slow
def test_warnings_reach_the_terminal_when_airflow_takes_the_root_logger(runs):
    """dlt's Airflow secrets provider turned on by its own setting: Airflow is imported and configures the root
    logger (into dlt's buffer); cursor-spend's loggers print their warnings to the terminal all the same."""
    done = runs["extract with Airflow"]
    assert done.returncode == 0, "\n".join(_said(done.stderr))[-3000:]
    assert "airflow" in _imported(done.stderr)
    assert "end date 2030-01-01 is after the last complete UTC day" in "\n".join(_said(done.stderr))
