"""Figures from a BI tool against the marts, to the cent: ``mf`` and Superset hand numbers back as floats (or their
text), the marts as exact decimals. Dates compare as days; an empty figure (no rows of that kind) equals 0."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

HALF_CENT = Decimal("0.005")
DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})([ T]00:00:00(\.0+)?)?$")


def normal(value: object) -> object:
    """A date or datetime (or its text) as ``YYYY-MM-DD``; a number (or its text) as a Decimal; a boolean as
    ``True``/``False``; None or '' as None; any other text as it is."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()[:10]
    if isinstance(value, bool):
        return str(value)  # as mf writes it
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = str(value)
    if day := DAY.match(text):
        return day.group(1)
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def keyed(rows: Iterable[Sequence], keys: int) -> dict[tuple, tuple]:
    """Rows as {their first ``keys`` values: the other values}, all normalised."""
    table = {}
    for row in rows:
        values = tuple(normal(value) for value in row)
        assert values[:keys] not in table, f"two rows for {values[:keys]}"
        table[values[:keys]] = values[keys:]
    return table


def same_to_the_cent(actual: object, expected: object) -> bool:
    actual, expected = normal(actual), normal(expected)
    if isinstance(actual, Decimal) or isinstance(expected, Decimal):
        return abs((actual or Decimal(0)) - (expected or Decimal(0))) < HALF_CENT
    return actual == expected


def assert_equal_to_the_cent(actual: dict[tuple, tuple], expected: dict[tuple, tuple]) -> None:
    """The same keys, and every figure equal to the cent."""
    assert sorted(actual, key=str) == sorted(expected, key=str)
    for key, values in expected.items():
        assert len(actual[key]) == len(values), key
        for got, want in zip(actual[key], values, strict=True):
            assert same_to_the_cent(got, want), f"{key}: {actual[key]} != {values}"
