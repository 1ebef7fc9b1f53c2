"""PostgreSQL as the warehouse over days of use: incremental runs, reruns and a backfill change nothing they should
not, for a team key and an organization's key side by side (with its contract pool). BI readers: a role named in
CURSOR_SPEND_READER_ROLES reads every mart after every build and nothing else; one holding a connection during a
transform always sees complete marts and is never blocked for long; one holding a mart in an open transaction holds
a build up at most lock_timeout, and the build then names it in one line. One warehouse (module fixture) serves both
tests: its daily runs are the builds the reader reads during."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import timedelta
from decimal import Decimal

import psycopg2
import pytest

from cursor_simulator import OrgSpec, Simulator, SimulatorOptions, SimulatorServer, TeamSpec
from cursor_simulator.usage import TeamUsage
from cursor_spend import load
from cursor_spend.config import load_settings
from cursor_spend.errors import WarehouseLockedError
from cursor_spend.transform import run_dbt, transform
from tests.conftest import API_KEY, END_DATE
from tests.truth import (
    expected_pool_days,
    expected_seat_costs,
    expected_usage_costs,
    mart_pool_days,
    mart_seat_costs,
    mart_usage_costs,
    query,
)

FIRST = END_DATE - timedelta(days=19)
READER, NOT_NAMED, PASSWORD = "bi_reader", "bi_not_named", "reader-pw"  # roles of a throwaway cluster
ORG_KEY = "crsr_" + "O" * 64
MART = "marts.fct_cursor_costs_daily"  # most reporting marts are built from it


def _settings(server, url: str, tmp_path, keys: dict, **overrides):
    env = keys | {
        "CURSOR_API_KEY": API_KEY,
        "CURSOR_TEAM": "acme",
        "CURSOR_API_BASE_URL": server.base_url,
        "CURSOR_SPEND_WAREHOUSE": url,
        "CURSOR_SPEND_DUCKDB": str(tmp_path / "local" / "unused.duckdb"),
        # the client's own limit of 20 admin requests a window, per second and not per minute: four loads in a row
        # waited 30-45 s for it (the simulator's limits are off; tests/source/test_rate_limits_and_urls.py tests it)
        "CURSOR_RATE_LIMIT_WINDOW": "1",
    }
    return load_settings(env=env, **overrides)


def _equal_truth(settings, teams: dict[str, TeamUsage], start, end) -> None:
    for label, usage in teams.items():
        assert mart_usage_costs(settings.warehouse, label) == expected_usage_costs(usage, start, end), label
        assert mart_seat_costs(settings.warehouse, label) == expected_seat_costs(usage, start, end, Decimal(40)), label


def _snapshot(cursor, marts: list[str]) -> dict[str, tuple]:
    out = {}
    for mart in marts:
        cursor.execute(f"select count(*), sum(length(cast(t as text))) from marts.{mart} as t")
        out[mart] = cursor.fetchone()
    return out


@pytest.fixture(scope="module")
def warehouse(postgres_server, tmp_path_factory):
    """The first daily run (8 days) of a warehouse whose build named READER (created before, as docker-compose
    does) in CURSOR_SPEND_READER_ROLES, a role NOT_NAMED, and ``connect(role, application)`` as either; the
    simulator serves more days for the next runs. Two teams of an organization: acme with its own key (the team key
    wins), the other through the organization's key (labelled by its team id), and the organization's contract pool."""
    postgres_server.execute(
        f"create role {READER} login password '{PASSWORD}'; create role {NOT_NAMED} login password '{PASSWORD}'"
    )
    acme = TeamSpec(api_key=API_KEY, members=10, days=20, end_date=END_DATE)
    other = TeamSpec(api_key="crsr_" + "U" * 64, seed=8, members=3, days=20, end_date=END_DATE, domain="other.io")
    org = OrgSpec(api_key=ORG_KEY, teams=(acme.resolved_team_id, other.resolved_team_id))
    simulator = Simulator([acme, other], SimulatorOptions(rate_limits=False), organizations=[org])
    server = SimulatorServer(simulator).start()
    served = simulator.organization(ORG_KEY)
    teams = {"acme": simulator.team(API_KEY), str(other.resolved_team_id): simulator.team(other.api_key)}
    keys = {"CURSOR_ORG_API_KEY": ORG_KEY, "CURSOR_ORG_ID": served.id}
    url = postgres_server.database()
    settings = _settings(server, url, tmp_path_factory.mktemp("daily"), keys, initial_days=8, reader_roles=(READER,))
    load.load(settings, end_date=END_DATE - timedelta(days=2))  # the first daily run: 8 days
    transform(settings)

    def connect(role: str, application: str = "a BI tool", autocommit: bool = True):
        con = psycopg2.connect(url.replace(url.split("@")[0], f"postgresql://{role}:{PASSWORD}"),
                               application_name=application)  # fmt: skip
        con.autocommit = autocommit
        return con

    yield settings, connect, teams, served.pool
    server.stop()


def _refused(con, sql: str) -> bool:
    try:
        with con.cursor() as cursor:
            cursor.execute(sql)
        return False
    except psycopg2.errors.InsufficientPrivilege:
        return True


def _read_during(cursor, marts: list[str], build) -> tuple[list[dict], list[float], float]:
    """Snapshots of every mart, read one after the other while ``build()`` runs; their waits; the build's time."""
    seen, waits, done = [], [], threading.Event()

    def read() -> None:
        while not done.is_set():
            started = time.monotonic()
            seen.append(_snapshot(cursor, marts))
            waits.append(time.monotonic() - started)

    thread = threading.Thread(target=read)
    thread.start()
    started = time.monotonic()
    try:
        build()
    finally:
        done.set()
        thread.join()
    return seen, waits, time.monotonic() - started


def test_daily_runs_a_rerun_and_a_backfill_end_exact_and_a_reader_meanwhile_sees_complete_marts(warehouse):
    """After the first daily run: the next one with its lookback and a rerun of it, built while a reader role (a BI
    tool: one connection held open, a query at a time) reads every mart; then a backfill of the older days."""
    settings, connect, teams, pool = warehouse
    with settings.warehouse.connect() as owner, owner.cursor() as cursor:
        cursor.execute("select table_name from information_schema.tables where table_schema = 'marts' order by 1")
        marts = [name for (name,) in cursor.fetchall()]
    reader = connect(READER)
    cursor = reader.cursor()
    before = _snapshot(cursor, marts)  # every mart, after the first build
    load.load(settings, end_date=END_DATE)  # the next daily run, with its lookback: new days change every mart
    load.load(settings, end_date=END_DATE)  # and a rerun of it

    seen, waits, build = _read_during(cursor, marts, lambda: transform(settings))

    after = _snapshot(cursor, marts)  # every mart, after the rebuild: the grants were kept
    assert len(marts) >= 19 and len(seen) > 5 and after != before
    for snapshot in seen:
        for mart in marts:  # each mart is the old one or the new one, never empty or half-built
            assert snapshot[mart] in (before[mart], after[mart]), mart
    print(f"{len(seen)} reads during a {build:.1f} s build; the slowest read took {max(waits):.2f} s")
    assert max(waits) < build / 2  # waits for a swap at most, never for the whole build
    assert _refused(reader, "select count(*) from cursor_raw.usage_events")  # the marts and nothing else
    assert _refused(reader, "select count(*) from staging.stg_cursor__usage_events")
    reader.close()
    other = connect(NOT_NAMED)
    assert _refused(other, f"select count(*) from {MART}")
    other.close()
    recent = END_DATE - timedelta(days=9)
    _equal_truth(settings, teams, recent, END_DATE)

    load.load(settings, FIRST, recent - timedelta(days=1))  # a backfill of the older days
    transform(settings)
    _equal_truth(settings, teams, FIRST, END_DATE)
    assert query(settings.warehouse, "select distinct team from cursor_raw.usage_events order by 1") == [
        (label,) for label in sorted(teams)
    ]  # acme read once, with its own key
    assert mart_pool_days(settings.warehouse) == expected_pool_days(pool)  # as the simulator's pool


def test_a_reader_holding_a_mart_in_a_transaction_holds_a_build_up_briefly_and_is_named_in_one_line(warehouse):
    settings, connect, _, _ = warehouse
    holder = connect(READER, "superset-sqllab", autocommit=False)
    with holder.cursor() as cursor:  # a transaction left open, as an idle SQL Lab tab can
        cursor.execute(f"select count(*) from {MART}")
    pid = holder.info.backend_pid
    release = threading.Timer(300, holder.rollback)  # a build that waited without limit would end, and pass
    release.start()
    waits, done = [], threading.Event()

    def read() -> None:  # another dashboard, a query at a time
        con = connect(READER)
        while not done.is_set():
            started = time.monotonic()
            with con.cursor() as cursor:
                cursor.execute(f"select count(*) from {MART}")
            waits.append(time.monotonic() - started)
            time.sleep(0.2)
        con.close()

    thread = threading.Thread(target=read)
    thread.start()
    started = time.monotonic()
    try:
        with pytest.raises(WarehouseLockedError) as failed:
            # the mart's build as transform() runs it (the pre-hook, the message), without the rest of the DAG
            run_dbt(dataclasses.replace(settings, lock_timeout=0.5), "build", "--select", MART.split(".")[1])
    finally:
        seconds = time.monotonic() - started
        done.set()
        thread.join()
        release.cancel()
        holder.rollback()
        holder.close()

    line = str(failed.value)
    assert "\n" not in line and "waited longer than lock_timeout (CURSOR_SPEND_LOCK_TIMEOUT)" in line, line
    assert f"superset-sqllab (user {READER}, server pid {pid}, since " in line
    assert f"holding {MART}" in line and f"pg_terminate_backend({pid})" in line
    print(f"the build gave up after {seconds:.1f} s; the other reader's slowest query took {max(waits):.2f} s")
    assert max(waits) < 10  # new readers are not queued behind the build for long
    reader = connect(READER)  # the failed build kept the mart and its grant
    with reader.cursor() as cursor:
        cursor.execute(f"select count(*) from {MART}")
        assert cursor.fetchone()[0] > 0
    reader.close()
