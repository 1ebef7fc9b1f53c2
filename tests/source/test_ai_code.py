"""The AI Code Tracking and Analytics resources load exactly what the API serves, over HTTP at its documented rate
limits, and re-reading a window changes nothing; a plan or team without a route skips it with one warning."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import dlt
import pytest
from dlt.common import json
from dlt.common.storages import FileStorage

from cursor_simulator import Simulator, SimulatorOptions, TeamSpec, serve
from cursor_simulator.cycles import DAY_MS, day_start_ms
from cursor_spend import load
from dlt_sources.cursor import ai_code_schema, cursor_source, reading, settings
from dlt_sources.cursor.ai_code_records import commit_rows
from dlt_sources.cursor.client import CursorClient
from dlt_sources.cursor.errors import CursorResponseError
from tests.conftest import API_KEY, END_DATE

from .helpers import query, settings_for

DAYS = 35  # two calendar months, two 30-day requests
FIRST = END_DATE - timedelta(days=DAYS - 1)
AI_TABLES = [table.name for table in ai_code_schema.AI_CODE_TABLES]
ROUTES = ("/analytics/ai-code/commits", *(f"/analytics/team/{m}" for m in ("dau", "agent-edits", "tabs", "models")),
          "/analytics/by-user/agent-edits", "/analytics/by-user/tabs", "/analytics/team/bugbot-reviews")  # fmt: skip


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A team's two months loaded over HTTP with the simulator's rate limits on; (server, settings)."""
    spec = TeamSpec(api_key=API_KEY, members=12, days=DAYS, end_date=END_DATE)
    with serve(Simulator([spec])) as server:
        settings = settings_for(server, tmp_path_factory.mktemp("ai_code"))
        load.load(settings, FIRST, END_DATE)
        yield server, settings


def _listings(team, first: date = FIRST) -> Counter:
    """Commit hash -> how many times the API lists it over the loaded days (an amended commit twice, unless its
    second listing comes after the last day)."""
    last = day_start_ms(END_DATE) + DAY_MS - 1
    return Counter(
        commit.hash
        for commit in team.ai_code.commits(first, END_DATE)
        for created in (commit.created_ms, commit.amended_ms)
        if created is not None and created <= last
    )


def test_every_listing_of_every_commit_is_loaded_an_amended_commit_twice(loaded):
    server, settings = loaded
    rows = Counter(h for (h,) in query(settings, "select commit_hash from cursor_raw.ai_commits"))
    expected = _listings(server.simulator.team())
    assert rows == expected
    assert 2 in rows.values()
    nulls = query(settings, "select count(*) filter (repo_name is null), count(*) filter (commit_ts is null) "
                            "from cursor_raw.ai_commits")[0]  # fmt: skip
    assert nulls[0] > 0 and nulls[1] > 0


def test_each_commits_line_ranges_hold_each_conversations_lines_and_privacy_mode_drops_file_names(loaded):
    server, settings = loaded
    rows = query(
        settings,
        "select commit_hash, conversation_id, sum(end_line - start_line + 1), count(file_path), count(*) "
        "from cursor_raw.ai_commit_ranges group by all",
    )
    lines = {(h, c): n for h, c, n, _, _ in rows}
    paths = defaultdict(lambda: [0, 0])  # commit -> [ranges with a file name, ranges]
    for h, _, _, named, ranges in rows:
        paths[h][0] += named
        paths[h][1] += ranges
    commits = server.simulator.team().ai_code.commits(FIRST, END_DATE)
    for commit in commits:
        assert {c: n for (h, c), n in lines.items() if h == commit.hash and c} == commit.conversation_lines()
        assert lines.get((commit.hash, None), 0) == commit.tab_added
        named, ranges = paths[commit.hash]
        assert named == (0 if commit.member.privacy_mode else ranges), commit.hash
    assert any(c.member.privacy_mode and c.parts for c in commits)


def test_the_analytics_tables_hold_what_the_api_serves_per_day(loaded):
    server, settings = loaded
    team = server.simulator.team()
    dau = dict(query(settings, "select day, dau from cursor_raw.analytics_dau"))
    assert len(dau) == DAYS
    for day, active in dau.items():
        assert active == sum(1 for row in team.day(day).daily.values() if row["isActive"])
    totals = query(
        settings,
        "select (select sum(total_lines_accepted) from cursor_raw.analytics_agent_edits), "
        "(select sum(total_lines_accepted) from cursor_raw.analytics_user_agent_edits), "
        "(select sum(total_accepts) from cursor_raw.analytics_tabs), "
        "(select sum(total_accepts) from cursor_raw.analytics_user_tabs), "
        "(select sum(messages) from cursor_raw.analytics_models), (select count(*) from cursor_raw.usage_events "
        "where service_account_id is null and user_email is not null)",
    )[0]
    assert totals[0] == totals[1] > 0 and totals[2] == totals[3] > 0  # the people's rows add up to the team's
    assert totals[4] > 0
    reviews = query(settings, "select count(*), sum(bugs_found) from cursor_raw.bugbot_reviews")[0]
    assert reviews[0] > 0 and reviews[1] == query(settings, "select count(*) from cursor_raw.bugbot_bugs")[0][0]


def test_the_new_routes_stay_within_their_rate_limits_and_get_no_429(loaded):
    server, _ = loaded
    assert server.simulator.count(status=429) == 0
    assert server.simulator.count("ai-code-commit-details", 200) >= 2  # batched: at most 100 hashes a request
    assert server.simulator.count("ai-code-commits", 200) == 2  # one page per 30-day window


def test_each_route_counts_against_its_documented_rate_limit_group():
    groups = {path: settings.route_group(path) for path in (*ROUTES, "/analytics/ai-code/commits/ab12,cd34")}
    assert {settings.RATE_LIMITS[g] for g in groups.values()} == {20, 100, 50}
    assert groups["/analytics/ai-code/commits"] != groups["/analytics/ai-code/commits/ab12,cd34"]
    assert groups["/analytics/team/bugbot-reviews"] == groups["/analytics/team/dau"] == "analytics-team"
    assert settings.route_group("/teams/filtered-usage-events") == "events"
    with CursorClient(API_KEY, "acme", "http://127.0.0.1:9") as client:
        assert set(client.limiters) == set(settings.RATE_LIMITS)


def test_a_rerun_and_a_backfill_change_no_ai_code_row(make_simulator, tmp_path):
    server = make_simulator(members=6, days=14, options=SimulatorOptions(rate_limits=False))
    settings = settings_for(server, tmp_path)
    first = END_DATE - timedelta(days=13)
    sums = " union all ".join(f"select '{t}', count(*) from cursor_raw.{t}" for t in AI_TABLES)

    load.load(settings, first, END_DATE)
    once = sorted(query(settings, sums))
    load.load(settings, first, END_DATE)  # a rerun
    load.load(settings, first + timedelta(days=2), END_DATE - timedelta(days=5))  # a backfill inside the window

    assert sorted(query(settings, sums)) == once
    assert all(n > 0 for _, n in once)


def test_without_the_commit_detail_route_the_ranges_are_skipped_with_one_warning(make_simulator, tmp_path, caplog):
    server = make_simulator(members=6, days=5, options=SimulatorOptions(rate_limits=False, commit_details=False))
    settings = settings_for(server, tmp_path)

    with caplog.at_level(logging.WARNING):
        load.load(settings, END_DATE - timedelta(days=4), END_DATE)

    skipped = [r.getMessage() for r in caplog.records if "skipping" in r.getMessage()]
    assert len(skipped) == 1 and "/analytics/ai-code/commits/:hash" in skipped[0] and "(404)" in skipped[0]
    assert query(settings, "select count(*) from cursor_raw.ai_commit_ranges") == [(0,)]
    assert query(settings, "select count(*) from cursor_raw.ai_commits")[0][0] > 0
    assert server.simulator.count("ai-code-commit-details") == 1  # the first 404 ends the team's details


def test_a_business_plan_skips_each_new_route_with_one_warning_and_loads_the_rest(make_simulator, tmp_path, caplog):
    server = make_simulator(members=5, days=4, plan="business", options=SimulatorOptions(rate_limits=False))
    settings = settings_for(server, tmp_path)

    with caplog.at_level(logging.WARNING):
        counts = load.load(settings, END_DATE - timedelta(days=3), END_DATE)

    skipped = Counter(r.getMessage().split("skipping ")[1].split(":")[0] for r in caplog.records
                      if "skipping" in r.getMessage())  # fmt: skip
    assert skipped == Counter({route: 1 for route in (*ROUTES, "/teams/audit-logs", "/teams/groups")})
    assert all(counts[table] == 0 for table in AI_TABLES)
    assert counts["usage_events"] > 0 and counts["daily_usage"] > 0


def test_a_commit_field_of_another_type_stops_the_load_before_anything_is_loaded():
    page = {"items": [{"commitHash": "ab12", "createdAt": "2026-11-20T10:00:00.000Z", "tabLinesAdded": "12"}]}
    with pytest.raises(CursorResponseError, match="tabLinesAdded"):
        commit_rows(page, "acme", None)


def test_line_ranges_reach_dlt_one_detail_request_at_a_time(make_simulator, tmp_path):
    """A big team's window holds hundreds of thousands of ranges: they stream, never held all at once."""
    server = make_simulator(options=SimulatorOptions(rate_limits=False), members=40, days=10)
    details: list[str] = []

    class Counting(CursorClient):
        def get(self, path: str, params: dict | None = None) -> dict:
            if path.startswith(settings.AI_COMMIT_DETAILS_PATH):
                details.append(path)
            return super().get(path, params)

    source = cursor_source(
        {"acme": API_KEY}, server.base_url, END_DATE - timedelta(days=9), END_DATE, rate_limit_window=0,
        client_factory=Counting,
    ).with_resources("ai_commit_ranges")  # fmt: skip
    made_when_seen: list[int] = []  # detail requests made when each range reached dlt
    source.resources["ai_commit_ranges"].add_map(lambda row: made_when_seen.append(len(details)) or row)
    dlt.pipeline("ranges", pipelines_dir=str(tmp_path), destination="duckdb").extract(source)
    assert len(details) >= 3
    assert made_when_seen[0] < len(details) == made_when_seen[-1]


def test_a_windows_commits_reach_dlt_in_pieces(make_simulator, tmp_path, monkeypatch):
    """dlt writes a list it gets as one line of its extract file and normalizes a line whole: a big team's window
    of commits (54,000 a daily run) goes in pieces of ITEM_ROWS, here 10, with dlt's buffer as small."""
    monkeypatch.setattr(reading, "ITEM_ROWS", 10)
    monkeypatch.setenv("DATA_WRITER__BUFFER_MAX_ITEMS", "10")
    server = make_simulator(options=SimulatorOptions(rate_limits=False), members=40, days=10)
    first = END_DATE - timedelta(days=9)
    source = cursor_source({"acme": API_KEY}, server.base_url, first, END_DATE, rate_limit_window=0)
    pipeline = dlt.pipeline("commits", pipelines_dir=str(tmp_path), destination="duckdb")
    pipeline.extract(source.with_resources("ai_commits"))
    files = Path(pipeline.working_dir, "normalize", "extracted").rglob("ai_commits.*")
    lines = [json.loadb(line) for file in files for line in FileStorage.open_zipsafe_ro(str(file), "rb")]
    expected = _listings(server.simulator.team(), first)
    assert Counter(row["commit_hash"] for line in lines for row in line) == expected
    assert sum(expected.values()) > 30 and max(len(line) for line in lines) <= 10
