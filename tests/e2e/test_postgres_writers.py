"""One writer per PostgreSQL warehouse, as on DuckDB: two extracts or two transforms started at once end both
successful, one after the other (or one successful and one clear line), and never leave a raw key twice; a run that
finds the warehouse's writer lock held waits a bounded time, then names the holder in one line; the database itself
refuses a second copy of a raw key, and a table left with copies by an older version is repaired once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import psycopg2
import pytest

from cursor_simulator import Simulator, SimulatorOptions, SimulatorServer, TeamSpec
from cursor_spend.config import load_settings
from cursor_spend.load import load
from cursor_spend.locking import exclusive
from dlt_sources.cursor.schema import TABLES
from tests.conftest import API_KEY, END_DATE

START = END_DATE - timedelta(days=5)


@pytest.fixture(scope="module")
def api(request):
    spec = TeamSpec(api_key=API_KEY, members=8, days=6, end_date=END_DATE)
    server = SimulatorServer(Simulator([spec], SimulatorOptions(rate_limits=False))).start()
    request.addfinalizer(server.stop)
    return server


def _env(api, url: str, local, **more: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CURSOR_")}
    return base | {"CURSOR_API_KEY": API_KEY, "CURSOR_API_BASE_URL": api.base_url, "CURSOR_SPEND_WAREHOUSE": url,
                   "CURSOR_SPEND_DUCKDB": str(local / "unused.duckdb")} | more  # fmt: skip


def _at_once(command: list[str], envs: list[dict[str, str]]) -> list[subprocess.CompletedProcess]:
    """Start one process per environment at the same moment; wait for all."""
    started = [
        subprocess.Popen([sys.executable, "-m", "cursor_spend.cli", *command], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for env in envs
    ]  # fmt: skip
    return [subprocess.CompletedProcess(p.args, p.wait(600), *p.communicate()) for p in started]


def _one_writer_at_a_time(done: list[subprocess.CompletedProcess]) -> None:
    """Both succeeded (the second waited for the first), or one did and the other said so in one line."""
    codes = sorted(p.returncode for p in done)
    assert codes in ([0, 0], [0, 2]), [(p.stdout[-1500:], p.stderr[-6000:]) for p in done]
    for process in done:
        assert "Traceback" not in process.stderr and "__dbt_backup" not in process.stderr, process.stderr[-3000:]
        if process.returncode == 2:
            assert process.stderr.count("\n") == 1 and "is in use by another run" in process.stderr


def _copies(url: str) -> dict[str, int]:
    """Raw table -> rows beyond one per key."""
    with psycopg2.connect(url) as con, con.cursor() as cursor:
        extra = {}
        for table in TABLES:
            keys = ", ".join(table.primary_key)
            current = " where _dlt_valid_to is null" if table.name == "members" else ""
            cursor.execute(f"select count(*) - count(distinct ({keys})) from cursor_raw.{table.name}{current}")
            extra[table.name] = cursor.fetchone()[0]
    con.close()
    return extra


def test_two_extracts_of_the_same_window_at_once_leave_every_key_once(api, postgres_url, tmp_path):
    envs = [_env(api, postgres_url, tmp_path / f"machine-{n}") for n in (1, 2)]  # two machines, one warehouse

    done = _at_once(["extract", "--start-date", str(START), "--end-date", str(END_DATE)], envs)

    _one_writer_at_a_time(done)
    assert set(_copies(postgres_url).values()) == {0}


def test_two_transforms_at_once_build_one_after_the_other(api, postgres_url, tmp_path):
    load(load_settings(env=_env(api, postgres_url, tmp_path / "loader")), START, END_DATE)
    envs = [_env(api, postgres_url, tmp_path / f"machine-{n}") for n in (1, 2)]

    done = _at_once(["transform"], envs)

    _one_writer_at_a_time(done)
    assert any("dbt build: " in p.stdout and " 0 errors" in p.stdout for p in done)


def test_a_run_that_finds_the_lock_held_waits_then_names_the_holder_in_one_line(api, postgres_url, tmp_path):
    holder = load_settings(env=_env(api, postgres_url, tmp_path / "holder"))
    env = _env(api, postgres_url, tmp_path / "runner", CURSOR_SPEND_LOCK_WAIT="2")

    with exclusive(holder, "transform"):  # another run, e.g. a transform on another machine
        done = subprocess.run([sys.executable, "-m", "cursor_spend.cli", "extract"], env=env, capture_output=True,
                              text=True, timeout=300)  # fmt: skip

    assert done.returncode == 2, done.stderr[-3000:]
    line = done.stderr.strip().splitlines()[-1]
    assert "is in use by another run: cursor-spend transform (pid " in line and f"pid {os.getpid()})" in line
    assert "since " in line and "UTC" in line and "CURSOR_SPEND_LOCK_WAIT" in line and "user cursor_spend" in line
    assert "waiting up to 2 s" in done.stderr  # said at once, not only at the end


def test_the_database_refuses_a_second_copy_of_a_raw_key_and_repairs_old_copies_once(api, postgres_url, tmp_path):
    settings = load_settings(env=_env(api, postgres_url, tmp_path / "local"))
    load(settings, START, END_DATE)
    with psycopg2.connect(postgres_url) as con, con.cursor() as cursor:
        with pytest.raises(psycopg2.errors.UniqueViolation):
            cursor.execute("insert into cursor_raw.usage_events select * from cursor_raw.usage_events limit 1")
        con.rollback()
        # what an older version could leave: no index, every event twice
        cursor.execute("drop index cursor_raw.usage_events__keys")
        cursor.execute("insert into cursor_raw.usage_events select * from cursor_raw.usage_events")
    con.close()
    assert _copies(postgres_url)["usage_events"] > 0

    load(settings, END_DATE, END_DATE)

    assert set(_copies(postgres_url).values()) == {0}
    with psycopg2.connect(postgres_url) as con, con.cursor() as cursor:
        cursor.execute("select indexname from pg_indexes where schemaname = 'cursor_raw' and indexname like '%__keys'")
        assert {name for (name,) in cursor.fetchall()} == {f"{table.name}__keys" for table in TABLES}
    con.close()
