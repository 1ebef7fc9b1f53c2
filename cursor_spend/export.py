"""Exports, files for tools without a database connection: every mart as Parquet for BI tools (after each build),
and the FOCUS 1.2 dataset for FinOps tools, one file per billing period (a UTC calendar month), Parquet or CSV.

dbt computes the data and :mod:`cursor_spend.marts` selects it; this module only writes the files, atomically
(:mod:`cursor_spend.files`).
FOCUS datetimes are written in UTC (in CSV as ``2026-11-01T00:00:00Z``, FOCUS's date/time format).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ExportError
from .files import output_path, write_atomically
from .marts import MARTS_SCHEMA, focus, tables
from .marts.reader import open_reader

if TYPE_CHECKING:  # pyarrow is imported where a file is written: the CLI's parser imports FORMATS from here
    import pyarrow as pa

    from .config import Settings

FORMATS = ("parquet", "csv")  # the first is the default
FOCUS_DATETIME = "%Y-%m-%dT%H:%M:%SZ"


def export_marts(settings: Settings) -> list[Path]:
    """Write every mart to ``<export_dir>/<name>.parquet``; returns the files."""
    paths = []
    with open_reader(settings.warehouse) as reader:
        for name in tables.marts(reader):
            path = settings.export_dir / f"{name}.parquet"
            paths.append(_write(tables.mart(reader, name), path, "parquet", "point CURSOR_SPEND_DUCKDB elsewhere"))
    return paths


def parse_month(text: str) -> date:
    """``YYYY-MM`` as the first day of that month."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}", text.strip()):
            return date.fromisoformat(text.strip() + "-01")
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a month: give YYYY-MM, e.g. 2026-11")


def default_path(settings: Settings, month: date, file_format: str) -> Path:
    """``<exports>/focus/cursor-focus-YYYY-MM.<format>`` beside the warehouse."""
    return settings.export_dir / "focus" / f"cursor-focus-{month:%Y-%m}.{file_format}"


def export_focus(
    settings: Settings, month: date | None = None, file_format: str = FORMATS[0], output: str | Path | None = None
) -> tuple[Path, int]:
    """Write the FOCUS charges of one billing period (default: the newest with charges) to ``output`` (a file, or a
    folder for the default file name: :func:`cursor_spend.files.output_path`; default :func:`default_path`); returns
    the file and its row count."""
    if file_format not in FORMATS:
        raise ExportError(f"unknown format {file_format!r}: choose {' or '.join(FORMATS)}")
    with open_reader(settings.warehouse) as reader:
        periods = focus.billing_periods(reader)
        if periods is None:
            raise ExportError(
                f"the warehouse has no FOCUS dataset ({MARTS_SCHEMA}.{focus.FOCUS_TABLE}): "
                "run `cursor-spend transform` (or `cursor-spend run`) first"
            )
        if not periods:
            raise ExportError("the FOCUS dataset has no charges yet: extract a window with usage, then transform")
        month = month or periods[-1]
        if month not in periods:
            raise ExportError(
                f"no FOCUS charges for {month:%Y-%m}: the warehouse has {periods[0]:%Y-%m} .. {periods[-1]:%Y-%m}; "
                "pick one of those months with --month"
            )
        table = focus.charges(reader, month)
    path = output_path(output, default_path(settings, month, file_format))
    return _write(table, path, file_format, "give --output a writable folder"), table.num_rows


def _write(table: pa.Table, path: Path, file_format: str, fix: str) -> Path:
    """Parquet or CSV, atomically (:func:`cursor_spend.files.write_atomically`)."""
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    if file_format == "parquet":
        return write_atomically(path, lambda temporary: pq.write_table(table, temporary), fix)
    return write_atomically(path, lambda temporary: pa_csv.write_csv(_as_text(table), temporary), fix)


def _as_text(table: pa.Table) -> pa.Table:
    """CSV has no types: FOCUS datetimes as ISO 8601 UTC text, decimals in plain notation (Arrow would print a zero
    of scale 11 as 0E-11)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for index, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type):
            text = pa.array([None if v is None else format(v, "f") for v in table.column(index).to_pylist()])
            table = table.set_column(index, field.name, text)
        elif pa.types.is_timestamp(field.type):
            seconds = pc.cast(table.column(index), pa.timestamp("s", tz="UTC"))  # %S of finer units has fractions
            text = pc.strftime(seconds, format=FOCUS_DATETIME)
            table = table.set_column(index, field.name, text)
    return table
