"""Injected faults (from code and over ``/_simulator/faults``) and the late change of the last day's costs."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import httpx
import pytest

from cursor_simulator import Fault, SimulatorOptions
from tests.conftest import END_DATE
from tests.simulator import all_events, client, window

RATE_LIMITED = {"error": "Too Many Requests", "message": "Rate limit exceeded. Please try again later."}


def _server(make_simulator, *faults: Fault):
    return make_simulator(options=SimulatorOptions(rate_limits=False, faults=list(faults)), members=10, days=5)


def _events(http: httpx.Client) -> httpx.Response:
    start, end = window(2)
    return http.post("/teams/filtered-usage-events", json={"startDate": start, "endDate": end})


def test_a_5xx_burst_fails_count_requests_then_recovers(make_simulator):
    http = client(_server(make_simulator, Fault("5xx", route="members", count=3)))
    responses = [http.get("/teams/members") for _ in range(4)]
    assert [r.status_code for r in responses] == [503, 503, 503, 200]
    assert responses[0].json() == {"error": "Internal Server Error", "message": "An unexpected error occurred"}
    assert _events(http).status_code == 200


def test_a_fault_can_skip_the_first_requests(make_simulator):
    http = client(_server(make_simulator, Fault.parse("5xx:members:1:2")))
    assert [http.get("/teams/members").status_code for _ in range(4)] == [200, 200, 503, 200]


def test_a_429_storm_answers_rate_limited_with_its_retry_after(make_simulator):
    http = client(_server(make_simulator, Fault("429", route="events", count=3, delay=2)))
    responses = [_events(http) for _ in range(4)]
    assert [r.status_code for r in responses] == [429, 429, 429, 200]
    assert responses[0].json() == RATE_LIMITED
    assert responses[0].headers["Retry-After"] == "2"


def test_a_slow_fault_delays_the_answer_but_answers(make_simulator):
    http = client(_server(make_simulator, Fault("slow", route="members", count=1, delay=0.4)))
    began = time.perf_counter()
    slow = http.get("/teams/members")
    slow_seconds = time.perf_counter() - began
    began = time.perf_counter()
    http.get("/teams/members")
    assert slow.status_code == 200 and slow_seconds >= 0.4
    assert time.perf_counter() - began < 0.4


def test_a_truncated_body_is_not_parseable_json(make_simulator):
    http = client(_server(make_simulator, Fault("truncated", route="events", count=1)))
    response = _events(http)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert _events(http).json()["usageEvents"]


def test_a_malformed_answer_is_html_with_status_200(make_simulator):
    response = client(_server(make_simulator, Fault("malformed", route="members"))).get("/teams/members")
    assert response.status_code == 200
    assert response.text.startswith("<html>")
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_extra_fields_appear_on_records_and_envelope(make_simulator):
    body = client(_server(make_simulator, Fault("extra_fields", route="members"))).get("/teams/members").json()
    assert body["simulatorSchemaVersion"]
    assert all(row["newlyAddedField"] == "drift" for row in body["teamMembers"])


def test_type_change_turns_charged_cents_into_strings(make_simulator):
    events = _events(client(_server(make_simulator, Fault("type_change", route="events")))).json()["usageEvents"]
    assert events and all(isinstance(e["chargedCents"], str) for e in events)
    assert all(float(e["chargedCents"]) >= 0 for e in events)


def test_legacy_v1_shapes_drop_member_ids_and_charged_cents(make_simulator):
    http = client(_server(make_simulator, Fault("legacy_v1")))
    members = http.get("/teams/members").json()["teamMembers"]
    assert members and all(set(m) == {"name", "email", "role"} for m in members)
    events = _events(http).json()["usageEvents"]
    assert events and all("chargedCents" not in e and "isChargeable" not in e for e in events)


def test_faults_can_be_set_and_cleared_over_http(make_simulator):
    server = _server(make_simulator)
    http = client(server)
    control = httpx.post(
        server.base_url + "/_simulator/faults", json={"faults": [{"kind": "5xx", "route": "members", "count": 1}]}
    )
    assert control.status_code == 200
    assert [http.get("/teams/members").status_code for _ in range(2)] == [503, 200]
    httpx.post(server.base_url + "/_simulator/faults", json={"faults": [{"kind": "5xx", "route": "members"}]})
    assert http.get("/teams/members").status_code == 503
    assert httpx.delete(server.base_url + "/_simulator/faults").status_code == 200
    assert http.get("/teams/members").status_code == 200
    bad = httpx.post(server.base_url + "/_simulator/faults", json={"faults": [{"kind": "earthquake"}]})
    assert bad.status_code == 400


def test_late_change_raises_some_charges_of_the_last_day_only(make_simulator):
    server = _server(make_simulator)
    http = client(server)
    last_start, last_end = window(1)
    earlier_start, earlier_end = window(3, END_DATE - timedelta(days=1))
    before_last = all_events(http, {"startDate": last_start, "endDate": last_end})
    before_earlier = all_events(http, {"startDate": earlier_start, "endDate": earlier_end})
    assert httpx.post(server.base_url + "/_simulator/late-change", json={"enabled": True}).status_code == 200
    after_last = all_events(http, {"startDate": last_start, "endDate": last_end})
    after_earlier = all_events(http, {"startDate": earlier_start, "endDate": earlier_end})
    assert after_earlier == before_earlier
    assert len(after_last) == len(before_last)
    changed = [(a, b) for a, b in zip(before_last, after_last, strict=True) if a != b]
    assert changed
    for old, new in changed:
        assert new["chargedCents"] > old["chargedCents"]
        assert {k: v for k, v in new.items() if k not in ("chargedCents", "tokenUsage")} == {
            k: v for k, v in old.items() if k not in ("chargedCents", "tokenUsage")
        }
