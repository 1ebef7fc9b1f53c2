"""The same dbt project on PostgreSQL: the raw fixture copied into a throwaway PostgreSQL database, built by
cursor-spend's transform, gives marts equal row for row to the DuckDB build and to the simulator's truth; its
alerts are delivered once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cursor_simulator.team import TeamSpec
from cursor_simulator.usage import TeamUsage
from cursor_spend.alerts.channels import webhook_channel
from cursor_spend.alerts.delivery import deliver
from cursor_spend.config import load_settings
from cursor_spend.export import export_focus, export_marts
from cursor_spend.transform import run_dbt, transform
from tests.postgres import copy_schema
from tests.receivers import webhook
from tests.truth import (
    all_marts,
    expected_seat_costs,
    expected_usage_costs,
    mart_seat_costs,
    mart_usage_costs,
    normal,
    query,
)

from .raw_fixture import build_raw_warehouse


@pytest.fixture(scope="module")
def team() -> TeamUsage:
    return TeamUsage(TeamSpec(api_key="crsr_test", members=15, days=35, end_date=date(2026, 11, 20)))


@pytest.fixture(scope="module")
def both(tmp_path_factory, team, postgres_server):
    """The same raw data built on DuckDB and on PostgreSQL; returns both settings."""
    root = tmp_path_factory.mktemp("both")
    duckdb_settings = load_settings(env={"CURSOR_SPEND_DUCKDB": str(root / "duckdb" / "cursor_spend.duckdb")})
    duckdb_settings.warehouse_dir.mkdir()
    build_raw_warehouse(duckdb_settings.duckdb_path, team)
    url = postgres_server.database()
    copy_schema(duckdb_settings.duckdb_path, url)
    postgres_settings = load_settings(
        env={"CURSOR_SPEND_WAREHOUSE": url, "CURSOR_SPEND_DUCKDB": str(root / "postgres" / "unused.duckdb")}
    )
    for settings in (duckdb_settings, postgres_settings):
        result = transform(settings)
        assert not result.failed and result.statuses["warn"] == 0, result.line
        export_marts(settings)
    return duckdb_settings, postgres_settings


def test_every_mart_on_postgres_equals_the_duckdb_build_row_for_row(both):
    duckdb_settings, postgres_settings = both
    on_duckdb, on_postgres = all_marts(duckdb_settings.warehouse), all_marts(postgres_settings.warehouse)
    assert set(on_postgres) == set(on_duckdb)
    for name, rows in on_duckdb.items():
        assert on_postgres[name] == rows, name


def test_the_postgres_marts_equal_the_simulator(both, team):
    _, settings = both
    start, end = team.spec.start_date, team.spec.end_date
    assert mart_usage_costs(settings.warehouse) == expected_usage_costs(team, start, end)
    assert mart_seat_costs(settings.warehouse) == expected_seat_costs(team, start, end, Decimal(40))


def test_every_unit_test_passes_on_postgres(both):
    _, settings = both
    result = run_dbt(settings, "test", "--select", "test_type:unit")
    assert result.statuses["pass"] >= 13 and not result.failed, result.line


def test_docs_generate_on_postgres(both):
    _, settings = both
    run_dbt(settings, "docs", "generate")
    assert (settings.warehouse_dir / "dbt" / "target" / "catalog.json").exists()


def test_the_focus_export_from_postgres_equals_the_one_from_duckdb(both, tmp_path):
    on_duckdb, on_postgres = (
        export_focus(settings, file_format="csv", output=tmp_path / f"{settings.warehouse.kind}.csv")[0].read_text()
        for settings in both
    )
    assert on_duckdb == on_postgres and on_duckdb.count("\n") > 100
    tables = [pq.read_table(export_focus(settings, output=tmp_path)[0]) for settings in both]
    assert tables[0].schema == tables[1].schema and tables[0].equals(tables[1])


def test_the_parquet_exports_of_every_mart_from_postgres_equal_duckdbs(both):
    """PostgreSQL's marts reach Arrow by COPY with their declared types: a BI tool reading the Parquet exports sees
    the same columns, types and values from either warehouse (load times aside)."""
    on_duckdb, on_postgres = ({path.stem: pq.read_table(path) for path in w.export_dir.glob("*.parquet")} for w in both)
    assert set(on_postgres) == set(on_duckdb) and len(on_duckdb) >= 19
    for name, table in on_duckdb.items():
        other = on_postgres[name]
        assert other.schema.names == table.schema.names, name
        for field in table.schema:
            kind = other.schema.field(field.name).type
            same = pa.types.is_timestamp(kind) if pa.types.is_timestamp(field.type) else kind == field.type
            assert same, (name, field.name, field.type, kind)
        assert _rows(other) == _rows(table), name


def _rows(table: pa.Table) -> list[tuple]:
    rows = (tuple(normal(v) for k, v in row.items() if k != "source_loaded_at") for row in table.to_pylist())
    return sorted(rows, key=repr)


def test_alerts_are_delivered_once_from_a_postgres_warehouse(both):
    """The ledger is a dlt table on either warehouse: PostgreSQL sends each alert once too, through the outbox."""
    _, settings = both
    mart = dict(query(settings.warehouse, "select alert_key, delivery from marts.rpt_cursor_alerts"))
    delivered = {key for key, delivery in mart.items() if delivery != "off"}
    with webhook() as hook:
        first = deliver(settings, [webhook_channel(hook.url)])
        again = deliver(settings, [webhook_channel(hook.url)])
    assert delivered and first.sent == {"webhook": len(delivered)} and again.sent == {"webhook": 0}
    assert sorted(alert["alert_key"] for alert in hook.alerts) == sorted(delivered)
    ledger = query(settings.warehouse, "select alert_key, status from cursor_alerts.alert_deliveries")
    assert sorted(ledger) == sorted((key, "sent" if key in delivered else "skipped") for key in mart)
