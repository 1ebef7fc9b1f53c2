"""One schema: the dbt sources declare exactly the raw tables and columns dlt_sources/cursor/schema.py defines."""

from __future__ import annotations

from pathlib import Path

import yaml

from dlt_sources.cursor import schema

SOURCES = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "staging" / "cursor" / "_cursor__sources.yml"
SQL_TYPES = {"text": "varchar", "bigint": "bigint", "bool": "boolean", "timestamp": "timestamp with time zone",
             "date": "date", "json": "json"}  # fmt: skip


def sql_type(column: schema.Column) -> str:
    return f"decimal({column.type[1]}, {column.type[2]})" if isinstance(column.type, tuple) else SQL_TYPES[column.type]


def test_the_dbt_sources_list_exactly_the_raw_tables_and_columns_of_the_schema():
    declared = {t["name"]: t for t in yaml.safe_load(SOURCES.read_text())["sources"][0]["tables"]}
    assert set(declared) - {"_dlt_loads"} == {table.name for table in schema.TABLES}
    for table in schema.TABLES:
        columns = [(c["name"], c.get("data_type")) for c in declared[table.name]["columns"]]
        ours = [(name, kind) for name, kind in columns if not name.startswith("_dlt")]
        assert ours == [(c.name, sql_type(c)) for c in table.columns], table.name
