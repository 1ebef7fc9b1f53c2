"""The read side: every select from the warehouse's marts (and its raw and ledger tables) lives in this package,
with the typed rows it returns; the summary, the report, the alerts and the exports only present or deliver them.

- :mod:`.reader`: selects on either warehouse, DuckDB or PostgreSQL, as typed rows or Arrow tables;
- :mod:`.spend`: spend, seats, users, models and billing cycles (the summary and the report);
- :mod:`.budgets`: budgets, their burn-up and spend anomalies (the report);
- :mod:`.ai_code`: what the spend bought: repositories by cost, adoption beside spend (the summary and the report);
- :mod:`.alerts`: the alerts mart and the ledger of deliveries;
- :mod:`.tables`: whole tables: row counts, and every mart for the Parquet export;
- :mod:`.focus`: the FOCUS 1.2 dataset by billing period.

The figures are defined in dbt (README "Tables"); the schemas are named here once, as dlt and dbt create them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import MartsError

if TYPE_CHECKING:
    from .reader import Reader

RAW_SCHEMA = "cursor_raw"  # dlt's dataset of the raw tables
MARTS_SCHEMA = "marts"  # dbt's marts (generate_schema_name: the same name in every target)
LEDGER_SCHEMA, LEDGER_TABLE = "cursor_alerts", "alert_deliveries"  # dlt's dataset of the alert deliveries
# The schemas each step writes (a test checks dbt's against the project): dlt merges through a staging dataset
LOAD_SCHEMAS = (RAW_SCHEMA, f"{RAW_SCHEMA}_staging")
DBT_SCHEMAS = ("staging", "intermediate", MARTS_SCHEMA)
LEDGER_SCHEMAS = (LEDGER_SCHEMA, f"{LEDGER_SCHEMA}_staging")
WRITTEN_SCHEMAS = (*LOAD_SCHEMAS, *DBT_SCHEMAS, *LEDGER_SCHEMAS)
ALL_TEAMS = "*"  # the team of the marts' rows that count every team together


def require_marts(reader: Reader, warehouse: str) -> None:
    """Say what to run when the warehouse has no marts yet (and whether it has raw data to build them from)."""
    if reader.has_table(MARTS_SCHEMA, "rpt_cursor_monthly_spend"):
        return
    if reader.has_table(RAW_SCHEMA, "usage_events"):
        raise MartsError(f"the {warehouse} has raw data but no marts yet; run `cursor-spend transform`")
    raise MartsError(f"the {warehouse} holds no Cursor data yet; run `cursor-spend run` (extract, then transform)")
