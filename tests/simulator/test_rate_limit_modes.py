"""The sliding rate-limit window beside the fixed one, and Retry-After on or off in both modes."""

from __future__ import annotations

import time

import pytest

from cursor_simulator import RATE_LIMIT_MODES, SimulatorOptions
from tests.simulator import client, window

RATE_LIMITED = {"error": "Too Many Requests", "message": "Rate limit exceeded. Please try again later."}


def _sliding(seconds: float, **options) -> SimulatorOptions:
    return SimulatorOptions(window_seconds=seconds, rate_limit_mode="sliding", **options)


def _wait_until_into_window(seconds: float, into: float) -> None:
    """Sleep until ``into`` seconds into a fixed window of ``seconds`` (the fixed limiter's windows)."""
    time.sleep((into - time.monotonic() % seconds) % seconds)


def test_sliding_window_refuses_the_21st_admin_request_until_the_oldest_leaves(make_simulator):
    http = client(make_simulator(options=_sliding(2.0)))
    statuses = [http.get("/teams/members").status_code for _ in range(20)]
    limited = http.post("/teams/spend", json={})
    assert statuses == [200] * 20
    assert limited.status_code == 429
    assert limited.json() == RATE_LIMITED
    wait = int(limited.headers["Retry-After"])
    assert 1 <= wait <= 2
    time.sleep(wait)
    assert http.get("/teams/members").status_code == 200


def test_sliding_window_never_serves_more_than_20_admin_requests_in_any_window(make_simulator):
    """Hammer the admin routes for 2.5 windows, starting late in a fixed window (where fixed windows would serve
    20 before and 20 right after the boundary): any 21 served requests span at least a window. The client's
    send and receive times bound the server's, so this holds however slow the machine is."""
    seconds = 1.0
    http = client(make_simulator(options=_sliding(seconds)))
    _wait_until_into_window(seconds, 0.7)
    served, refused = [], 0
    deadline = time.monotonic() + 2.5 * seconds
    while time.monotonic() < deadline:
        sent = time.monotonic()
        status = http.get("/teams/members").status_code
        if status == 200:
            served.append((sent, time.monotonic()))
        else:
            refused += 1
    assert len(served) > 20 and refused > 0
    for first, twenty_first in zip(served, served[20:], strict=False):
        assert twenty_first[1] - first[0] >= seconds


def test_sliding_window_counts_the_events_route_apart_with_60_requests(make_simulator):
    http = client(make_simulator(options=_sliding(3.0)))
    start, end = window(1)
    body = {"startDate": start, "endDate": end, "pageSize": 1}
    statuses = [http.post("/teams/filtered-usage-events", json=body).status_code for _ in range(61)]
    assert statuses == [200] * 60 + [429]
    assert http.get("/teams/members").status_code == 200


@pytest.mark.parametrize("mode", RATE_LIMIT_MODES)
def test_retry_after_can_be_switched_off_in_either_mode(make_simulator, mode):
    http = client(make_simulator(options=SimulatorOptions(window_seconds=2.0, retry_after=False, rate_limit_mode=mode)))
    _wait_until_into_window(2.0, 0.01)
    responses = [http.get("/teams/members") for _ in range(21)]
    assert [r.status_code for r in responses] == [200] * 20 + [429]
    assert responses[-1].json() == RATE_LIMITED
    assert "retry-after" not in responses[-1].headers


@pytest.mark.parametrize("mode", RATE_LIMIT_MODES)
def test_retry_after_is_sent_in_either_mode(make_simulator, mode):
    http = client(make_simulator(options=SimulatorOptions(window_seconds=2.0, rate_limit_mode=mode)))
    _wait_until_into_window(2.0, 0.01)
    limited = [http.get("/teams/members") for _ in range(21)][-1]
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 2


def test_an_unknown_rate_limit_mode_is_refused():
    with pytest.raises(ValueError, match="fixed or sliding"):
        SimulatorOptions(rate_limit_mode="leaky")
