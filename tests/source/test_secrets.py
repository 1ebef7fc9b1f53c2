"""The API key never reaches logs, tracebacks, the warehouse or dlt's state."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import traceback
from datetime import timedelta

import pytest

from cursor_simulator import Fault, SimulatorOptions
from cursor_spend import load
from dlt_sources.cursor.errors import CursorResponseError
from tests.conftest import API_KEY, END_DATE

from .helpers import settings_for


def test_the_key_appears_in_no_log_traceback_table_or_state_file(make_simulator, tmp_path, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    server = make_simulator(members=8, days=3, options=SimulatorOptions(rate_limits=False))
    settings = settings_for(server, tmp_path)
    load.load(settings, END_DATE - timedelta(days=2), END_DATE)
    server.simulator.faults.replace([Fault("type_change", "events")])
    with pytest.raises(CursorResponseError) as failure:
        load.load(settings, END_DATE - timedelta(days=2), END_DATE)

    texts = [caplog.text, "".join(traceback.format_exception(failure.value)), repr(settings), *capfd.readouterr()]
    assert all(API_KEY not in text for text in texts)
    files = [p for p in settings.warehouse_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".duckdb" for p in files) and any("state" in str(p) for p in files)
    assert [p for p in files if API_KEY.encode() in p.read_bytes()] == []


def test_the_cli_prints_an_expected_failure_in_one_line_without_traceback(make_simulator, tmp_path):
    server = make_simulator(members=3, days=2, plan="no-admin-api")
    env = os.environ | {"CURSOR_API_KEY": API_KEY, "CURSOR_API_BASE_URL": server.base_url}
    done = subprocess.run(
        [sys.executable, "-m", "cursor_spend.cli", "check"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "Enterprise" in done.stderr and API_KEY not in done.stderr


def test_the_cli_check_prints_the_team_size(make_simulator):
    server = make_simulator(members=7, days=2)
    env = os.environ | {"CURSOR_API_KEY": API_KEY, "CURSOR_API_BASE_URL": server.base_url, "CURSOR_TEAM": "acme"}
    done = subprocess.run(
        [sys.executable, "-m", "cursor_spend.cli", "check"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert f"team acme: key OK, {len(server.simulator.team().current_members())} members" in done.stdout
