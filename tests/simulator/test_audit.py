"""The audit log emits every documented event type (reference §3) with event data per type, membership events
that follow the team's joins and removals, and filters by event type and by users named by e-mail, ``user_`` id or
numeric id."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from tests.conftest import END_DATE
from tests.simulator import client, shared_server

DOCUMENTED_TYPES = {
    "login", "logout", "add_user", "remove_user", "update_user_role", "team_settings", "mcp_server_config",
    "team_api_key", "user_api_key", "privacy_mode", "user_spend_limit", "team_rule", "team_repo", "team_hook",
    "team_command", "create_directory_group", "delete_directory_group", "update_directory_group",
    "update_directory_group_permissions", "add_user_to_directory_group", "remove_user_from_directory_group",
    "bugbot_installation", "bugbot_installation_settings", "bugbot_repo_settings", "bugbot_team_rule",
    "bugbot_team_settings", "bugbot_bulk_repo_update",
}  # fmt: skip
DATA_KEYS = {  # documented (add_user, login) or one of the simulator's own shapes, checked to stay put
    "add_user": {"email", "method"},
    "login": {"ip_address", "user_agent"},
    "logout": {"ip_address", "user_agent"},
    "remove_user": {"email"},
    "user_spend_limit": {"email", "old_value", "new_value"},
    "update_user_role": {"email", "old_role", "new_role"},
    "team_settings": {"setting_name", "old_value", "new_value"},
}
WINDOW = {"startTime": "2026-11-11", "endTime": "2026-11-20T23:59:59.999Z", "pageSize": 500}


@pytest.fixture(scope="module")
def team():
    """A server of a 30-member team (with joiners and leavers) and every audit event of its 10 days."""
    with shared_server(members=30) as server:
        body = client(server).get("/teams/audit-logs", params=WINDOW).json()
        assert not body["pagination"]["hasNextPage"]
        yield server, body["events"]


def _events(http: httpx.Client, **params) -> httpx.Response:
    return http.get("/teams/audit-logs", params=WINDOW | params)


def test_every_documented_event_type_appears_with_its_event_data(team):
    server, events = team
    assert {e["event_type"] for e in events} == DOCUMENTED_TYPES
    emails = {m.email for m in server.simulator.team().humans}
    for event in events:
        data = event["event_data"]
        assert data and isinstance(data, dict), event
        assert set(data) >= DATA_KEYS.get(event["event_type"], set()), event
        assert data.get("email", next(iter(emails))) in emails, event
        assert event["user_email"] in emails


def test_membership_events_are_the_teams_joins_and_removals(team):
    server, events = team
    usage = server.simulator.team()
    first = END_DATE.replace(day=11)
    joined = {m.email for m in usage.humans if first <= m.joined <= END_DATE}
    removed = {m.email for m in usage.humans if m.removed is not None and first <= m.removed <= END_DATE}
    assert joined and removed
    assert {e["event_data"]["email"] for e in events if e["event_type"] == "add_user"} == joined
    assert {e["event_data"]["email"] for e in events if e["event_type"] == "remove_user"} == removed
    for event in events:
        if event["event_type"] in ("add_user", "remove_user"):
            member = next(m for m in usage.humans if m.email == event["event_data"]["email"])
            day = member.joined if event["event_type"] == "add_user" else member.removed
            assert event["timestamp"].startswith(day.isoformat())


def test_event_types_filter_keeps_those_types_and_rejects_unknown_ones(team):
    server, events = team
    http = client(server)
    wanted = ("login", "bugbot_repo_settings")
    body = _events(http, eventTypes=",".join(wanted)).json()
    assert [e["event_id"] for e in body["events"]] == [e["event_id"] for e in events if e["event_type"] in wanted]
    unknown = _events(http, eventTypes="login,settings_changed")
    assert unknown.status_code == 400 and "settings_changed" in unknown.json()["message"]


def test_users_filter_accepts_emails_encoded_and_numeric_ids_mixed(team):
    server, events = team
    http = client(server)
    usage = server.simulator.team()
    actors = Counter(e["user_email"] for e in events)
    first, second, third = (next(m for m in usage.humans if m.email == email) for email, _ in actors.most_common(3))
    expected = [e["event_id"] for e in events if e["user_email"] in {first.email, second.email, third.email}]
    for users in (
        f"{first.email},{second.email},{third.email}",
        f"{first.user_id},{second.user_id},{third.user_id}",
        f"{first.numeric_id},{second.numeric_id},{third.numeric_id}",
        f"{first.email.upper()}, {second.user_id} ,{third.numeric_id}",
    ):
        body = _events(http, users=users).json()
        assert [e["event_id"] for e in body["events"]] == expected, users
        assert body["pagination"]["totalCount"] == len(expected)


@pytest.mark.parametrize(
    "users", ["nobody@acme.io", "user_" + "Z" * 26, "12345", "ok@x"], ids=["email", "encoded", "numeric", "short"]
)
def test_users_not_in_the_team_are_a_400(team, users):
    response = _events(client(team[0]), users=users)
    assert response.status_code == 400
    assert response.json() == {"error": "Bad Request", "message": "Some users are not in the team"}


def test_more_users_than_the_page_size_is_a_400(team):
    server, _ = team
    emails = [m.email for m in server.simulator.team().humans[:3]]
    response = _events(client(server), users=",".join(emails), pageSize=2)
    assert response.status_code == 400
