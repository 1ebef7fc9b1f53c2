"""Usage events as Arrow columns: event keys, money, drifted fields, and the memory knob of the load."""

from __future__ import annotations

import random
import tracemalloc
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import duckdb
import pytest

from cursor_spend import load
from cursor_spend.config import load_settings
from cursor_spend.errors import ConfigError
from cursor_spend.warehouse import LOAD_THREADS
from dlt_sources.cursor import EVENT_SCHEMA, records
from dlt_sources.cursor.errors import CursorResponseError

EXTRACTED_AT = datetime(2026, 11, 20, 6, tzinfo=UTC)


def event(ms: int, /, **fields) -> dict:
    return {"timestamp": str(ms), "userEmail": "Ana@Acme.io", "model": "gpt-5", "kind": "Usage-based",
            "chargedCents": Decimal("1.5"), "conversationId": "c1"} | fields  # fmt: skip


def test_identical_events_are_numbered_as_one_window_counter_numbers_them_whatever_the_hour_order():
    rng = random.Random(7)
    identities = [
        (hour * records.HOUR_MS + rng.randrange(3), f"c{rng.randrange(3)}") for hour in range(6) for _ in range(60)
    ]
    rng.shuffle(identities)  # hours interleaved: packed hours are unpacked again
    counts, plain = records.EventCounts(live_hours=2), Counter()

    for hour_ms, conversation in identities:
        digest = f"{hour_ms}|{conversation}".encode().ljust(12, b".")[:12]
        plain[digest] += 1
        assert counts.add(hour_ms // records.HOUR_MS, digest) == plain[digest]

    assert max(plain.values()) > 1


def test_a_day_of_events_read_in_order_keeps_two_hours_as_counters():
    day_start, every = 1795132800000, records.DAY_MS // 120_000  # 120,000 events over one UTC day, in time order
    counts = records.EventCounts()
    tracemalloc.start()
    try:
        for first in range(0, 120_000, 1_000):  # pages of 1,000 events
            page = [event(day_start + n * every, conversationId=f"c{n}") for n in range(first, first + 1_000)]
            records.event_columns(page, "acme", EXTRACTED_AT, counts)
            del page
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 6_000_000  # 12 bytes packed an event, counters for two hours (for the whole day: about 13 MB)


def test_a_page_of_events_becomes_typed_columns_with_unique_keys():
    page = [event(1795200000000), event(1795200000000), event(1795200000001, userEmail=None, serviceAccountId="sa1")]

    columns = records.event_columns(page, "acme", EXTRACTED_AT, records.EventCounts())
    table = records.as_table(columns, EVENT_SCHEMA)

    keys = table.column("event_key").to_pylist()
    assert [key.rsplit("-", 1)[1] for key in keys] == ["1", "2", "1"] and keys[0][:24] == keys[1][:24]
    assert table.schema.names[: len(EVENT_SCHEMA)] == EVENT_SCHEMA.names  # every declared column, always
    assert table.column("charged_cents").type == EVENT_SCHEMA.field("charged_cents").type
    assert table.column("timestamp_ms").to_pylist() == [1795200000000, 1795200000000, 1795200000001]
    assert table.column("service_account_id").to_pylist() == [None, None, "sa1"]


def test_money_past_nine_decimals_is_rounded_as_duckdb_rounds_it():
    noisy = ["40.16699999999999", "0.0000000005", "-0.0000000005", "0.0000000015", "7"]
    page = [event(1795200000000 + i, chargedCents=Decimal(text)) for i, text in enumerate(noisy)]

    table = records.as_table(records.event_columns(page, "acme", EXTRACTED_AT, records.EventCounts()), EVENT_SCHEMA)

    duckdb_rounds = [
        duckdb.execute(f"select {text}::decimal(38, 20)::decimal(38, 9)").fetchall()[0][0] for text in noisy
    ]
    assert table.column("charged_cents").to_pylist() == duckdb_rounds


def test_undocumented_fields_keep_their_values_nested_or_mixed_ones_as_json_text():
    page = [
        event(1795200000000, newScore=3, newTags=["a", "b"], newMixed=1, newNothing=None),
        event(1795200000001, newScore=None, newTags=None, newMixed="x"),
    ]

    table = records.as_table(records.event_columns(page, "acme", EXTRACTED_AT, records.EventCounts()), EVENT_SCHEMA)

    assert table.column("new_score").to_pylist() == [3, None]
    assert table.column("new_tags").to_pylist() == ['["a", "b"]', None]
    assert table.column("new_mixed").to_pylist() == ["1", '"x"']
    assert "new_nothing" not in table.schema.names


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"tokenUsage": {"inputTokens": "12"}}, "field 'inputTokens' of a usage event's tokenUsage is str"),
        ({"timestamp": "17952e9"}, "documented as a string of epoch-ms digits"),
        ({"timestamp": ""}, "documented as a string of epoch-ms digits"),
        ({"model": None}, "a usage event has no model"),
    ],
)
def test_a_drifted_field_anywhere_in_the_page_stops_the_run_with_the_field_named(fields, message):
    page = [event(1795200000000), event(1795200000001, **fields), event(1795200000002)]

    with pytest.raises(CursorResponseError, match=message):
        records.event_columns(page, "acme", EXTRACTED_AT, records.EventCounts())


def test_the_loads_duckdb_memory_limit_is_a_setting(tmp_path):
    with pytest.raises(ConfigError, match="CURSOR_SPEND_DUCKDB_MEMORY_LIMIT='lots' is not a size"):
        load_settings(env={"CURSOR_SPEND_DUCKDB_MEMORY_LIMIT": "lots"})
    settings = load_settings(
        env={"CURSOR_SPEND_DUCKDB": str(tmp_path / "w.duckdb"), "CURSOR_SPEND_DUCKDB_MEMORY_LIMIT": "48MB"}
    )

    with load.make_pipeline(settings).sql_client() as client:
        limit, threads = client.execute_sql("select current_setting('memory_limit'), current_setting('threads')")[0]

    assert (limit, threads) == ("45.7 MiB", LOAD_THREADS)  # DuckDB prints 48 MB (10^6 bytes) in MiB
