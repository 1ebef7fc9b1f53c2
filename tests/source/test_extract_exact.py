"""The extract loads exactly what the API serves, and rerunning it changes nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

from cursor_simulator.usage import DAY_MS, day_start_ms
from cursor_spend import load
from dlt_sources.cursor.client import CursorClient
from dlt_sources.cursor.settings import USAGE_EVENTS_PATH
from tests.conftest import END_DATE

from .helpers import normalized, query, settings_for, truth_by_user_day, warehouse_by_user_day


def test_30_day_backfill_matches_the_simulators_ground_truth_per_user_and_day(make_simulator, tmp_path):
    server = make_simulator(members=25, days=30)
    settings = settings_for(server, tmp_path)
    start = END_DATE - timedelta(days=29)

    counts = load.load(settings, start, END_DATE)

    truth = truth_by_user_day(server, start, END_DATE)
    assert warehouse_by_user_day(settings) == normalized(truth)
    assert counts["usage_events"] == sum(n for n, _ in truth.values())
    team = server.simulator.team()
    member_days = sum(len(team.day(start + timedelta(days=d)).daily) for d in range(30))
    assert query(settings, "select count(*) from cursor_raw.daily_usage")[0][0] == member_days
    roster = {m.email for m in team.current_members()}
    assert {r[0] for r in query(settings, "select email from cursor_raw.members")} == roster


def test_rerun_and_overlapping_windows_add_no_rows_and_change_no_sums(make_simulator, tmp_path):
    server = make_simulator(members=15, days=12)
    settings = settings_for(server, tmp_path)
    first = END_DATE - timedelta(days=11)
    sql = "select count(*), sum(charged_cents) from cursor_raw.usage_events"
    daily_sql = "select count(*), sum(total_lines_added) from cursor_raw.daily_usage"

    load.load(settings, first, END_DATE)
    once = query(settings, sql), query(settings, daily_sql)
    load.load(settings, first, END_DATE)
    load.load(settings, first + timedelta(days=3), END_DATE - timedelta(days=2))

    assert (query(settings, sql), query(settings, daily_sql)) == once
    assert query(settings, "select count(*) from cursor_raw.members where _dlt_valid_to is null")[0][0] == len(
        server.simulator.team().current_members()
    )


def test_events_without_email_and_service_account_events_are_kept_and_attributable(make_simulator, tmp_path):
    server = make_simulator(members=30, days=20)
    settings = settings_for(server, tmp_path)
    team = server.simulator.team()
    assert any(m.removed for m in team.members), "the fixture team should have a member who left"

    load.load(settings, END_DATE - timedelta(days=19), END_DATE)

    no_email = query(settings, "select count(*) from cursor_raw.usage_events where user_email is null")[0][0]
    service = query(
        settings,
        "select count(*), count(distinct service_account_id) from cursor_raw.usage_events "
        "where service_account_id is not null and service_account_name is not null",
    )[0]
    assert no_email > 0
    assert service[0] > 0 and service[1] == 2


def test_same_millisecond_events_get_distinct_keys(make_simulator, tmp_path):
    server = make_simulator(members=30, days=10)
    settings = settings_for(server, tmp_path)
    load.load(settings, END_DATE - timedelta(days=9), END_DATE)

    same_ms = query(
        settings,
        "select count(*) from (select team, timestamp_ms, user_email from cursor_raw.usage_events "
        "group by all having count(*) > 1)",
    )[0][0]
    keys = query(settings, "select count(*), count(distinct event_key) from cursor_raw.usage_events")[0]
    assert same_ms > 0
    assert keys[0] == keys[1]


def test_incremental_run_starts_at_the_last_loaded_day_minus_the_lookback(make_simulator, tmp_path):
    server = make_simulator(members=10, days=10)
    settings = settings_for(server, tmp_path, lookback_days=2, initial_days=5)
    seen: list[dict] = []

    class RecordingClient(CursorClient):
        def post(self, path: str, body: dict) -> dict:
            seen.append({"path": path} | body)
            return super().post(path, body)

    load.load(settings, end_date=END_DATE - timedelta(days=3), client_factory=RecordingClient)
    first_starts = {b["startDate"] for b in seen if b["path"].endswith("filtered-usage-events")}
    seen.clear()
    load.load(settings, end_date=END_DATE, client_factory=RecordingClient)
    second_starts = {b["startDate"] for b in seen if b["path"].endswith("filtered-usage-events")}

    from cursor_simulator.usage import day_start_ms

    assert first_starts == {day_start_ms(END_DATE - timedelta(days=7))}  # 5 days back from END-3
    assert second_starts == {day_start_ms(END_DATE - timedelta(days=5))}  # last loaded END-3, minus 2


def test_late_cost_changes_are_reread_and_replace_the_old_values(make_simulator, tmp_path):
    server = make_simulator(members=15, days=6)
    settings = settings_for(server, tmp_path)
    start = END_DATE - timedelta(days=5)
    load.load(settings, start, END_DATE)
    before = query(settings, "select count(*), sum(charged_cents) from cursor_raw.usage_events")[0]

    server.simulator.set_late_change(True)
    load.load(settings, END_DATE - timedelta(days=1), END_DATE)

    after = query(settings, "select count(*), sum(charged_cents) from cursor_raw.usage_events")[0]
    assert after[0] == before[0]
    assert after[1] > before[1]
    assert warehouse_by_user_day(settings) == normalized(truth_by_user_day(server, start, END_DATE))


class _MeetingClient(CursorClient):
    """Each team's first usage-events request waits until every team has sent one: teams read one after the
    other never meet, and the barrier breaks."""

    barrier: threading.Barrier

    def request(self, method: str, path: str, **kwargs) -> dict:
        if path == USAGE_EVENTS_PATH and kwargs.get("json_body", {}).get("page") == 1:
            self.barrier.wait()
        return super().request(method, path, **kwargs)


def test_several_teams_load_side_by_side_with_their_labels(make_simulator, tmp_path):
    from cursor_simulator import TeamSpec

    teams = [
        TeamSpec(api_key="crsr_" + "A" * 64, seed=1, members=8, days=5, end_date=END_DATE, domain="alpha.io"),
        TeamSpec(api_key="crsr_" + "B" * 64, seed=2, members=6, days=5, end_date=END_DATE, domain="beta.io"),
    ]
    server = make_simulator(teams=teams)
    settings = settings_for(server, tmp_path)
    _MeetingClient.barrier = threading.Barrier(len(teams), timeout=30)

    load.load(settings, END_DATE - timedelta(days=4), END_DATE, client_factory=_MeetingClient)

    assert not _MeetingClient.barrier.broken
    window = (day_start_ms(END_DATE - timedelta(days=4)), day_start_ms(END_DATE) + DAY_MS - 1)
    served = {f"t{i}": len(server.simulator.team(spec.api_key).events_in(*window)) for i, spec in enumerate(teams)}
    assert dict(query(settings, "select team, count(*) from cursor_raw.usage_events group by 1")) == served

    rows = dict(
        query(settings, "select team, count(distinct split_part(email, '@', 2)) from cursor_raw.daily_usage group by 1")
    )
    assert rows == {"t0": 1, "t1": 1}
    domains = dict(
        query(settings, "select team, any_value(split_part(email, '@', 2)) from cursor_raw.members group by 1")
    )
    assert domains == {"t0": "alpha.io", "t1": "beta.io"}
