"""Rate limits across processes and 429s without Retry-After; a URL that is not the Admin API is named as such."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cursor_simulator import Fault, SimulatorOptions, free_port
from dlt_sources.cursor.client import CursorClient
from dlt_sources.cursor.errors import CursorConfigurationError, CursorUnavailableError
from tests.conftest import API_KEY

WINDOW = 8.0  # seconds: one rate-limit window of the simulator and the clients

USE_UP_THE_WINDOW = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from dlt_sources.cursor.client import CursorClient
    with CursorClient(sys.argv[1], "acme", sys.argv[2], rate_limit_window=float(sys.argv[3]),
                      request_log_dir=Path(sys.argv[4])) as client:
        for _ in range(20):  # the admin routes' whole budget of this window
            client.get("/teams/members")
    """
)


def test_a_run_right_after_another_counts_its_requests_and_gets_no_429(make_simulator, tmp_path):
    options = SimulatorOptions(window_seconds=WINDOW, retry_after=False, rate_limit_mode="sliding")
    server = make_simulator(members=3, days=2, options=options)
    log_dir = tmp_path / "warehouse" / ".dlt" / "requests"
    first = [sys.executable, "-c", USE_UP_THE_WINDOW, API_KEY, server.base_url, str(WINDOW), str(log_dir)]
    subprocess.run(first, check=True, timeout=120)

    env = {k: v for k, v in os.environ.items() if not k.startswith("CURSOR_")} | {
        "CURSOR_API_KEY": API_KEY,
        "CURSOR_TEAM": "acme",  # the same team label: the log is per team
        "CURSOR_API_BASE_URL": server.base_url,
        "CURSOR_RATE_LIMIT_WINDOW": str(WINDOW),
        "CURSOR_SPEND_DUCKDB": str(tmp_path / "warehouse" / "cursor_spend.duckdb"),
    }
    second = subprocess.run([sys.executable, "-m", "cursor_spend.cli", "check"], env=env, capture_output=True,
                            text=True, timeout=120)  # fmt: skip

    assert second.returncode == 0, second.stderr[-2000:]
    assert server.simulator.count("members", 200) == 21
    assert server.simulator.count(status=429) == 0
    assert API_KEY not in "".join(p.read_text() for p in log_dir.iterdir())


def test_429s_without_retry_after_wait_for_the_window_and_then_succeed(make_simulator):
    storm = Fault("429", "members", count=3)  # no Retry-After: the client waits a whole window each time
    server = make_simulator(members=3, days=2, options=SimulatorOptions(rate_limits=False, faults=[storm]))
    with CursorClient(API_KEY, "acme", server.base_url, rate_limit_window=0.5) as client:
        assert client.get("/teams/members")["teamMembers"]
    assert server.simulator.count("members", 429) == 3


def test_a_429_storm_longer_than_the_budget_says_rate_limited_in_one_line(make_simulator):
    storm = Fault("429", "members", count=20)
    server = make_simulator(members=3, days=2, options=SimulatorOptions(rate_limits=False, faults=[storm]))
    with CursorClient(API_KEY, "acme", server.base_url, rate_limit_window=0.2) as client:
        with pytest.raises(CursorUnavailableError) as failure:
            client.get("/teams/members")
    text = str(failure.value)
    assert "rate limited by the Cursor API (20 requests per minute per team on admin routes)" in text
    assert "\n" not in text and ".." not in text and "CURSOR_API_BASE_URL" not in text


@pytest.fixture
def not_the_api():
    """A plain web server: HTML 404 pages for GET, 501 for POST (what a wrong URL or a proxy answers)."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_url_that_is_not_the_admin_api_is_named_not_blamed_on_the_key(not_the_api, method):
    url = not_the_api.replace("http://", "http://someone:hunter2@") + "/v1"
    with CursorClient(API_KEY, "acme", url, max_attempts=1) as client:
        with pytest.raises(CursorConfigurationError) as failure:
            client.request(method, "/teams/members", json_body={} if method == "POST" else None)
    text = str(failure.value)
    assert "does not look like the Cursor Admin API" in text and f"{not_the_api}/v1/teams/members" in text
    assert "hunter2" not in text and "someone" not in text and "personal-plan" not in text
    assert failure.value.status == (404 if method == "GET" else 501)


def test_the_simulators_path_below_v1_is_not_the_api_either(make_simulator):
    server = make_simulator(members=3, days=2)
    with CursorClient(API_KEY, "acme", server.base_url + "/v1") as client:
        with pytest.raises(CursorConfigurationError, match="does not look like the Cursor Admin API"):
            client.get("/teams/members")


def test_a_url_without_a_scheme_is_refused_before_any_request():
    with pytest.raises(CursorConfigurationError, match="'api.cursor.com' is not an http"):
        CursorClient(API_KEY, "acme", "api.cursor.com")
