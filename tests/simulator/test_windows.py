"""Usage-event pagination, inclusive ms bounds, the 30-day range limit and retention."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from cursor_simulator import SimulatorOptions
from tests.conftest import END_DATE
from tests.simulator import DAY_MS, all_events, client, day_ms, shared_server, window

NO_LIMITS = SimulatorOptions(rate_limits=False)


@pytest.fixture(scope="module")
def server():
    with shared_server() as running:
        yield running


TOO_LONG = {"error": "Bad Request", "message": "Date range cannot exceed 30 days"}


def _key(event: dict) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in event.items()))


def test_walking_all_event_pages_returns_exactly_the_total_newest_first_without_duplicates(server):
    http = client(server)
    start, end = window(5)
    first = http.post("/teams/filtered-usage-events", json={"startDate": start, "endDate": end, "pageSize": 97})
    first = first.json()
    total = first["totalUsageEventsCount"]
    assert total > 300
    assert first["pagination"]["numPages"] == math.ceil(total / 97)
    events, page = [], 1
    while True:
        body = http.post(
            "/teams/filtered-usage-events", json={"startDate": start, "endDate": end, "page": page, "pageSize": 97}
        ).json()
        assert body["pagination"]["currentPage"] == page
        assert body["pagination"]["hasPreviousPage"] is (page > 1)
        events += body["usageEvents"]
        if not body["pagination"]["hasNextPage"]:
            break
        page += 1
    assert page == first["pagination"]["numPages"]
    assert len(events) == total
    assert len({_key(e) for e in events}) == total
    stamps = [int(e["timestamp"]) for e in events]
    assert stamps == sorted(stamps, reverse=True)
    assert all(start <= ts <= end for ts in stamps)


def test_a_page_past_the_end_is_empty(server):
    http = client(server)
    start, end = window(2)
    body = http.post("/teams/filtered-usage-events", json={"startDate": start, "endDate": end, "page": 999}).json()
    assert body["usageEvents"] == [] and body["pagination"]["hasNextPage"] is False


def test_events_bounds_are_inclusive_at_both_ends(server):
    http = client(server)
    start, end = window(5)
    some = all_events(http, {"startDate": start, "endDate": end})
    ts = int(some[len(some) // 2]["timestamp"])
    same_ms = [e for e in some if int(e["timestamp"]) == ts]
    exact = all_events(http, {"startDate": ts, "endDate": ts})
    assert len(exact) == len(same_ms) >= 1
    after = all_events(http, {"startDate": ts + 1, "endDate": end})
    before = all_events(http, {"startDate": start, "endDate": ts - 1})
    assert all(int(e["timestamp"]) != ts for e in after + before)
    assert len(before) + len(exact) + len(after) == len(some)


def test_day_windows_ending_at_last_millisecond_partition_events_exactly(server):
    http = client(server)
    start, end = window(5)
    whole = all_events(http, {"startDate": start, "endDate": end})
    pieces = []
    for k in range(5):
        day_start = start + k * DAY_MS
        pieces += all_events(http, {"startDate": day_start, "endDate": day_start + DAY_MS - 1})
    assert len(pieces) == len(whole)
    assert sorted(map(_key, pieces)) == sorted(map(_key, whole))


def test_midnight_events_fall_in_the_day_that_starts_at_them(make_simulator):
    http = client(make_simulator(options=NO_LIMITS, members=40, days=20))
    midnight = []
    for k in range(20):
        day = day_ms(END_DATE - timedelta(days=k))
        at = all_events(http, {"startDate": day, "endDate": day})
        assert all(int(e["timestamp"]) == day for e in at)
        previous_day = all_events(http, {"startDate": day - DAY_MS, "endDate": day - 1})
        assert all(int(e["timestamp"]) < day for e in previous_day)
        midnight += at
    assert midnight, "expected some events at exactly 00:00:00.000 UTC"


@pytest.mark.parametrize("route", ["/teams/daily-usage-data", "/teams/filtered-usage-events"])
def test_ranges_longer_than_30_days_are_rejected(server, route):
    http = client(server)
    end = day_ms(END_DATE)
    response = http.post(route, json={"startDate": end - 30 * DAY_MS - 1, "endDate": end})
    assert response.status_code == 400
    assert response.json() == TOO_LONG


@pytest.mark.parametrize("route", ["/teams/daily-usage-data", "/teams/filtered-usage-events"])
def test_a_range_of_30_days_minus_one_millisecond_is_accepted(server, route):
    http = client(server)
    start = day_ms(END_DATE - timedelta(days=29))
    response = http.post(route, json={"startDate": start, "endDate": start + 30 * DAY_MS - 1})
    assert response.status_code == 200, response.text


def test_days_older_than_retention_come_back_empty_not_as_errors(make_simulator):
    http = client(make_simulator(options=NO_LIMITS, days=10, retention_days=5))
    old_start, old_end = window(5, END_DATE - timedelta(days=5))
    new_start, new_end = window(5)
    for start, end, expect_data in ((old_start, old_end, False), (new_start, new_end, True)):
        events = http.post("/teams/filtered-usage-events", json={"startDate": start, "endDate": end})
        daily = http.post("/teams/daily-usage-data", json={"startDate": start, "endDate": end})
        assert events.status_code == daily.status_code == 200
        assert (events.json()["totalUsageEventsCount"] > 0) is expect_data
        assert bool(daily.json()["data"]) is expect_data
