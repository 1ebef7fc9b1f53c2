"""The extract command a user runs, under the documented rate limits."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from cursor_simulator import SimulatorOptions
from cursor_spend import load
from cursor_spend.config import load_settings
from tests.conftest import API_KEY, END_DATE

from .helpers import query, settings_for


def test_a_normal_run_under_the_documented_rate_limits_gets_no_429(make_simulator, tmp_path):
    server = make_simulator(members=20, days=45, options=SimulatorOptions())  # 20/min and 60/min, 60 s windows
    settings = settings_for(server, tmp_path)

    counts = load.load(settings, END_DATE - timedelta(days=44), END_DATE)

    assert counts["usage_events"] > 0
    assert server.simulator.count(status=429) == 0
    assert server.simulator.count(status=200) == server.simulator.count()


def test_the_extract_command_shows_progress_per_resource_and_rows_loaded(make_simulator, tmp_path):
    server = make_simulator(members=8, days=3)
    duckdb_path = tmp_path / "w.duckdb"
    env = os.environ | {"CURSOR_API_KEY": API_KEY, "CURSOR_API_BASE_URL": server.base_url, "CURSOR_TEAM": "acme"}
    start = (END_DATE - timedelta(days=2)).isoformat()
    command = [sys.executable, "-m", "cursor_spend.cli", "extract", "--start-date", start]
    command += ["--end-date", END_DATE.isoformat(), "--duckdb", str(duckdb_path)]

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr[-2000:]
    for resource in ("members", "daily_usage", "usage_events", "spend_snapshots"):
        assert f"{resource} [acme]" in done.stdout
    events = query(
        load_settings(env={"CURSOR_SPEND_DUCKDB": str(duckdb_path)}), "select count(*) from cursor_raw.usage_events"
    )
    assert f"usage_events {events[0][0]:,}" in done.stdout.splitlines()[-1]
    assert API_KEY not in done.stdout + done.stderr
