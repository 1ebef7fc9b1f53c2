"""What goes wrong with a PostgreSQL warehouse ends in one line naming the cause and the fix, exit 2, nothing
half-loaded: the server stopped during a run (the next run loses nothing), a raw table of someone else's (left as
it is), a user who may not create what a run creates (which `cursor-spend check` finds first, on PostgreSQL and on
DuckDB, trying it in a transaction it rolls back)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import timedelta

import duckdb
import psycopg2

from cursor_simulator import Fault, SimulatorOptions
from tests.conftest import API_KEY, END_DATE
from tests.postgres import PostgresServer
from tests.truth import day_start_ms

START = END_DATE - timedelta(days=2)


def _env(base_url: str, url: str | None, local, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CURSOR_")}
    return env | {"CURSOR_API_KEY": API_KEY, "CURSOR_API_BASE_URL": base_url, "CURSOR_SPEND_WAREHOUSE": url or "",
                  "CURSOR_SPEND_DUCKDB": str(local / "cursor_spend.duckdb")} | more  # fmt: skip


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cursor_spend.cli", *args], env=env, capture_output=True, text=True,
                          timeout=600)  # fmt: skip


def _one_line(done: subprocess.CompletedProcess, *expected: str) -> str:
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-3000:]
    # a server stopping while a connection starts sends it a warning that libpq itself prints ("WARNING:  ...")
    ours = [line for line in done.stderr.splitlines() if not re.match(r"(WARNING|NOTICE):  ", line)]
    assert len(ours) == 1 and "Traceback" not in done.stderr, done.stderr[-3000:]
    for text in expected:
        assert text in done.stderr, done.stderr
    return done.stderr


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg2.connect(url) as con, con.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    con.close()
    return rows


def _extracting(url: str) -> bool:
    """Whether a run holds the writer lock (it has checked everything and is extracting)."""
    sql = "select count(*) from pg_stat_activity where application_name like 'cursor-spend extract%'"
    try:
        return _rows(url, sql)[0][0] > 0
    except psycopg2.OperationalError:
        return False


def test_postgres_stopped_during_a_run_ends_in_one_line_and_the_next_run_loses_nothing(make_simulator, tmp_path):
    slow = Fault("slow", route="events", count=1, delay=8)  # the extract outlasts the server
    api = make_simulator(members=5, days=3, options=SimulatorOptions(rate_limits=False, faults=[slow]))
    server = PostgresServer().start()  # its own: this test stops it
    try:
        url = server.database()
        env = _env(api.base_url, url, tmp_path)
        run = subprocess.Popen([sys.executable, "-m", "cursor_spend.cli", "extract", "--start-date", str(START),
                                "--end-date", str(END_DATE)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)  # fmt: skip
        deadline = time.monotonic() + 120
        while not _extracting(url) and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.2)
        server.halt()
        done = subprocess.CompletedProcess(run.args, run.wait(300), *run.communicate())

        _one_line(done, "lost the connection to the PostgreSQL", "nothing is half-loaded")
        server.resume()
        again = cli("extract", "--start-date", str(START), "--end-date", str(END_DATE), env=env)
        assert again.returncode == 0, again.stderr[-3000:]
        events = _rows(url, "select count(*), count(distinct event_key) from cursor_raw.usage_events")[0]
        served = api.simulator.team().events_in(day_start_ms(START), day_start_ms(END_DATE + timedelta(days=1)) - 1)
        assert events[0] == events[1] == len(served)  # every event of the window, once
    finally:
        server.stop()


def test_a_raw_table_of_someone_else_stops_the_run_in_one_line_and_is_left_as_it_is(
    make_simulator, postgres_url, tmp_path
):
    api = make_simulator(members=3, days=2)
    with psycopg2.connect(postgres_url) as con, con.cursor() as cursor:
        cursor.execute("create schema cursor_raw; create table cursor_raw.usage_events (id integer, note text)")
        cursor.execute("insert into cursor_raw.usage_events values (1, 'mine')")
    con.close()

    done = cli("run", env=_env(api.base_url, postgres_url, tmp_path))

    _one_line(done, "already has a table cursor_raw.usage_events that cursor-spend did not create", "left as it is")
    assert _rows(postgres_url, "select * from cursor_raw.usage_events") == [(1, "mine")]
    tables = "select table_name from information_schema.tables where table_schema like 'cursor_raw%' order by 1"
    assert _rows(postgres_url, tables) == [("usage_events",)]  # nothing loaded beside it


def test_a_user_who_may_not_create_what_a_run_creates_is_told_by_check_and_run_in_one_line(
    make_simulator, postgres_server, tmp_path
):
    api = make_simulator(members=3, days=2)
    postgres_server.execute("create role analyst login password 'analyst-pw'")
    postgres_server.execute("create database locked_down")  # owned by the cluster's superuser
    url = f"postgresql://analyst:analyst-pw@127.0.0.1:{postgres_server.port}/locked_down"
    env = _env(api.base_url, url, tmp_path)

    for command in ("check", "run"):
        _one_line(cli(command, env=env), "user analyst cannot create schema cursor_raw", "GRANT CREATE ON DATABASE")

    # a DBA made the schemas, but gave the user no CREATE in them
    postgres_server.execute("create schema cursor_raw; grant usage on schema cursor_raw to analyst", "locked_down")
    _one_line(cli("check", env=env), "cannot create tables in schema cursor_raw", "GRANT USAGE, CREATE ON SCHEMA")


def test_check_tries_what_a_run_creates_on_duckdb_and_leaves_nothing_behind(make_simulator, tmp_path):
    api = make_simulator(members=3, days=2)
    env = _env(api.base_url, None, tmp_path)

    done = cli("check", env=env)

    assert done.returncode == 0, done.stderr[-3000:]
    assert "warehouse: can create the tables of cursor_raw, cursor_raw_staging, staging, intermediate" in done.stdout
    with duckdb.connect(str(tmp_path / "cursor_spend.duckdb"), read_only=True) as con:
        schemas = {name for (name,) in con.execute("select schema_name from information_schema.schemata").fetchall()}
    assert not schemas & {"cursor_raw", "staging", "marts", "cursor_alerts"}
