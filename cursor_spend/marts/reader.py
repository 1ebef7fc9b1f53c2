"""Selects on either warehouse, DuckDB or PostgreSQL, with ``?`` placeholders: rows, typed rows (a
``NamedTuple`` whose fields are the selected columns) or Arrow tables.

Why plain DB-API here: dlt's own reader (``dlt.dataset``) fails with the installed sqlglot (``qualify() got an
unexpected keyword argument 'infer_schema'``), and SQLAlchemy would be one more dependency for a few selects.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

if TYPE_CHECKING:
    from ..warehouse import Warehouse

Row = TypeVar("Row", bound=NamedTuple)


@contextmanager
def open_reader(warehouse: Warehouse) -> Iterator[Reader]:
    """A read-only connection for selects (on PostgreSQL a second process may write meanwhile)."""
    with warehouse.connect(read_only=True) as connection:
        yield Reader(connection, warehouse.kind)


class Reader:
    """Selects from the marts with ``?`` placeholders, on either warehouse."""

    def __init__(self, connection: Any, kind: str) -> None:
        self._connection = connection
        self.kind = kind

    def rows(self, sql: str, *params: Any) -> list[tuple]:
        return self.columns(sql, *params)[1]

    def select(self, row: type[Row], sql: str, *params: Any) -> list[Row]:
        """``select <the fields of row> <sql>`` as rows of that type."""
        return [row(*values) for values in self.rows(f"select {', '.join(row._fields)} {sql}", *params)]

    def columns(self, sql: str, *params: Any) -> tuple[list[str], list[tuple]]:
        """Column names and rows of a select."""
        if self.kind == "duckdb":
            result = self._connection.execute(sql, list(params))
            return [d[0] for d in result.description], result.fetchall()
        with self._connection.cursor() as cursor:
            cursor.execute(sql.replace("%", "%%").replace("?", "%s"), params)
            return [d[0] for d in cursor.description], cursor.fetchall()

    def arrow(self, sql: str, *params: Any):
        """A select as an Arrow table (for the Parquet and CSV exports). On PostgreSQL the rows come by COPY as
        CSV, parsed by Arrow with the types of the select's columns (row by row through Python took 33 s for the
        marts of a 365-day warehouse)."""
        if self.kind == "duckdb":
            return self._connection.sql(sql, params=list(params) or None).to_arrow_table()
        import pyarrow as pa
        import pyarrow.csv as csv

        with self._connection.cursor() as cursor, tempfile.TemporaryFile() as buffer:
            cursor.execute("set time zone 'UTC'")  # timestamps as +00, which Arrow reads
            query = cursor.mogrify(sql.replace("%", "%%").replace("?", "%s"), params).decode()
            cursor.execute(f"select * from ({query}) as selected limit 0")
            types = {
                column.name: arrow_type(POSTGRES_TYPES.get(column.type_code, "text"), column.precision, column.scale)
                for column in cursor.description
            }
            cursor.copy_expert(f"copy ({query}) to stdout with (format csv, header true)", buffer)
            buffer.seek(0)
            options = csv.ConvertOptions(
                column_types=types, true_values=["t"], false_values=["f"], null_values=[""],
                strings_can_be_null=True, quoted_strings_can_be_null=False,  # NULL is empty, '' is quoted
            )  # fmt: skip
            table = csv.read_csv(buffer, convert_options=options)
        return table.cast(pa.schema([pa.field(name, types[name]) for name in types]))

    def tables(self, schema: str) -> list[str]:
        """Base tables of a schema, by name."""
        return [
            name
            for (name,) in self.rows(
                "select table_name from information_schema.tables where table_schema = ? "
                "and table_type = 'BASE TABLE' order by table_name",
                schema,
            )
        ]

    def has_table(self, schema: str, name: str) -> bool:
        return name in self.tables(schema)

    def first(self, sql: str, *params: Any) -> tuple | None:
        found = self.rows(sql, *params)
        return found[0] if found else None


# PostgreSQL type OIDs (pg_type) of the columns the marts have, as information_schema names them; others are text
POSTGRES_TYPES = {
    16: "boolean", 20: "bigint", 21: "integer", 23: "integer", 700: "double precision", 701: "double precision",
    1082: "date", 1114: "timestamp", 1184: "timestamp with time zone", 1700: "numeric",
}  # fmt: skip


def arrow_type(kind: str, precision: int | None, scale: int | None):
    """The Arrow type of a warehouse column type (information_schema's data_type), datetimes in UTC."""
    import pyarrow as pa

    kind = kind.lower()
    if kind.startswith(("decimal", "numeric")):
        return pa.decimal128(precision or 38, scale or 0)
    if kind.startswith("timestamp"):
        return pa.timestamp("us", tz="UTC")
    simple = {"boolean": pa.bool_(), "bigint": pa.int64(), "integer": pa.int32(), "date": pa.date32()}
    return simple.get(kind, pa.float64() if kind.startswith("double") else pa.string())
