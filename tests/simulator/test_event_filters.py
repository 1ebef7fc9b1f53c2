"""The usage-events route filters by cloud-agent run, automation and hosting type as documented (reference §6.1):
each filter alone and combined with the others (AND) returns exactly the matching events, and the totals and
pages follow the filter."""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.simulator import all_events, client, shared_server, window

HOSTING_TYPES = ("CLOUD", "SELF_HOSTED", "SELF_HOSTED_POOL", "SELF_HOSTED_MACHINE")


def _key(event: dict) -> tuple:
    return event["timestamp"], event.get("userEmail"), event.get("conversationId"), event["model"]


@pytest.fixture(scope="module")
def team():
    """A 30-member team's server and every event of its last 10 days, unfiltered."""
    with shared_server(members=30) as server:
        start, end = window(10)
        dates = {"startDate": start, "endDate": end}
        yield server, dates, all_events(client(server), dates)


def _filtered(server, dates: dict, **filters) -> list[dict]:
    return all_events(client(server), dates | filters, page_size=97)


def test_people_and_service_accounts_run_cloud_agents_and_automations_headless(team):
    _, _, events = team
    cloud = [e for e in events if "cloudAgentId" in e]
    people = {e.get("userEmail") for e in cloud if "serviceAccountId" not in e} - {None}
    automations = [e for e in events if "automationId" in e]
    assert len(people) >= 3 and any("serviceAccountId" in e for e in cloud)
    assert all(e["cloudAgentId"].startswith("bc-") and e["isHeadless"] for e in cloud)
    assert automations and all("cloudAgentId" in e for e in automations)  # an automation runs a cloud agent
    assert any("serviceAccountId" not in e for e in automations)
    assert not any(e["isHeadless"] for e in events if "cloudAgentId" not in e)
    runs = defaultdict(set)
    for event in cloud:
        runs[event["cloudAgentId"]].add(event["conversationId"])
    assert all(len(conversations) == 1 for conversations in runs.values())  # a run is one conversation


def test_cloud_agent_id_star_returns_exactly_every_cloud_agent_event_with_matching_totals_and_pages(team):
    server, dates, events = team
    body = client(server).post("/teams/filtered-usage-events", json=dates | {"cloudAgentId": "*", "pageSize": 50})
    body = body.json()
    expected = [_key(e) for e in events if "cloudAgentId" in e]
    assert body["totalUsageEventsCount"] == len(expected) < len(events)
    assert body["pagination"]["numPages"] == -(-len(expected) // 50)
    assert [_key(e) for e in _filtered(server, dates, cloudAgentId="*")] == expected


def test_one_cloud_agent_run_or_automation_returns_its_events_only(team):
    server, dates, events = team
    run = next(e["cloudAgentId"] for e in events if "automationId" not in e and "cloudAgentId" in e)
    assert [_key(e) for e in _filtered(server, dates, cloudAgentId=run)] == [
        _key(e) for e in events if e.get("cloudAgentId") == run
    ]
    automation = next(e["automationId"] for e in events if "automationId" in e)
    assert [_key(e) for e in _filtered(server, dates, automationId=automation)] == [
        _key(e) for e in events if e.get("automationId") == automation
    ]
    assert [_key(e) for e in _filtered(server, dates, automationId="*")] == [
        _key(e) for e in events if "automationId" in e
    ]
    assert _filtered(server, dates, cloudAgentId="bc-00000000-0000-4000-8000-000000000000") == []


def test_hosting_types_split_the_cloud_agent_events_and_each_run_has_one(team):
    server, dates, events = team
    by_type = {hosting: _filtered(server, dates, hostingType=hosting) for hosting in HOSTING_TYPES}
    assert all(by_type.values())
    keys = [_key(e) for hosting in HOSTING_TYPES for e in by_type[hosting]]
    assert sorted(keys, key=repr) == sorted((_key(e) for e in events if "cloudAgentId" in e), key=repr)
    hosting_of_run = defaultdict(set)
    for hosting, rows in by_type.items():
        for event in rows:
            hosting_of_run[event["cloudAgentId"]].add(hosting)
    assert all(len(types) == 1 for types in hosting_of_run.values())


def test_filters_combine_with_and(team):
    server, dates, events = team
    person = next(e for e in events if "cloudAgentId" in e and "serviceAccountId" not in e)
    email, hosting = person["userEmail"], None
    for candidate in HOSTING_TYPES:
        if any(_key(e) == _key(person) for e in _filtered(server, dates, hostingType=candidate)):
            hosting = candidate
    both = _filtered(server, dates, email=email, cloudAgentId="*")
    assert [_key(e) for e in both] == [_key(e) for e in events if e.get("userEmail") == email and "cloudAgentId" in e]
    three = _filtered(server, dates, email=email, cloudAgentId="*", hostingType=hosting)
    assert _key(person) in {_key(e) for e in three} and {_key(e) for e in three} <= {_key(e) for e in both}
    account = next(e for e in events if "automationId" in e and "serviceAccountId" in e)
    scoped = _filtered(server, dates, serviceAccountId=account["serviceAccountId"], automationId="*")
    assert [_key(e) for e in scoped] == [
        _key(e) for e in events if e.get("serviceAccountId") == account["serviceAccountId"] and "automationId" in e
    ]


@pytest.mark.parametrize(
    "body", [{"hostingType": "ON_PREM"}, {"hostingType": "cloud"}, {"cloudAgentId": 7}, {"automationId": ["*"]}]
)
def test_an_unknown_hosting_type_or_a_non_string_id_is_a_400(team, body):
    server, dates, _ = team
    response = client(server).post("/teams/filtered-usage-events", json=dates | body)
    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request"
