"""Exports, files for tools without a database connection: every mart as Parquet for BI tools (after each build),
and the FOCUS 1.2 dataset for FinOps tools, one file per billing period (a UTC calendar month), Parquet or CSV.

dbt computes the data and :mod:`cursor_spend.marts` selects it; this module only writes the files, atomically.
FOCUS datetimes are written in UTC (in CSV as ``2026-11-01T00:00:00Z``, FOCUS's date/time format).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ExportError
from .marts import MARTS_SCHEMA, focus, tables
from .marts.reader import open_reader

if TYPE_CHECKING:  # pyarrow is imported where a file is written: the CLI's parser imports FORMATS from here
    import pyarrow as pa

    from .config import Settings

FORMATS = ("parquet", "csv")  # the first is the default
FOCUS_DATETIME = "%Y-%m-%dT%H:%M:%SZ"


def export_marts(settings: Settings) -> list[Path]:
    """Write every mart to ``<export_dir>/<name>.parquet``; returns the files."""
    export_dir = settings.export_dir
    export_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    with open_reader(settings.warehouse) as reader:
        for name in tables.marts(reader):
            paths.append(export_dir / f"{name}.parquet")
            _write(tables.mart(reader, name), paths[-1], "parquet", "point CURSOR_SPEND_DUCKDB at a writable folder")
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
    settings: Settings, month: date | None = None, file_format: str = FORMATS[0], output: Path | None = None
) -> tuple[Path, int]:
    """Write the FOCUS charges of one billing period (default: the newest with charges) to ``output`` (a file, or
    a folder for the default file name; default :func:`default_path`); returns the file and its row count."""
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
    path = _target(settings, month, file_format, output)
    _write(table, path, file_format)
    return path, table.num_rows


def _target(settings: Settings, month: date, file_format: str, output: Path | None) -> Path:
    path = default_path(settings, month, file_format)
    if output is not None:
        path = output / path.name if output.is_dir() else output
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create the folder {path.parent} ({exc.strerror}); give --output elsewhere") from None
    return path


def _write(table: pa.Table, path: Path, file_format: str, fix: str = "give --output elsewhere") -> None:
    """Write atomically (a temporary file beside it, then a rename): a reader never sees half a file."""
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    temporary = path.with_name(f".{path.name}.tmp")
    try:
        if file_format == "parquet":
            pq.write_table(table, temporary)
        else:
            pa_csv.write_csv(_as_text(table), temporary)
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path} ({exc.strerror}); {fix}") from None


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
