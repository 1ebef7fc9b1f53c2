"""Shared fixtures: a Cursor Admin API simulator served over real HTTP on loopback."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date

import pytest

from cursor_simulator import OrgSpec, Simulator, SimulatorOptions, SimulatorServer, TeamSpec
from tests.postgres import TRUST, PostgresServer

# dlt's own setting, for every process the tests start and the pipeline functions they call: dlt would import Airflow
# (it is in this venv) to look for secrets in an Airflow Variable, several seconds per process. The `cursor-spend`
# command sets it off by itself (cursor_spend/runtime.py; tests/e2e/test_cli_with_airflow_installed.py runs without).
os.environ.setdefault("PROVIDERS__ENABLE_AIRFLOW_SECRETS", "false")

# The slowest files first (measured with --durations): pytest-xdist's --dist loadfile hands whole files to free
# workers in collection order, so the long ones start at once and the short ones fill the gaps at the end.
SLOW_FIRST = (
    "tests/bi/test_superset.py",
    "tests/e2e/test_cli_pipeline.py",
    "tests/dbt/test_plain_dbt.py",  # builds the warehouse tests/dbt/shared.py shares, early
    "tests/e2e/test_reliability.py",
    "tests/airflow/test_end_to_end.py",
    "tests/snowflake/test_fakesnow.py",
    "tests/airflow/test_dag_runs.py",
    "tests/e2e/test_postgres.py",
    "tests/e2e/test_organization.py",
    "tests/e2e/test_postgres_access.py",
    "tests/benchmarks/test_benchmarks.py",
    "tests/test_package.py",
    "tests/e2e/test_demo.py",
    "tests/e2e/test_ai_code_costs.py",
    "tests/e2e/test_postgres_writers.py",
    "tests/dbt/test_transform.py",
    "tests/e2e/test_alerts.py",
    "tests/bi/test_semantic_layer.py",
    "tests/e2e/test_spend_shapes.py",
    "tests/e2e/test_ai_code_fallbacks.py",
    "tests/dbt/test_anomalies.py",
    "tests/dbt/test_focus_and_chargeback.py",
    "tests/source/test_ai_code.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: n for n, path in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))  # stable: file order kept


END_DATE = date(2026, 11, 20)  # a fixed "yesterday" so every test sees the same data
API_KEY = "crsr_" + "T" * 64


@pytest.fixture
def make_simulator() -> Iterator[Callable[..., SimulatorServer]]:
    """Start simulators for one test: ``make_simulator(members=10, days=5, options=SimulatorOptions(...))``.

    Keyword arguments go to :class:`TeamSpec` (defaults: the test key, 20 members, 10 days up to END_DATE);
    ``teams=[TeamSpec, ...]`` serves several teams, ``organizations=[OrgSpec, ...]`` organizations of them. Every
    server is stopped after the test.
    """
    servers: list[SimulatorServer] = []

    def start(
        options: SimulatorOptions | None = None,
        teams: list[TeamSpec] | None = None,
        organizations: list[OrgSpec] | None = None,
        **spec,
    ) -> SimulatorServer:
        spec = {"api_key": API_KEY, "members": 20, "days": 10, "end_date": END_DATE} | spec
        server = SimulatorServer(Simulator(teams or [TeamSpec(**spec)], options, organizations or ())).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster for the whole test session (see tests/postgres.py)."""
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_trust() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster with trust authentication (no password at all), for the whole session."""
    server = PostgresServer(TRUST).start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of a new, empty database on the session's PostgreSQL server."""
    return postgres_server.database()
