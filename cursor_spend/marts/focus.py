"""The FOCUS 1.2 dataset (the mart ``fct_cursor_focus_charges``), one billing period (a UTC calendar month) at a
time, with the column types of the warehouse's own catalog (the mart's dbt contract), so the dataset from
PostgreSQL has the same schema as the one from DuckDB; datetimes in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from . import MARTS_SCHEMA
from .reader import Reader, arrow_type

if TYPE_CHECKING:
    import pyarrow as pa

FOCUS_TABLE = "fct_cursor_focus_charges"
ORDER = '"ChargePeriodStart", "BillingAccountId", "x_UserEmail", "x_Model", "x_ChargeType", "ChargeCategory"'


def billing_periods(reader: Reader) -> list[date] | None:
    """The billing periods (first days of UTC months) with charges, oldest first; None without the dataset."""
    if not reader.has_table(MARTS_SCHEMA, FOCUS_TABLE):
        return None
    rows = reader.rows(f'select distinct "BillingPeriodStart" from {MARTS_SCHEMA}.{FOCUS_TABLE}')
    return sorted(start.astimezone(UTC).date() for (start,) in rows)


def charges(reader: Reader, month: date) -> pa.Table:
    """The charges of the billing period that starts on ``month``, in the declared column types."""
    table = reader.arrow(
        f'select * from {MARTS_SCHEMA}.{FOCUS_TABLE} where "BillingPeriodStart" = ? order by {ORDER}',
        datetime(month.year, month.month, 1, tzinfo=UTC),
    )
    return table.cast(_declared_schema(reader, table.schema.names))


def _declared_schema(reader: Reader, names: list[str]) -> pa.Schema:
    """The Arrow schema of the FOCUS table from the warehouse's catalog (its dbt contract), datetimes in UTC."""
    import pyarrow as pa

    rows = reader.rows(
        "select column_name, data_type, numeric_precision, numeric_scale from information_schema.columns "
        "where table_schema = ? and table_name = ?",
        MARTS_SCHEMA,
        FOCUS_TABLE,
    )
    types = {name: arrow_type(kind, precision, scale) for name, kind, precision, scale in rows}
    return pa.schema([pa.field(name, types[name]) for name in names])
