"""The project's macros where Snowflake's SQL differs from DuckDB's and PostgreSQL's, run on Snowflake's dbt target
(dbt-snowflake against fakesnow): each answer equals what DuckDB and PostgreSQL give. One dbt process runs every
query (parsing the project once); each test reads its own query's answer or error."""

from __future__ import annotations

import json

import pytest

QUERIES = {
    "epoch": "select {{ epoch_ms_to_utc('1794700800001') }}, {{ epoch_ms_to_utc('1794700799999') }}",
    "json": (
        "select {{ json_string(\"'a' || chr(92) || 'b' || chr(34) || 'c' || chr(10) || 'd' || chr(9) || 'e'\") }},"
        " {{ json_string('null') }}"
    ),
    "divide": (
        "select {{ exact_divide('cast(88.815 as decimal(38, 9))', 30) }},"
        " {{ seat_day_cost('cast(40 as decimal(18, 6))', \"cast('2026-02-10' as date)\") }}"
    ),
    "least": (
        "select {{ least_ignoring_nulls(['cast(null as date)', \"cast('2026-11-03' as date)\"]) }},"
        " {{ greatest_ignoring_nulls(['1', 'null', '3']) }}, {{ least_ignoring_nulls(['2', '1']) }}"
    ),
    "time_zones": (
        "select {{ utc_timestamp(\"cast('2026-11-15 01:30:00 +02:00' as timestamp with time zone)\") }},"
        " {{ utc_midnight(\"cast('2026-11-15' as date)\") }}"
    ),
    "weekend": (
        "select {{ is_weekend(\"cast('2026-11-14' as date)\") }}, {{ is_weekend(\"cast('2026-11-15' as date)\") }},"
        " {{ is_weekend(\"cast('2026-11-16' as date)\") }}"
    ),
}


@pytest.fixture(scope="module")
def answers(fakesnow, tmp_path_factory) -> dict[str, dict]:
    return fakesnow.show(QUERIES, tmp_path_factory.mktemp("dbt"))


def row(answers: dict[str, dict], name: str) -> list[str]:
    answer = answers[name]
    assert "error" not in answer, answer["error"][-2000:]
    return answer["rows"][0]


def test_epoch_milliseconds_become_utc_timestamps_on_snowflake(answers):
    assert row(answers, "epoch") == ["2026-11-15 00:00:00.001000", "2026-11-14 23:59:59.999000"]


def test_json_strings_escape_backslashes_quotes_and_control_characters_on_snowflake(answers):
    text, null = row(answers, "json")
    assert text == r'"a\\b\"c\nd\te"'
    assert json.loads(text) == 'a\\b"c\nd\te'
    assert null == "null"


def test_exact_divide_keeps_the_cents_of_money_on_snowflake(answers):
    # 88.815 / 30 = 2.9605 (a bare NUMERIC cast made it 89 / 30); a February seat-day costs 40 / 28 dollars
    assert row(answers, "divide") == ["2.96050000000", "1.42857142900"]


def test_least_and_greatest_ignore_nulls_on_snowflake(answers):
    assert row(answers, "least") == ["2026-11-03", "3", "1"]


def test_time_zones_convert_to_utc_on_snowflake(answers):
    assert row(answers, "time_zones") == ["2026-11-14 23:30:00", "2026-11-15 00:00:00+00:00"]


def test_saturdays_and_sundays_are_weekends_on_snowflake(answers):
    assert row(answers, "weekend") == ["True", "True", "False"]
