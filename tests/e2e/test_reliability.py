"""An operator's day: interrupted runs (Ctrl-C, SIGTERM, SIGKILL) stop in one line and the next run resumes
exactly; a load left pending is finished and the requested window still loaded; a first window without usage
builds empty marts; daily runs do not fill the disk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import psutil
import pytest

from cursor_simulator import Fault, SimulatorOptions
from cursor_spend import load
from cursor_spend.config import load_settings
from tests.conftest import API_KEY, END_DATE
from tests.source.helpers import normalized, settings_for, truth_by_user_day, warehouse_by_user_day
from tests.source.test_faults import SIGNAL_AFTER_EVENTS_LOAD
from tests.test_config import cli

START = END_DATE - timedelta(days=9)
INTERRUPTED = "interrupted; nothing half-loaded, the next run resumes"


def _env(server, warehouse: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CURSOR_")}
    return base | {
        "CURSOR_API_KEY": API_KEY,
        "CURSOR_TEAM": "acme",
        "CURSOR_API_BASE_URL": server.base_url,
        "CURSOR_SPEND_DUCKDB": str(warehouse),
    }


def _as_from_a_terminal() -> None:
    """Ctrl-C as in a terminal: a test run started in the background (`make test &`, CI) passes its children SIGINT
    ignored, and Python then never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cursor_spend.cli", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_from_a_terminal,
    )


def _wait_for(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.parametrize(("sent", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_extract_says_so_in_one_line_and_the_next_run_is_exact(make_simulator, tmp_path, sent, code):
    slow = Fault("slow", "events", delay=0.4)  # every page of events takes a while: the signal lands mid-extract
    server = make_simulator(members=15, days=10, options=SimulatorOptions(rate_limits=False, faults=[slow]))
    warehouse = tmp_path / "warehouse" / "cursor_spend.duckdb"
    env = _env(server, warehouse)
    window = ("--start-date", str(START), "--end-date", str(END_DATE))

    process = _start("extract", *window, env=env)
    _wait_for(lambda: server.simulator.count("events") >= 2)
    process.send_signal(sent)
    _, stderr = process.communicate(timeout=120)

    assert process.returncode == code, stderr[-3000:]
    assert stderr.strip().splitlines() == [f"cursor-spend extract: {INTERRUPTED}"]
    server.simulator.faults.replace([])
    done = cli("extract", *window, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    settings = load_settings(env={"CURSOR_SPEND_DUCKDB": str(warehouse)})
    assert warehouse_by_user_day(settings) == normalized(truth_by_user_day(server, START, END_DATE))


@pytest.mark.parametrize(("sent", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"])
def test_a_signal_during_the_load_step_stops_the_run_and_the_next_run_is_exact(make_simulator, tmp_path, sent, code):
    """dlt's normalize and load steps intercept SIGINT and SIGTERM and forget one that arrives after their last
    check: the run went on as if nothing had been asked (and `run` would go on to dbt)."""
    server = make_simulator(members=6, days=3, options=SimulatorOptions(rate_limits=False))
    warehouse = tmp_path / "warehouse" / "cursor_spend.duckdb"
    env = _env(server, warehouse)
    start = END_DATE - timedelta(days=1)
    window = ("--start-date", str(start), "--end-date", str(END_DATE))

    child = subprocess.run(
        [sys.executable, "-c", SIGNAL_AFTER_EVENTS_LOAD, str(int(sent)), "run", *window],
        env=env, capture_output=True, text=True, timeout=300, preexec_fn=_as_from_a_terminal,
    )  # fmt: skip

    assert child.returncode == code, child.stderr[-3000:]
    assert child.stderr.strip().splitlines() == [f"cursor-spend run: {INTERRUPTED}"]
    assert not (warehouse.parent / "dbt" / "target" / "run_results.json").exists()  # dbt never started
    done = cli("extract", *window, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    settings = load_settings(env={"CURSOR_SPEND_DUCKDB": str(warehouse)})
    assert warehouse_by_user_day(settings) == normalized(truth_by_user_day(server, start, END_DATE))


def _dbt_child(process: subprocess.Popen) -> psutil.Process | None:
    children = psutil.Process(process.pid).children(recursive=True)
    return next((child for child in children if "dbt" in " ".join(child.cmdline())), None)


@pytest.fixture
def loaded(make_simulator, tmp_path) -> dict[str, str]:
    """A warehouse with raw data of a small team; returns the CLI's environment for it."""
    server = make_simulator(members=8, days=5, options=SimulatorOptions(rate_limits=False))
    env = _env(server, tmp_path / "warehouse" / "cursor_spend.duckdb")
    load.load(load_settings(env=env), END_DATE - timedelta(days=4))  # in this process: no CLI start to pay for
    return env


@pytest.mark.slow
def test_sigterm_during_dbt_stops_dbt_too_and_kill_9_leaves_no_dbt_holding_the_warehouse(loaded):
    process = _start("transform", env=loaded)
    _wait_for(lambda: _dbt_child(process) is not None)
    dbt = _dbt_child(process)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 143, stderr[-3000:]
    assert stderr.strip().splitlines() == [f"cursor-spend transform: {INTERRUPTED}"]
    psutil.wait_procs([dbt], timeout=30)
    assert not dbt.is_running()

    process = _start("transform", env=loaded)
    _wait_for(lambda: _dbt_child(process) is not None)
    dbt = _dbt_child(process)
    process.kill()  # no handler runs: the kernel stops dbt (PR_SET_PDEATHSIG)
    process.wait()
    psutil.wait_procs([dbt], timeout=30)
    assert not dbt.is_running()
    duckdb.connect(loaded["CURSOR_SPEND_DUCKDB"]).close()  # the lock is free: a new writer gets in at once
    done = cli("transform", env=loaded)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.slow
def test_after_a_killed_load_the_next_extract_finishes_it_and_still_loads_its_own_window(make_simulator, tmp_path):
    server = make_simulator(members=12, days=10, options=SimulatorOptions(rate_limits=False))
    first, second = (START, START + timedelta(days=4)), (START + timedelta(days=5), END_DATE)
    env = _env(server, tmp_path / "warehouse" / "cursor_spend.duckdb")
    killed = (str(int(signal.SIGKILL)), "extract", "--start-date", str(first[0]), "--end-date", str(first[1]))
    child = subprocess.run([sys.executable, "-c", SIGNAL_AFTER_EVENTS_LOAD, *killed], env=env, timeout=120)
    assert child.returncode == -signal.SIGKILL

    done = cli("extract", "--start-date", str(second[0]), "--end-date", str(second[1]), env=env)

    assert done.returncode == 0, done.stderr[-3000:]
    assert "finishing the load an earlier run left pending" in done.stderr
    settings = load_settings(env={"CURSOR_SPEND_DUCKDB": env["CURSOR_SPEND_DUCKDB"]})
    assert warehouse_by_user_day(settings) == normalized(truth_by_user_day(server, START, END_DATE))


def test_a_first_window_without_usage_builds_empty_marts_and_says_there_is_no_usage(make_simulator, tmp_path):
    server = make_simulator(members=4, days=5, end_date=date(2026, 10, 10), options=SimulatorOptions(rate_limits=False))
    env = _env(server, tmp_path / "warehouse" / "cursor_spend.duckdb")

    done = cli("run", "--start-date", "2026-11-01", "--end-date", "2026-11-10", env=env)

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "No usage in the warehouse yet" in done.stdout
    with duckdb.connect(env["CURSOR_SPEND_DUCKDB"], read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_cursor_costs_daily").fetchone() == (0,)
    report = cli("report", env=env)
    assert report.returncode == 2 and "extract a window with usage first" in report.stderr


def test_the_advice_on_an_empty_warehouse_file_is_a_command_that_works(tmp_path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    done = cli("report", "--duckdb", str(path))
    assert done.returncode == 2 and "holds no Cursor data yet; run `cursor-spend run`" in done.stderr


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@pytest.mark.slow
def test_daily_runs_past_the_kept_load_packages_keep_dlts_working_folder_bounded(make_simulator, tmp_path):
    """dlt keeps a folder per completed load; the pipeline keeps the newest KEEP_LOADED_PACKAGES: after that many
    runs the folder stops growing, and as many runs again (each one package more without the pruning) add nothing."""
    server = make_simulator(members=3, days=40, options=SimulatorOptions(rate_limits=False))
    settings = settings_for(server, tmp_path, rate_limit_window=0.5)  # runs in seconds, not at 20 requests a minute
    full, runs = load.KEEP_LOADED_PACKAGES + 1, 2 * (load.KEEP_LOADED_PACKAGES + 1)
    first = END_DATE - timedelta(days=runs - 1)
    sizes = []
    for n in range(runs):
        load.load(settings, end_date=first + timedelta(days=n))
        sizes.append(_size(settings.warehouse_dir / ".dlt" / load.PIPELINE_NAME / "load"))
    print(f"dlt load folder after each of {runs} runs: {sizes} bytes")
    assert sizes[-1] <= sizes[full - 1] * 1.1 and sizes[-1] < 2_000_000
    assert warehouse_by_user_day(settings) == normalized(truth_by_user_day(server, first - timedelta(29), END_DATE))
