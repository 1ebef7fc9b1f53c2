"""Whole tables: how many rows each raw and mart table holds, and every mart as an Arrow table (the Parquet
export)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import MARTS_SCHEMA, RAW_SCHEMA
from .reader import Reader

if TYPE_CHECKING:
    import pyarrow as pa


def table_rows(reader: Reader) -> dict[str, int]:
    """``schema.table`` -> rows, for the raw tables (without dlt's own) and the marts."""
    return {
        f"{schema}.{name}": reader.first(f'select count(*) from {schema}."{name}"')[0]
        for schema in (RAW_SCHEMA, MARTS_SCHEMA)
        for name in reader.tables(schema)
        if not name.startswith("_dlt")
    }


def marts(reader: Reader) -> list[str]:
    """The names of the marts."""
    return reader.tables(MARTS_SCHEMA)


def mart(reader: Reader, name: str) -> pa.Table:
    """A whole mart."""
    return reader.arrow(f'select * from {MARTS_SCHEMA}."{name}"')
