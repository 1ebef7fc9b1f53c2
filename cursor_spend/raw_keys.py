"""The raw tables' keys, held by the database: whatever runs at once, no raw table holds a key twice.

dlt merges each raw table on its keys (dlt_sources/cursor/schema.py), but two merges at once each delete the old
rows and insert their own, so both copies stay (25,188 rows for 8,396 keys were seen). dlt 1.31's postgres
destination creates only single-column UNIQUE constraints (its ``unique`` hint), which cannot say a compound key;
so the loader adds a unique index on each raw table's keys (``<table>__keys``; for the member history, on the
current rows), and a second writer fails instead of duplicating. A table that already holds duplicates, from a
version without the index, keeps the newest load's row of each key (what the merge would have kept), once, with a
warning. DuckDB allows one writing process, which is enough there.

And a table of the raw schema that dlt did not create (a user's own ``cursor_raw.usage_events``) stops the load in
one line before anything is written, and is left as it is.
"""

from __future__ import annotations

import logging

from dlt_sources.cursor.schema import TABLES, Table

from .errors import WarehouseError
from .marts import RAW_SCHEMA
from .warehouse import Warehouse

log = logging.getLogger(__name__)

DLT_COLUMN = "_dlt_load_id"  # every table dlt creates has it (the load that wrote each row)


def _scd2(table: Table) -> bool:
    return isinstance(table.write_disposition, dict) and table.write_disposition.get("strategy") == "scd2"


def check_raw_tables(warehouse: Warehouse) -> None:
    """Refuse, in one line, a raw table that exists and that dlt did not create."""
    names = [table.name for table in TABLES]
    with warehouse.connect(job="extract") as connection:
        cursor = connection.cursor()
        marks = ", ".join("?" if not warehouse.url else "%s" for _ in names)
        cursor.execute(
            f"select table_name, count(case when column_name = '{DLT_COLUMN}' then 1 end) "
            f"from information_schema.columns where table_schema = '{RAW_SCHEMA}' and table_name in ({marks}) "
            "group by table_name order by table_name",
            names,
        )
        foreign = [name for name, marked in cursor.fetchall() if not marked]
    if foreign:
        raise WarehouseError(
            f"the {warehouse} already has a table {RAW_SCHEMA}.{foreign[0]} that cursor-spend did not create (it has "
            f"other columns, no {DLT_COLUMN}); nothing was loaded and it is left as it is: rename or "
            f"move it, or point CURSOR_SPEND_WAREHOUSE at another database"
        )


def enforce_keys(warehouse: Warehouse) -> None:
    """On PostgreSQL, a unique index on the keys of every raw table that exists (created once)."""
    if not warehouse.url:
        return
    with warehouse.connect(job="extract") as connection:
        cursor = connection.cursor()
        cursor.execute(
            "select c.relname, exists (select from pg_class as i where i.relname = c.relname || '__keys' "
            "and i.relnamespace = c.relnamespace) from pg_class as c join pg_namespace as n on n.oid = c.relnamespace "
            "where n.nspname = %s and c.relkind in ('r', 'p')",
            (RAW_SCHEMA,),
        )
        tables = dict(cursor.fetchall())
        for table in TABLES:
            if table.name in tables and not tables[table.name]:
                _add_index(cursor, table)
                connection.commit()


def _add_index(cursor, table: Table) -> None:
    """Remove the extra copies of a key (the newest load's row stays), then index the keys, in one transaction."""
    name, keys = f'{RAW_SCHEMA}."{table.name}"', ", ".join(f'"{key}"' for key in table.primary_key)
    current = ' where "_dlt_valid_to" is null' if _scd2(table) else ""
    cursor.execute(
        f"delete from {name} where ctid in (select ctid from (select ctid, row_number() over (partition by {keys} "
        f'order by "{DLT_COLUMN}" desc) as copy from {name}{current}) as copies where copy > 1)'
    )
    if cursor.rowcount:
        log.warning(
            "removed %d extra copies of keys from %s (left by two loads at once, before cursor-spend enforced the "
            "keys); the newest load's row of each key stays",
            cursor.rowcount,
            name,
        )
    cursor.execute(f'create unique index "{table.name}__keys" on {name} ({keys}){current}')
