"""Whole tables: how many rows each raw and mart table holds, and every mart as an Arrow table (the Parquet
export).

The marts are the dbt project's: the models of its folder ``models/marts`` (each a table of the schema ``marts``,
dbt_project.yml). A ``marts`` schema shared with other projects holds their tables too; those are not ours to list
or export.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import DBT_PROJECT_DIR
from . import MARTS_SCHEMA, RAW_SCHEMA
from .reader import Reader

if TYPE_CHECKING:
    import pyarrow as pa


def mart_names() -> set[str]:
    """The names of the dbt project's marts."""
    return {path.stem for path in (DBT_PROJECT_DIR / "models" / "marts").rglob("*.sql")}


def table_rows(reader: Reader) -> dict[str, int]:
    """``schema.table`` -> rows, for the raw tables (without dlt's own) and the marts."""
    raw = [(RAW_SCHEMA, name) for name in reader.tables(RAW_SCHEMA) if not name.startswith("_dlt")]
    return {
        f"{schema}.{name}": reader.first(f'select count(*) from {schema}."{name}"')[0]
        for schema, name in raw + [(MARTS_SCHEMA, name) for name in marts(reader)]
    }


def marts(reader: Reader) -> list[str]:
    """The names of the marts the warehouse holds."""
    ours = mart_names()
    return [name for name in reader.tables(MARTS_SCHEMA) if name in ours]


def mart(reader: Reader, name: str) -> pa.Table:
    """A whole mart."""
    return reader.arrow(f'select * from {MARTS_SCHEMA}."{name}"')
