"""End to end on a real Airflow 3.3: scheduler, dag-processor and api-server as processes, LocalExecutor,
SQLite, the simulator as its own process; REST-triggered extract -> asset -> transform, a re-run, a backfill,
and the marts against the simulator's ground truth after each.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, TypeVar

import httpx
import pytest

from cursor_simulator import Scenario, free_port
from cursor_simulator.team import TeamSpec
from cursor_simulator.usage import TeamUsage
from tests.airflow import POOL, airflow_env, mart_days, mart_snapshot, run_airflow
from tests.conftest import API_KEY, END_DATE
from tests.receivers import Webhook, webhook
from tests.truth import expected_seat_costs, expected_usage_costs, mart_seat_costs, mart_usage_costs, query

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
T = TypeVar("T")
EXTRACT, TRANSFORM = "cursor_spend_extract", "cursor_spend_transform"
INTERVAL = {"data_interval_start": "2026-11-19T00:00:00Z", "data_interval_end": "2026-11-20T00:00:00Z"}
TEAM = {"members": 20, "days": 10, "end_date": END_DATE}
EXHAUST_DAY = date(2026, 11, 18)  # a planted user runs out of included usage: the first run's alert


def _exhaust_user() -> int:
    usage = TeamUsage(TeamSpec(api_key=API_KEY, **TEAM))
    return next(m.index for m in usage.current_members() if m.role == "member" and m.can_use_on(EXHAUST_DAY))


class Stack:
    """Processes started by this test, each in its own process group, all stopped by :meth:`stop`."""

    def __init__(self, logs: Path, env: dict[str, str]) -> None:
        self.logs, self.env = logs, env
        self.procs: list[tuple[str, subprocess.Popen, IO]] = []

    def start(self, name: str, *args: str) -> None:
        log = (self.logs / f"{name}.log").open("w")
        proc = subprocess.Popen(
            [sys.executable, "-m", *args], env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append((name, proc, log))

    def check_alive(self) -> None:
        for name, proc, _ in self.procs:
            assert proc.poll() is None, f"{name} exited with {proc.returncode}:\n{self.tail(name)}"

    def tail(self, name: str, chars: int = 4000) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        for _, proc, _ in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for _, proc, log in reversed(self.procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            log.close()


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[Stack, httpx.Client, Path, Webhook]]:
    home, sim_port, api_port = tmp_path / "airflow", free_port(), free_port()
    home.mkdir()
    duckdb_path = tmp_path / "warehouse" / "cursor_spend.duckdb"
    env = {k: v for k, v in os.environ.items() if k not in {"CURSOR_API_KEYS", "AIRFLOW_CONN_CURSOR_DEFAULT"}}
    env |= airflow_env(home) | {
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": "cursor-spend-e2e-test-only",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        # Less CPU, the same behaviour: the DAG files are parsed once (they do not change during the test), and the
        # LocalExecutor forks 2 workers up front, not 32 (the DAGs run one task at a time; the pool has one slot).
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "3600",
        "AIRFLOW__CORE__PARALLELISM": "2",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        # Daily intervals from 2026-11-11 to 2026-11-19: all in the past, so with catchup off the scheduler
        # creates no run of its own; the test's trigger and backfill make them all.
        "CURSOR_SPEND_START_DATE": "2026-11-11",
        "CURSOR_SPEND_END_DATE": "2026-11-19",
        "CURSOR_API_BASE_URL": f"http://127.0.0.1:{sim_port}",
        "CURSOR_API_KEY": API_KEY,
        "CURSOR_SPEND_DUCKDB": str(duckdb_path),
        "CURSOR_RATE_LIMIT_WINDOW": "1",  # the client's own limit per second: the runs waited 15 s for it per minute
    }
    airflow = {k: v for k, v in env.items() if k.startswith("AIRFLOW")}
    run_airflow(["db", "migrate"], airflow)  # the pool is made through the REST API (one Airflow process fewer)

    hooks = webhook()
    receiver = hooks.__enter__()  # the alert channel: an Airflow HTTP connection to a real local receiver
    env["AIRFLOW_CONN_CURSOR_SPEND_WEBHOOK"] = json.dumps({"conn_type": "http", "host": receiver.url})
    procs = Stack(tmp_path, env)
    try:
        procs.start(
            "simulator", "cursor_spend.cli", "simulate", "--port", str(sim_port), "--api-key", API_KEY,
            "--members", "20", "--days", "10", "--end-date", str(END_DATE), "--no-rate-limits",
            "--scenario", f"exhaust_included:{_exhaust_user()}:{EXHAUST_DAY}",
        )  # fmt: skip
        procs.start("api-server", "airflow", "api-server")
        procs.start("scheduler", "airflow", "scheduler")
        procs.start("dag-processor", "airflow", "dag-processor")
        with httpx.Client(base_url=f"http://127.0.0.1:{api_port}/api/v2", timeout=30) as client:
            yield procs, client, duckdb_path, receiver
    finally:
        procs.stop()
        hooks.__exit__(None, None, None)


def _wait(what: str, probe: Callable[[], T | None], stack: Stack, timeout: float) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.check_alive()
        try:
            if (value := probe()) is not None:
                return value
        except httpx.TransportError:
            pass
        time.sleep(2)  # each probe is work for the api-server (CPU): every 2 s is soon enough
    logs = "\n".join(f"--- {name}\n{stack.tail(name, 2500)}" for name in ("scheduler", "dag-processor"))
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{logs}")


def _runs(client: httpx.Client, dag_id: str) -> list[dict]:
    response = client.get(f"/dags/{dag_id}/dagRuns", params={"order_by": "run_after"})
    response.raise_for_status()
    return response.json()["dag_runs"]


def _finished(client: httpx.Client, dag_id: str, count: int) -> list[dict] | None:
    runs = _runs(client, dag_id)
    if any(run["state"] == "failed" for run in runs):
        raise AssertionError(f"{dag_id} run failed: {runs}")
    done = [run for run in runs if run["state"] == "success"]
    return done if len(done) >= count else None


def _settled(client: httpx.Client) -> bool | None:
    """No extract or transform run is waiting or running and no asset event waits for the transform."""
    active = [run for dag_id in (EXTRACT, TRANSFORM) for run in _runs(client, dag_id) if run["state"] != "success"]
    if any(run["state"] == "failed" for run in active):
        raise AssertionError(f"a run failed: {active}")
    queued = client.get(f"/dags/{TRANSFORM}/assets/queuedEvents").json()["total_entries"]
    return (not active and not queued) or None


def test_triggered_extract_feeds_transform_through_the_asset_and_a_rerun_changes_nothing(stack) -> None:
    procs, client, duckdb_path, receiver = stack
    _wait("the api-server", lambda: client.get("/version").status_code == 200 or None, procs, 90)
    pool = client.post("/pools", json={"name": POOL, "slots": 1, "description": "DuckDB single writer"})
    assert pool.status_code == 201, pool.text
    for dag_id in (EXTRACT, TRANSFORM):
        _wait(f"{dag_id} to be parsed", lambda d=dag_id: client.get(f"/dags/{d}").status_code == 200 or None, procs, 90)
        client.patch(f"/dags/{dag_id}", json={"is_paused": False}).raise_for_status()

    response = client.post(
        f"/dags/{EXTRACT}/dagRuns", json={"dag_run_id": "e2e", "logical_date": "2026-11-19T00:00:00Z", **INTERVAL}
    )
    assert response.status_code == 200, response.text
    assert response.json()["data_interval_start"].startswith("2026-11-19")
    _wait("the extract run", lambda: _finished(client, EXTRACT, 1), procs, 150)
    _wait("the asset-triggered transform run", lambda: _finished(client, TRANSFORM, 1), procs, 150)

    # The interval's day and the lookback before it, exactly as the simulator serves them.
    first = mart_snapshot(duckdb_path)
    assert mart_days(duckdb_path, "fct_cursor_costs_daily") == {"2026-11-17", "2026-11-18", "2026-11-19"}
    scenario = Scenario("exhaust_included", _exhaust_user(), EXHAUST_DAY)
    usage = TeamUsage(TeamSpec(api_key=API_KEY, scenarios=(scenario,), **TEAM))
    first_day, last_day = date(2026, 11, 17), date(2026, 11, 19)
    assert mart_usage_costs(duckdb_path) == expected_usage_costs(usage, first_day, last_day)
    assert mart_seat_costs(duckdb_path) == expected_seat_costs(usage, first_day, last_day, Decimal(40))
    # The transform's send_alerts task delivered every alert of the marts to the webhook connection, alone or in the
    # day's digest (the planted user's: out of included usage on the planted day, information), with their keys.
    alerts = _alerts(duckdb_path)
    assert sorted(alert["alert_key"] for alert in receiver.alerts) == sorted(k for k, d in alerts.items() if d != "off")
    assert receiver.keys == [body["idempotency_key"] for body in receiver.bodies] and len(receiver.digests) == 1
    email = usage.members[scenario.user].email
    assert alerts[f"included|default|{email}|2026-11-01"] == "digest"

    # Re-run the same interval: clear the extract run; its new asset event triggers a second transform run.
    cleared = client.post(
        f"/dags/{EXTRACT}/clearTaskInstances",
        json={"dry_run": False, "dag_run_id": "e2e", "only_failed": False, "reset_dag_runs": True},
    )
    assert cleared.status_code == 200, cleared.text
    _wait("the transform run after the re-run", lambda: _finished(client, TRANSFORM, 2), procs, 150)
    assert [run["state"] for run in _runs(client, EXTRACT)] == ["success"]
    assert mart_snapshot(duckdb_path) == first

    # An Airflow backfill of the days before: the warehouse then equals one clean load of the whole window.
    run_airflow(
        ["backfill", "create", "--dag-id", EXTRACT, "--from-date", "2026-11-15", "--to-date", "2026-11-16"], procs.env
    )
    _wait("the backfill runs", lambda: _finished(client, EXTRACT, 3), procs, 300)
    _wait("the transform of the backfilled days", lambda: _settled(client), procs, 150)
    first_day = date(2026, 11, 13)  # the first backfilled interval's day and the lookback before it
    assert mart_days(duckdb_path, "fct_cursor_costs_daily") == {str(first_day + timedelta(n)) for n in range(7)}
    assert mart_usage_costs(duckdb_path) == expected_usage_costs(usage, first_day, last_day)
    assert mart_seat_costs(duckdb_path) == expected_seat_costs(usage, first_day, last_day, Decimal(40))
    # Neither the re-run nor the backfill sent an alert twice; what the backfill's history newly raised was sent, or
    # waits for tomorrow's digest (today's went out) when it is information.
    received = [alert["alert_key"] for alert in receiver.alerts]
    ledger = query(duckdb_path, "select alert_key, status from cursor_alerts.alert_deliveries")
    sent = {key for key, status in ledger if status == "sent"}
    assert len(received) == len(set(received)) and set(received) == sent
    alerts = _alerts(duckdb_path)
    assert all(alerts[key] == "digest" for key in set(alerts) - sent if alerts[key] != "off")


def _alerts(duckdb_path: Path) -> dict[str, str]:
    """alert_key -> delivery mode of every alert of the mart."""
    return dict(query(duckdb_path, "select alert_key, delivery from marts.rpt_cursor_alerts"))
