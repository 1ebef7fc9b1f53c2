"""Tests of the Cursor Admin API simulator, always over real HTTP (see ``make_simulator`` in tests/conftest.py).

Small helpers shared by the test modules live here.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import httpx

from cursor_simulator import OrgSpec, Simulator, SimulatorOptions, SimulatorServer, TeamSpec, serve
from tests.conftest import API_KEY, END_DATE

DAY_MS = 86_400_000
NUMBER = (int, float)
OPTIONAL_STR = (str, type(None))


def day_ms(day: date) -> int:
    """Epoch ms of 00:00:00.000 UTC of ``day``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def utc_day(ms: int | str) -> date:
    return datetime.fromtimestamp(int(ms) / 1000, tz=UTC).date()


def wait_for_window_start(seconds: float) -> None:
    """Sleep to just after a rate-limit window boundary so a burst of requests lands in one window."""
    time.sleep(seconds - time.monotonic() % seconds + 0.01)


def window(days: int, end: date = END_DATE) -> tuple[int, int]:
    """``days`` whole UTC days ending with ``end``, as inclusive epoch-ms bounds."""
    return day_ms(end - timedelta(days=days - 1)), day_ms(end) + DAY_MS - 1


def client(server: SimulatorServer, key: str = API_KEY, password: str = "") -> httpx.Client:
    return httpx.Client(base_url=server.base_url, auth=(key, password), timeout=30)


def all_events(http: httpx.Client, body: dict, page_size: int = 1000) -> list[dict]:
    """Every usage event matching ``body``, walking all pages."""
    events: list[dict] = []
    page = 1
    while True:
        response = http.post("/teams/filtered-usage-events", json=body | {"page": page, "pageSize": page_size})
        assert response.status_code == 200, response.text
        data = response.json()
        events += data["usageEvents"]
        if not data["pagination"]["hasNextPage"]:
            return events
        page += 1


def assert_shape(row: dict, required: dict, optional: dict | None = None) -> None:
    """``row`` has exactly the ``required`` keys (plus any ``optional`` ones), each of the given JSON type.

    Types are checked with ``type(...) in``, so a bool never passes for a number."""
    optional = optional or {}
    assert set(required) <= set(row), f"missing {set(required) - set(row)}"
    assert set(row) <= set(required) | set(optional), f"unexpected {set(row) - set(required) - set(optional)}"
    for name, value in row.items():
        expected = required.get(name, optional.get(name))
        expected = expected if isinstance(expected, tuple) else (expected,)
        assert type(value) in expected, f"{name}={value!r} is {type(value).__name__}, expected {expected}"


@contextmanager
def shared_server(**spec) -> Iterator[SimulatorServer]:
    """One server without rate limits for a whole test module (starting a server per test costs ~0.3 s)."""
    spec = {"api_key": API_KEY, "members": 20, "days": 10, "end_date": END_DATE} | spec
    with serve(Simulator([TeamSpec(**spec)], SimulatorOptions(rate_limits=False))) as server:
        yield server


def all_items(http: httpx.Client, path: str, params: dict | None = None, page_size: int = 1000) -> list[dict]:
    """Every item of an AI Code Tracking list (``/analytics/ai-code/commits`` or ``changes``), walking all pages."""
    items: list[dict] = []
    page = 1
    while True:
        response = http.get(path, params=(params or {}) | {"page": page, "pageSize": page_size})
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        if page * page_size >= body["totalCount"]:
            return items
        page += 1


def commit_details(http: httpx.Client, hashes: list[str], batch: int = 100) -> tuple[list[dict], dict]:
    """The commit-detail route's commits for ``hashes``, in batches, with each listed conversation."""
    commits, conversations = [], {}
    for k in range(0, len(hashes), batch):
        response = http.get("/analytics/ai-code/commits/" + ",".join(hashes[k : k + batch]))
        assert response.status_code == 200, response.text
        commits += response.json()["commits"]
        conversations |= {c["id"]: c for c in response.json()["conversations"]}
    return commits, conversations


ORG_KEY = "crsr_" + "O" * 64
TEAM_KEYS = ("crsr_" + "A" * 64, "crsr_" + "B" * 64, "crsr_" + "C" * 64)  # C is served outside the organization


def org_teams(**fields) -> list[TeamSpec]:
    """Three teams of 8, 6 and 5 members, 10 days up to END_DATE; the first two make the organization."""
    return [
        TeamSpec(api_key=key, seed=k + 1, members=members, days=10, end_date=END_DATE, domain=f"t{k + 1}.io", **fields)
        for k, (key, members) in enumerate(zip(TEAM_KEYS, (8, 6, 5), strict=True))
    ]


@contextmanager
def org_server(options: SimulatorOptions | None = None, **org_fields) -> Iterator[tuple[SimulatorServer, Simulator]]:
    """The three teams, the first two in an organization (``org_fields`` go to its :class:`OrgSpec`)."""
    teams = org_teams()
    fields = {"api_key": ORG_KEY, "teams": (teams[0].resolved_team_id, teams[1].resolved_team_id)} | org_fields
    simulator = Simulator(teams, options or SimulatorOptions(rate_limits=False), [OrgSpec(**fields)])
    with serve(simulator) as server:
        yield server, simulator


def org_post(http: httpx.Client, route: str, simulator: Simulator, **body) -> dict:
    """A 200 answer of ``POST /organizations/<route>`` for the simulator's organization."""
    response = http.post(f"/organizations/{route}", json={"organizationId": simulator.organization().id} | body)
    assert response.status_code == 200, response.text
    return response.json()
