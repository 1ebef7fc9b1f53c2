"""The one place the BI tests fill a warehouse, the way a daily run does: the Cursor Admin API simulator over real
HTTP, cursor-spend's extract, then dbt's transform. Every name the BI tests take from cursor-spend's Python API is
imported here (DBT_PROJECT_DIR, the dbt project, too).

Two teams over two calendar months (the second month to date), one team busy with a spike that crosses the
shipped per-user budget, one quieter team whose members leave paid seats idle: month-to-date and past-month rows,
team '*' rows, several billing groups, budgets over and under, idle seats.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cursor_simulator import Scenario, Simulator, SimulatorOptions, SimulatorServer, TeamSpec
from cursor_spend.config import DBT_PROJECT_DIR, Settings, load_settings  # noqa: F401 (DBT_PROJECT_DIR: re-exported)
from cursor_spend.export import export_marts
from cursor_spend.load import load
from cursor_spend.marts.reader import open_reader
from cursor_spend.summary import Summary, summarize
from cursor_spend.transform import transform
from tests.conftest import END_DATE

DAYS = 40  # 2026-10-12 .. 2026-11-20: October whole from the 12th, November to date
TEAMS = {
    "acme": TeamSpec(api_key="crsr_" + "A" * 64, seed=11, members=14, days=DAYS, end_date=END_DATE,
                     scenarios=(Scenario("spike", 2, END_DATE - timedelta(days=3), factor=8.0),)),
    "beta": TeamSpec(api_key="crsr_" + "B" * 64, seed=12, members=8, days=DAYS, end_date=END_DATE, team_id=20002,
                     domain="beta.dev", activity=0.15),
}  # fmt: skip


def build(folder: Path, warehouse_url: str | None = None, reader_roles: tuple[str, ...] = ()) -> Settings:
    """A warehouse in ``folder`` (its DuckDB file, or dlt's and dbt's working files beside a PostgreSQL warehouse at
    ``warehouse_url``, granting ``reader_roles`` the marts), filled with the teams' whole period and transformed;
    returns its settings."""
    keys = ", ".join(f'"{label}": "{spec.api_key}"' for label, spec in TEAMS.items())
    server = SimulatorServer(Simulator(list(TEAMS.values()), SimulatorOptions(rate_limits=False))).start()
    try:
        env = {
            "CURSOR_API_KEYS": "{" + keys + "}",
            "CURSOR_API_BASE_URL": server.base_url,
            "CURSOR_SPEND_DUCKDB": str(folder / "cursor_spend.duckdb"),
            "CURSOR_SPEND_WAREHOUSE": warehouse_url or "",
            "CURSOR_SPEND_READER_ROLES": ",".join(reader_roles),
        }
        settings = load_settings(env=env)
        load(settings, END_DATE - timedelta(days=DAYS - 1), END_DATE)
    finally:
        server.stop()
    result = transform(settings)
    export_marts(settings)
    assert not result.failed and result.statuses["warn"] == 0, result.line
    return settings


def rows(settings: Settings, sql: str) -> list[tuple]:
    """The rows of a select on the warehouse, through cursor-spend's reading layer."""
    with open_reader(settings.warehouse) as reader:
        return reader.rows(sql)


def dbt_env(settings: Settings) -> dict[str, str]:
    """The variables that point dbt_project/profiles.yml at this warehouse from any folder (password included)."""
    env = settings.warehouse.dbt_env()
    if not settings.warehouse.url:
        env["CURSOR_SPEND_DUCKDB"] = str(settings.duckdb_path.resolve())
    return env


def report_figures(settings: Settings) -> Summary:
    """The figures the CLI's summary and the HTML report show (this month, all teams)."""
    summary = summarize(settings)
    assert summary is not None
    return summary
