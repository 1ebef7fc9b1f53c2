"""Bad input gets a clear error and loses nothing; transient faults end in a complete, exact load."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from cursor_simulator import Fault, SimulatorOptions
from cursor_spend import load
from cursor_spend.errors import ConfigError
from dlt_sources.cursor.client import CursorClient
from dlt_sources.cursor.errors import CursorConfigurationError, CursorResponseError
from tests.conftest import END_DATE

from .helpers import normalized, query, settings_for, truth_by_user_day, warehouse_by_user_day

START = END_DATE - timedelta(days=4)


def fast_retries(*args, **kwargs) -> CursorClient:
    return CursorClient(*args, **kwargs, backoff_base=0.01)


@pytest.mark.parametrize(
    "fault",
    [Fault("5xx", "events", count=3), Fault("5xx", "daily-usage", count=2, status=502), Fault("429", "*", count=3)],
    ids=["5xx-burst-on-events", "502-on-daily-usage", "429-storm-without-retry-after"],
)
def test_5xx_bursts_and_429_storms_end_in_a_complete_exact_load(make_simulator, tmp_path, fault):
    server = make_simulator(members=12, days=5, options=SimulatorOptions(rate_limits=False, faults=[fault]))
    settings = settings_for(server, tmp_path, rate_limit_window=0.5)  # a 429 waits for a (short) window

    load.load(settings, START, END_DATE, client_factory=fast_retries)

    assert warehouse_by_user_day(settings) == normalized(truth_by_user_day(server, START, END_DATE))
    assert server.simulator.count(status=fault.status if fault.kind == "5xx" else 429) == fault.count


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (Fault("malformed", "events", count=1), "not JSON"),
        (Fault("truncated", "events", count=1), "not JSON"),
        (Fault("type_change", "events", count=1), "schema drift"),
        (Fault("legacy_v1", "events", count=1), "older or changed API shape"),
    ],
    ids=["malformed", "truncated", "type-change", "legacy-v1"],
)
def test_a_bad_response_stops_the_run_and_leaves_the_warehouse_as_it_was(make_simulator, tmp_path, fault, message):
    server = make_simulator(members=12, days=5, options=SimulatorOptions(rate_limits=False))
    settings = settings_for(server, tmp_path)
    load.load(settings, START, END_DATE)
    before = query(settings, "select count(*), sum(charged_cents) from cursor_raw.usage_events")
    server.simulator.set_late_change(True)  # what a successful rerun would change
    server.simulator.faults.replace([fault])

    with pytest.raises(CursorResponseError, match=message):
        load.load(settings, START, END_DATE, client_factory=fast_retries)

    assert query(settings, "select count(*), sum(charged_cents) from cursor_raw.usage_events") == before


def test_unknown_extra_fields_become_new_columns(make_simulator, tmp_path):
    faults = [Fault("extra_fields", "events"), Fault("extra_fields", "members")]
    server = make_simulator(members=8, days=3, options=SimulatorOptions(rate_limits=False, faults=faults))
    settings = settings_for(server, tmp_path)

    load.load(settings, END_DATE - timedelta(days=2), END_DATE)

    columns = {r[0] for r in query(settings, "describe cursor_raw.usage_events")}
    assert {"newly_added_field", "newly_added_score"} <= columns
    assert query(settings, "select count(*) from cursor_raw.usage_events where newly_added_field = 'drift'")[0][0] > 0


@pytest.mark.parametrize(
    ("plan", "status", "hint"),
    [("no-admin-api", 403, "Enterprise"), ("personal", 404, "personal-plan key or the wrong team")],
)
def test_a_plan_without_the_admin_api_fails_the_check_with_cause_and_fix(make_simulator, tmp_path, plan, status, hint):
    server = make_simulator(members=5, days=2, plan=plan)
    with pytest.raises(CursorConfigurationError, match=hint) as failure:
        load.check(settings_for(server, tmp_path))
    assert failure.value.status == status


def test_a_wrong_key_and_an_empty_roster_fail_the_check_in_one_line(make_simulator, tmp_path):
    server = make_simulator(members=5, days=2)
    settings = settings_for(server, tmp_path)
    wrong = settings.__class__(**{**settings.__dict__, "teams": {"acme": "crsr_" + "x" * 64}})
    with pytest.raises(CursorConfigurationError, match="not a valid team Admin API key") as failure:
        load.check(wrong)
    assert "\n" not in str(failure.value) and "crsr_xxx" not in str(failure.value)

    empty = make_simulator(members=5, days=2, plan="empty-team", api_key="crsr_" + "E" * 64)
    with pytest.raises(CursorConfigurationError, match="no members.*another team"):
        load.check(settings_for(empty, tmp_path))


def test_business_plan_skips_audit_logs_and_groups_with_a_warning(make_simulator, tmp_path, caplog):
    server = make_simulator(members=6, days=3, plan="business")
    settings = settings_for(server, tmp_path)
    counts = load.load(settings, END_DATE - timedelta(days=2), END_DATE)
    assert counts["usage_events"] > 0 and counts.get("audit_logs", 0) == counts.get("billing_groups", 0) == 0
    assert "plan does not include it (403)" in caplog.text
    for table in ("audit_logs", "billing_groups", "billing_group_members"):  # created empty, for dbt's staging views
        assert query(settings, f"select count(*) from cursor_raw.{table}") == [(0,)]


def test_an_unreachable_host_fails_with_a_clear_message(tmp_path):
    from cursor_simulator import free_port
    from cursor_spend.config import load_settings
    from dlt_sources.cursor.errors import CursorUnavailableError

    settings = load_settings(env={"CURSOR_API_KEY": "k", "CURSOR_API_BASE_URL": f"http://127.0.0.1:{free_port()}"})
    with pytest.raises(CursorUnavailableError, match="cannot connect.*CURSOR_API_BASE_URL"):
        with fast_retries("k", "acme", settings.base_url, max_attempts=2) as client:
            client.get("/teams/members")


def test_a_normal_run_under_the_documented_limits_gets_no_429(make_simulator):
    server = make_simulator(members=5, days=2, options=SimulatorOptions(window_seconds=1.0))
    started = time.monotonic()
    with CursorClient(server.simulator.team().spec.api_key, "acme", server.base_url, rate_limit_window=1.0) as client:
        for _ in range(45):
            client.get("/teams/members")
    assert server.simulator.count(status=429) == 0
    assert server.simulator.count("members", 200) == 45
    assert time.monotonic() - started >= 2.0  # 45 requests at 20 a window need at least three windows


# `python -c SIGNAL_AFTER_EVENTS_LOAD <signal number> <cursor-spend arguments...>`: the CLI, sent the signal by its own
# load job right after the usage events were written, before the rest (dlt's load step, which intercepts signals)
SIGNAL_AFTER_EVENTS_LOAD = textwrap.dedent(
    """
    import os, sys
    from dlt.common.destination.client import RunnableLoadJob
    from cursor_spend import cli

    real_run = RunnableLoadJob.run_managed
    def run_then_signal(self, *args, **kwargs):
        real_run(self, *args, **kwargs)
        if "usage_events" in self._file_path:
            os.kill(os.getpid(), int(sys.argv[1]))
    RunnableLoadJob.run_managed = run_then_signal
    sys.exit(cli.main(sys.argv[2:]))
    """
)


def test_a_load_killed_midway_and_run_again_ends_exact(make_simulator, tmp_path):
    server = make_simulator(members=15, days=5, options=SimulatorOptions(rate_limits=False))
    settings = settings_for(server, tmp_path)
    env = os.environ | {
        "CURSOR_API_KEY": server.simulator.team().spec.api_key,
        "CURSOR_TEAM": "acme",
        "CURSOR_API_BASE_URL": server.base_url,
        "CURSOR_SPEND_DUCKDB": str(settings.duckdb_path),
    }
    killed = (str(int(signal.SIGKILL)), "extract", "--start-date", str(START), "--end-date", str(END_DATE))
    child = subprocess.run(
        [sys.executable, "-c", SIGNAL_AFTER_EVENTS_LOAD, *killed], env=env, capture_output=True, timeout=120
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]

    load.load(settings, START, END_DATE)

    assert warehouse_by_user_day(settings) == normalized(truth_by_user_day(server, START, END_DATE))


def test_a_load_out_of_duckdb_memory_says_which_setting_and_the_next_run_loads_it_all(make_simulator, tmp_path):
    server = make_simulator(members=15, days=5, options=SimulatorOptions(rate_limits=False))
    settings = settings_for(server, tmp_path)

    with pytest.raises(ConfigError, match="more than CURSOR_SPEND_DUCKDB_MEMORY_LIMIT=1MB .* Nothing is lost"):
        load.load(replace(settings, duckdb_memory_limit="1MB"), START, END_DATE)
    load.load(settings, START, END_DATE)

    assert warehouse_by_user_day(settings) == normalized(truth_by_user_day(server, START, END_DATE))
