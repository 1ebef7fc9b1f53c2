"""The AI Code Tracking and Analytics routes agree with the usage the simulator serves, over HTTP: commits are made
on days their author used Cursor, their AI lines come from the accepted lines that Analytics and the changes route
report, their ranges belong to conversations of the author's usage events, and DAU and models follow the daily
usage and the events."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest

from cursor_simulator import Scenario
from tests.conftest import END_DATE
from tests.simulator import all_events, all_items, client, commit_details, shared_server, utc_day, window

DAYS = 12
FIRST = END_DATE - timedelta(days=DAYS - 1)
DATES = {"startDate": FIRST.isoformat(), "endDate": END_DATE.isoformat()}


def _day(commit: dict) -> date:
    return date.fromisoformat((commit["commitTs"] or commit["createdAt"])[:10])


@pytest.fixture(scope="module")
def team():
    """Everything a 30-member team's 12 days serve, read over HTTP."""
    scenarios = (Scenario("migration", repo=0, day=4), Scenario("no_commits", 5))
    with shared_server(members=30, days=DAYS, scenarios=scenarios) as server:
        http = client(server)
        start, end = window(DAYS)
        rows = all_items(http, "/analytics/ai-code/commits", DATES)
        first_rows = {}
        for row in sorted(rows, key=lambda r: r["createdAt"]):
            first_rows.setdefault(row["commitHash"], row)
        details, conversations = commit_details(http, sorted(first_rows))
        by_user = {
            metric: http.get(f"/analytics/by-user/{metric}", params=DATES | {"pageSize": 500}).json()["data"]
            for metric in ("agent-edits", "tabs")
        }
        daily = http.post(
            "/teams/daily-usage-data", json={"startDate": start, "endDate": end, "page": 1, "pageSize": 500}
        ).json()["data"]
        yield {
            "server": server,
            "events": all_events(http, {"startDate": start, "endDate": end}),
            "rows": rows,
            "commits": first_rows,
            "details": {d["commitHash"]: d for d in details},
            "conversations": conversations,
            "changes": all_items(http, "/analytics/ai-code/changes", DATES),
            "by_user": by_user,
            "daily": daily,
            "dau": http.get("/analytics/team/dau", params=DATES).json()["data"],
            "models": http.get("/analytics/team/models", params=DATES).json()["data"],
        }


def _accepted(team, metric: str) -> dict[tuple[str, str], dict]:
    return {(email, row["event_date"]): row for email, rows in team["by_user"][metric].items() for row in rows}


def test_commits_are_made_on_days_their_author_used_cursor(team):
    active = {(row["email"], row["day"]) for row in team["daily"] if row["isActive"]}
    assert len(team["commits"]) > 100
    for commit in team["commits"].values():
        assert (commit["userEmail"], _day(commit).isoformat()) in active, commit


def test_ai_lines_of_commits_come_from_the_accepted_agent_and_tab_lines(team):
    agent, tabs = _accepted(team, "agent-edits"), _accepted(team, "tabs")
    committed = defaultdict(Counter)
    for commit in team["commits"].values():
        key = (commit["userEmail"], _day(commit).isoformat())
        committed[key].update(composer=commit["composerLinesAdded"], tab=commit["tabLinesAdded"])
        assert commit["totalLinesAdded"] == (
            commit["tabLinesAdded"] + commit["composerLinesAdded"] + commit["nonAiLinesAdded"]
        )
    for key, lines in committed.items():
        assert lines["composer"] <= agent[key]["total_green_lines_accepted"], key
        assert lines["tab"] <= tabs[key]["total_green_lines_accepted"], key
    accepted = sum(row["total_green_lines_accepted"] for row in agent.values())
    assert 0.2 * accepted < sum(lines["composer"] for lines in committed.values()) < accepted


def test_the_changes_route_lists_the_accepted_lines(team):
    listed = defaultdict(Counter)
    for change in team["changes"]:
        key = (change["userEmail"], change["createdAt"][:10])
        listed[key][change["source"]] += change["totalLinesAdded"]
        listed[key][change["source"] + "-deleted"] += change["totalLinesDeleted"]
        assert change["totalLinesAdded"] == sum(m["linesAdded"] for m in change["metadata"])
        assert (change["model"] is None) == (change["source"] == "TAB")
    for metric, source in (("agent-edits", "COMPOSER"), ("tabs", "TAB")):
        for key, row in _accepted(team, metric).items():
            assert listed[key][source] == row["total_green_lines_accepted"], (metric, key)
            assert listed[key][source + "-deleted"] == row["total_red_lines_accepted"], (metric, key)


def test_range_annotations_add_up_to_each_commits_ai_lines_without_overlap(team):
    for hash_text, commit in team["commits"].items():
        lines = Counter()
        for annotation in team["details"][hash_text]["rangeAnnotations"]:
            spans = sorted((r["start"], r["end"]) for g in annotation["groups"] for r in g["ranges"])
            assert all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False)), hash_text
            for group in annotation["groups"]:
                assert (group["conversationId"] is None) == (group["operationType"] == "TAB")
                lines[group["operationType"]] += sum(r["end"] - r["start"] + 1 for r in group["ranges"])
        assert (lines["COMPOSER"], lines["TAB"]) == (commit["composerLinesAdded"], commit["tabLinesAdded"])


def test_conversations_link_the_authors_usage_events_to_commits_in_one_or_several_repositories(team):
    events_of = defaultdict(list)
    for event in team["events"]:
        events_of[event.get("conversationId")].append(event)
    commits_of, repos_of = defaultdict(set), defaultdict(set)
    for hash_text, detail in team["details"].items():
        commit = team["commits"][hash_text]
        for group in (g for a in detail["rangeAnnotations"] for g in a["groups"] if g["conversationId"]):
            events = events_of[group["conversationId"]]
            assert events and {e.get("userEmail", commit["userEmail"]) for e in events} == {commit["userEmail"]}
            assert {utc_day(e["timestamp"]) for e in events} == {_day(commit)}
            commits_of[group["conversationId"]].add(hash_text)
            repos_of[group["conversationId"]].add(commit["repoName"])
    assert set(team["conversations"]) == set(commits_of)
    assert max(len(c) for c in commits_of.values()) >= 2 and max(len(r) for r in repos_of.values()) >= 2
    unwritten = set(events_of) - set(commits_of) - {None}
    assert unwritten and events_of[None]  # conversations that wrote no commit, and requests in no conversation


def test_cloud_commits_hold_cloud_agent_runs_and_ide_and_cli_commits_do_not(team):
    headless = {e["conversationId"] for e in team["events"] if "cloudAgentId" in e}
    sources = Counter()
    for hash_text, detail in team["details"].items():
        conversations = {g["conversationId"] for a in detail["rangeAnnotations"] for g in a["groups"]} - {None}
        source = team["commits"][hash_text]["commitSource"]
        sources[source] += 1
        assert (
            (conversations <= headless and bool(conversations)) if source == "cloud" else not conversations & headless
        )
    assert set(sources) == {"ide", "cli", "cloud"}


def test_amended_commits_repeat_their_hash_and_commit_time_and_other_quirks_show(team):
    rows_of = defaultdict(list)
    for row in team["rows"]:
        rows_of[row["commitHash"]].append(row)
    amended = [rows for rows in rows_of.values() if len(rows) > 1]
    assert amended and all(len(rows) == 2 for rows in amended)
    for first, second in (sorted(rows, key=lambda r: r["createdAt"]) for rows in amended):
        assert {k: v for k, v in first.items() if k != "createdAt"} == {
            k: v for k, v in second.items() if k != "createdAt"
        }
    commits = list(team["commits"].values())
    assert any(c["repoName"] is None and c["branchName"] is None and c["isPrimaryBranch"] is None for c in commits)
    assert any(c["commitTs"] is None for c in commits) and any(c["message"] is None for c in commits)
    assert {c["isPrimaryBranch"] for c in commits} == {True, False, None}


def test_privacy_mode_drops_file_names_per_member(team):
    private = {m.email for m in team["server"].simulator.team().humans if m.privacy_mode}
    assert private
    for hash_text, detail in team["details"].items():
        named = {"filePath" in a for a in detail["rangeAnnotations"]}
        assert named == ({False} if team["commits"][hash_text]["userEmail"] in private else {True})
    for change in team["changes"]:
        assert all(("fileName" in m) != (change["userEmail"] in private) for m in change["metadata"])


def test_dau_counts_the_people_the_daily_usage_shows_active_and_its_subsets(team):
    active = Counter(row["day"] for row in team["daily"] if row["isActive"])
    bugbot = Counter(row["day"] for row in team["daily"] if row["isActive"] and row["bugbotUsages"])
    agents = defaultdict(set)
    for event in team["events"]:
        if "cloudAgentId" in event and "serviceAccountId" not in event and "userEmail" in event:
            agents[utc_day(event["timestamp"]).isoformat()].add(event["userEmail"])
    assert [row["date"] for row in team["dau"]] == [(FIRST + timedelta(days=k)).isoformat() for k in range(DAYS)]
    for row in team["dau"]:
        assert row["dau"] == active[row["date"]] and row["bugbot_dau"] == bugbot[row["date"]]
        assert len(agents[row["date"]]) <= row["cloud_agent_dau"] <= row["dau"] and row["cli_dau"] <= row["dau"]
    assert sum(row["cli_dau"] for row in team["dau"]) > 0 and sum(row["cloud_agent_dau"] for row in team["dau"]) > 0


def test_models_count_the_peoples_requests_per_model(team):
    messages, users = defaultdict(Counter), defaultdict(lambda: defaultdict(set))
    for event in team["events"]:
        if "serviceAccountId" not in event:
            day = utc_day(event["timestamp"]).isoformat()
            messages[day][event["model"]] += 1
            users[day][event["model"]].add(event.get("userEmail"))
    for row in team["models"]:
        breakdown = row["model_breakdown"]
        assert {m: b["messages"] for m, b in breakdown.items()} == dict(messages[row["date"]])
        assert all(b["users"] >= len(users[row["date"]][m] - {None}) for m, b in breakdown.items())
