"""Windows at the edges: later windows or teams without events, a future end date, days past the API's retention,
and each resource moving its own incremental state forward."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import dlt
import pytest

from cursor_simulator import SimulatorOptions, TeamSpec
from cursor_spend import load
from dlt_sources.cursor import cursor_source
from dlt_sources.cursor.client import CursorClient
from dlt_sources.cursor.schema import TABLES
from tests.conftest import API_KEY, END_DATE

from .helpers import normalized, query, settings_for, truth_by_user_day, warehouse_by_user_day

NO_LIMITS = SimulatorOptions(rate_limits=False)


def test_a_later_window_without_events_loads_the_earlier_one_exactly(make_simulator, tmp_path):
    server = make_simulator(members=4, days=5, end_date=date(2026, 10, 10), options=NO_LIMITS)
    settings = settings_for(server, tmp_path)
    start = date(2026, 10, 1)

    load.load(settings, start, END_DATE)  # two 30-day windows, the second without any event

    assert warehouse_by_user_day(settings) == normalized(truth_by_user_day(server, start, END_DATE))


def test_a_second_team_without_events_loads_beside_the_first(make_simulator, tmp_path):
    busy = TeamSpec(api_key=API_KEY, seed=1, members=6, days=5, end_date=END_DATE)
    idle = TeamSpec(api_key="crsr_" + "I" * 64, seed=2, members=3, days=5, end_date=date(2026, 9, 1), domain="idle.io")
    server = make_simulator(teams=[busy, idle], options=NO_LIMITS)
    settings = settings_for(server, tmp_path)
    start = END_DATE - timedelta(days=4)

    for _ in range(2):  # every run, not only the first
        load.load(settings, start, END_DATE)

    assert warehouse_by_user_day(settings) == normalized(truth_by_user_day(server, start, END_DATE))
    assert query(settings, "select distinct team from cursor_raw.usage_events") == [("t0",)]


def test_every_raw_table_exists_with_its_declared_columns_even_when_empty_and_loads_later(make_simulator, tmp_path):
    server = make_simulator(members=3, days=12, plan="business", options=NO_LIMITS)
    settings = settings_for(server, tmp_path)
    before = server.simulator.team().spec.start_date - timedelta(days=3)

    load.load(settings, before - timedelta(days=2), before)  # days before the team had any usage

    for table in TABLES:
        columns = {name for _, name in query(settings, _columns_sql(table.name))}
        assert {c.name for c in table.columns} <= columns, table.name
    load.load(settings, END_DATE - timedelta(days=2), END_DATE)  # then usage arrives, as Arrow tables
    start = END_DATE - timedelta(days=2)
    assert warehouse_by_user_day(settings) == normalized(truth_by_user_day(server, start, END_DATE))


def _columns_sql(table: str) -> str:
    return (
        "select table_name, column_name from information_schema.columns "
        f"where table_schema = 'cursor_raw' and table_name = '{table}'"
    )


def test_a_future_end_date_is_capped_at_yesterday_and_the_state_never_passes_it(make_simulator, tmp_path, caplog):
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    server = make_simulator(members=3, days=3, end_date=yesterday, options=NO_LIMITS)
    settings = settings_for(server, tmp_path)

    load.load(settings, yesterday - timedelta(days=2), yesterday + timedelta(days=23))

    assert f"reading up to {yesterday}" in caplog.text
    state = load.make_pipeline(settings).state["sources"]["cursor"]["resources"]
    assert {state[name]["teams"]["acme"]["last_loaded_day"] for name in ("daily_usage", "usage_events")} == {
        yesterday.isoformat()
    }
    load.load(settings)  # the next daily run works at once, from the last loaded day minus the lookback


def test_days_past_the_apis_retention_are_named_in_a_warning(make_simulator, tmp_path, caplog):
    server = make_simulator(members=3, days=3, options=NO_LIMITS)
    settings = settings_for(server, tmp_path)
    start = datetime.now(UTC).date() - timedelta(days=100)

    load.load(settings, start, start + timedelta(days=14))

    assert f"{start} .. {start + timedelta(days=9)} are older than the Cursor API's retention" in caplog.text


@pytest.mark.parametrize(
    "resource", ["daily_usage", "usage_events", "audit_logs", "billing_groups", "billing_group_members"]
)
def test_each_resource_run_alone_moves_its_own_state_forward(make_simulator, tmp_path, resource):
    server = make_simulator(members=4, days=20, options=NO_LIMITS)
    teams = {"acme": API_KEY}
    dlt_pipeline = dlt.pipeline("alone", pipelines_dir=str(tmp_path), destination=dlt.destinations.duckdb(
        str(tmp_path / "w.duckdb")), dataset_name="cursor_raw")  # fmt: skip

    def run(**window) -> str:
        source = cursor_source(teams, server.base_url, initial_days=5, **window).with_resources(resource)
        dlt_pipeline.run(source)
        return dlt_pipeline.state["sources"]["cursor"]["resources"][resource]["teams"]["acme"]["last_loaded_day"]

    first = run(end_date=END_DATE - timedelta(days=4))
    second = run(end_date=END_DATE)
    backfill = run(start_date=END_DATE - timedelta(days=15), end_date=END_DATE - timedelta(days=12))

    assert (first, second, backfill) == ((END_DATE - timedelta(days=4)).isoformat(), END_DATE.isoformat(), second)


def test_a_warehouse_of_the_previous_version_continues_from_its_source_wide_state(make_simulator, tmp_path):
    server = make_simulator(members=4, days=10, options=NO_LIMITS)
    settings = settings_for(server, tmp_path, lookback_days=2)

    @dlt.source(name="cursor")
    def previous_version():  # what the previous version stored: one day for the whole source
        @dlt.resource(name="members")
        def remember():
            dlt.current.source_state()["teams"] = {"acme": {"last_loaded_day": "2026-11-15"}}
            yield dlt.mark.materialize_table_schema()

        return remember

    load.make_pipeline(settings).run(previous_version())

    seen = []

    class Recording(CursorClient):
        def post(self, path: str, body: dict) -> dict:
            seen.append((path, body.get("startDate")))
            return super().post(path, body)

    load.load(settings, end_date=END_DATE, client_factory=Recording)

    from cursor_simulator.usage import day_start_ms

    assert {start for path, start in seen if path.endswith("filtered-usage-events")} == {
        day_start_ms(date(2026, 11, 13))
    }
