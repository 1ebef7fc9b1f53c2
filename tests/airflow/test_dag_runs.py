"""Real `dag.test()` runs of both DAGs against the simulator over HTTP, on a SQLite metadata DB."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cursor_simulator import SimulatorOptions
from tests.airflow import DAGS_DIR, airflow_db, mart_days, mart_snapshot  # noqa: F401 (airflow_db: fixture)
from tests.conftest import API_KEY

pytestmark = pytest.mark.usefixtures("airflow_db")

# Interval [2026-11-19, 2026-11-20): reads 2026-11-17 .. 2026-11-19 with the default 2-day lookback.
LOGICAL_DATE = datetime(2026, 11, 20, tzinfo=UTC)


def _dag(dag_id: str):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(str(DAGS_DIR))
    assert bag.import_errors == {}
    return bag.dags[dag_id]


@pytest.fixture
def api(make_simulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The simulator on loopback, the environment pointing at it; returns the warehouse path."""
    server = make_simulator(options=SimulatorOptions(rate_limits=False))
    duckdb_path = tmp_path / "warehouse" / "cursor_spend.duckdb"
    for name in ("CURSOR_API_KEYS", "AIRFLOW_CONN_CURSOR_DEFAULT", "CURSOR_TEAM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CURSOR_API_BASE_URL", server.base_url)
    monkeypatch.setenv("CURSOR_API_KEY", API_KEY)
    monkeypatch.setenv("CURSOR_SPEND_DUCKDB", str(duckdb_path))
    return duckdb_path


def _states(dag_run) -> dict[str, tuple[str, int]]:
    return {ti.task_id: (ti.state, ti.try_number) for ti in dag_run.get_task_instances()}


def test_extract_then_transform_fill_the_marts_and_a_rerun_changes_nothing(api: Path) -> None:
    extract, transform = _dag("cursor_spend_extract"), _dag("cursor_spend_transform")

    run = extract.test(logical_date=LOGICAL_DATE)
    assert (run.data_interval_start, run.data_interval_end) == (datetime(2026, 11, 19, tzinfo=UTC), LOGICAL_DATE)
    assert run.state == "success", _states(run)
    run = transform.test()
    assert run.state == "success", _states(run)

    first = mart_snapshot(api)
    assert first and all(table["rows"] > 0 for name, table in first.items() if name.startswith("fct_")), first
    # the same extract read the AI Code Tracking and Analytics APIs: linked costs need the commit details too
    assert first["rpt_cursor_commit_costs"]["linked_cost_usd"] > 0 and first["rpt_cursor_adoption_daily"]["cursor_dau"]
    days = mart_days(api, "fct_cursor_activity_daily")
    assert "2026-11-19" in days and "2026-11-20" not in days  # the interval's last full day, not the next
    assert list((api.parent / "exports").glob("*.parquet"))
    assert [p.name for p in (api.parent / "exports" / "focus").iterdir()] == ["cursor-focus-2026-11.parquet"]

    assert extract.test(logical_date=LOGICAL_DATE).state == "success"  # clears and re-runs the same interval
    assert transform.test().state == "success"
    assert mart_snapshot(api) == first


def test_bad_key_fails_the_extract_dag_at_once_without_retries(api: Path, monkeypatch, capfd) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    from cursor_spend.airflow import tasks

    monkeypatch.setenv("CURSOR_API_KEY", "crsr_" + "W" * 64)
    with pytest.raises(AirflowFailException) as expected:
        tasks.check_api_key()
    message = str(expected.value)
    assert message and "\n" not in message
    capfd.readouterr()

    run = _dag("cursor_spend_extract").test(logical_date=LOGICAL_DATE)

    states = _states(run)
    assert run.state == "failed"
    assert states["check_api_key"] == ("failed", 1)  # AirflowFailException: no retry despite retries=3
    assert states["extract"][0] == "upstream_failed"
    log = "".join(capfd.readouterr())
    assert message in log
    assert "W" * 64 not in log


def test_key_and_url_come_from_the_cursor_default_connection(api: Path, make_simulator, monkeypatch, capfd) -> None:
    import json

    server = make_simulator(options=SimulatorOptions(rate_limits=False), api_key="crsr_" + "C" * 64)
    monkeypatch.delenv("CURSOR_API_KEY")
    monkeypatch.setenv("CURSOR_API_BASE_URL", "http://127.0.0.1:9")  # nothing listens here: the host must win
    connection = {"conn_type": "generic", "host": server.base_url, "password": "crsr_" + "C" * 64}
    monkeypatch.setenv("AIRFLOW_CONN_CURSOR_DEFAULT", json.dumps(connection | {"extra": {"team": "eng"}}))

    run = _dag("cursor_spend_extract").test(logical_date=LOGICAL_DATE)

    assert run.state == "success", _states(run)
    import duckdb

    with duckdb.connect(str(api), read_only=True) as con:
        teams = {row[0] for row in con.sql("select distinct team from cursor_raw.usage_events").fetchall()}
    assert teams == {"eng"}  # the connection's extra named the team, its host and password reached the simulator
    assert "C" * 64 not in "".join(capfd.readouterr())


def test_both_dags_run_against_a_postgresql_warehouse(api: Path, postgres_url: str, monkeypatch, capfd) -> None:
    from urllib.parse import unquote, urlsplit

    from cursor_spend.config import load_settings
    from tests.truth import all_marts

    monkeypatch.setenv("CURSOR_SPEND_WAREHOUSE", postgres_url)
    extract, transform = _dag("cursor_spend_extract"), _dag("cursor_spend_transform")
    assert {task.pool for task in [*extract.tasks, *transform.tasks] if task.task_id != "check_api_key"} == {
        "default_pool"
    }  # no DuckDB single-writer pool on a server

    assert extract.test(logical_date=LOGICAL_DATE).state == "success"
    assert transform.test().state == "success"

    warehouse = load_settings().warehouse
    marts = all_marts(warehouse)
    assert marts["fct_cursor_costs_daily"] and marts["fct_cursor_activity_daily"]
    assert not api.exists()  # nothing went to the DuckDB file
    assert unquote(urlsplit(postgres_url).password) not in "".join(capfd.readouterr())
