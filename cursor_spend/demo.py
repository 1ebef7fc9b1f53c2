"""``cursor-spend demo``: the whole pipeline against a simulated team, into its own warehouse under ``demo/``.

It never reads the user's configuration (keys, warehouse path, prices): the demo's settings are its own. Its team
carries planted stories (:func:`demo_team`) that the alerts catch, so the summary shows what an alert looks like, and
two that show what the spend bought: a repository's migration and a heavy spender whose AI lines reach no commit.
"""

from __future__ import annotations

import secrets
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

from rich.console import Console

from cursor_simulator import Scenario, Simulator, SimulatorOptions, TeamSpec, serve
from cursor_simulator.repositories import team_repositories
from cursor_simulator.usage import TeamUsage

from .config import load_settings
from .export import export_marts
from .load import load
from .marts import MARTS_SCHEMA, RAW_SCHEMA
from .progress import BuildProgress, ExtractProgress
from .report import write_report
from .summary import print_summary, summarize
from .transform import transform

SPIKE_CENTS = 15_000  # the planted spike's day costs about $150, past the shipped $100 per-user on-demand budget
MIGRATION_DAYS, MIGRATION_FACTOR = 7, 12.0  # the migration's last days of the month, at 12 x its members' usual day


def demo_team(api_key: str, members: int, days: int, seed: int, end_date: date | None = None) -> TeamSpec:
    """The demo's simulated team with four planted stories: the most regular member's usage ramps up through the
    current billing cycle (past the per-user on-demand budget of seeds/budgets.csv and toward their spend limit),
    and the next one spends about $150 on the last day, an anomaly that crosses that budget whatever the day of the
    month; the third spends 3 x their usual and their AI lines never reach a commit; and the team's last repository
    has an agent-heavy migration in the month's last days up to the end date (at most 7), which makes it one of the
    month's costliest. A team too small or too new for them has none."""
    end = {"end_date": end_date} if end_date else {}  # default: yesterday
    spec = TeamSpec(api_key=api_key, seed=seed, members=members, days=days, **end)
    regulars = sorted(
        (m for m in TeamUsage(spec).current_members() if m.joined < spec.start_date and m.role == "member"),
        key=lambda m: (-m.p_active, m.index),
    )
    if len(regulars) < 3 or days < 14:
        return spec
    ramp, spike, no_commits = (member.index for member in regulars[:3])
    typical = TeamUsage(replace(spec, scenarios=(Scenario("spike", spike, 0),))).planted[0].typical_cents
    factor = max(5.0, SPIKE_CENTS / typical) if typical else 50.0
    length = min(MIGRATION_DAYS, spec.end_date.day)
    migration = Scenario(
        "migration", repo=len(team_repositories(spec)) - 1, day=length - 1, length=length, factor=MIGRATION_FACTOR
    )
    scenarios = (
        Scenario("ramp", ramp, amount_dollars=100.0), Scenario("spike", spike, 0, factor=factor),
        Scenario("no_commits", no_commits), migration,
    )  # fmt: skip
    return replace(spec, scenarios=scenarios)


def run_demo(root: Path, members: int, days: int, seed: int) -> Path:
    """Simulate a team, extract, load, transform, summarise and write the report; returns the report's path (the
    defaults are the command's: ``cursor-spend demo --help``)."""
    console = Console()
    warehouse_dir = root / "warehouse"
    shutil.rmtree(warehouse_dir, ignore_errors=True)  # a fresh warehouse each time: the demo's, never the user's
    spec = demo_team("crsr_demo_" + secrets.token_hex(24), members, days, seed)

    console.rule("cursor-spend demo")
    console.print(
        f"1/4 Starting the Cursor Admin API simulator: {members} members, {days} days of usage "
        f"({spec.start_date} to {spec.end_date}), rate limits off so the demo takes a minute, not an hour."
    )
    with serve(Simulator([spec], SimulatorOptions(rate_limits=False))) as server:
        settings = load_settings(
            env={
                "CURSOR_API_KEY": spec.api_key,
                "CURSOR_TEAM": "demo",
                "CURSOR_API_BASE_URL": server.base_url,
                "CURSOR_SPEND_DUCKDB": str(warehouse_dir / "cursor_spend.duckdb"),
            }
        )
        console.print(f"2/4 Extracting from {server.base_url} and loading into {settings.duckdb_path}")
        progress = ExtractProgress(console)
        with progress.shown():
            counts = load(settings, spec.start_date, spec.end_date, progress=progress)
        console.print("    loaded: " + ", ".join(f"{table} {rows:,}" for table, rows in counts.items()))
    console.print("    simulator stopped")

    console.print("3/4 Building the dbt project (staging, intermediate, marts, tests) and the Parquet exports")
    with BuildProgress(console) as bar:
        result = transform(settings, on_progress=bar.update)
    export_marts(settings)
    console.print(f"    dbt build: {result.line}; log: {result.log_path}")

    console.print("4/4 Summary and report")
    summary = summarize(settings)
    print_summary(summary, console)
    report = write_report(settings, root / settings.report_path.name, summary)
    console.rule("Where everything is")
    console.print(f"Report:       {report.resolve()}")
    schemas = f"{RAW_SCHEMA}, staging, intermediate, {MARTS_SCHEMA}"
    console.print(f"Warehouse:    {settings.duckdb_path.resolve()} (schemas {schemas})")
    console.print(f"Parquet marts: {settings.export_dir.resolve()}")
    console.print(
        "With a real Cursor Admin API key (Enterprise plan; create it in the Cursor dashboard under Settings, "
        "Advanced, Admin API Keys):\n"
        "  export CURSOR_API_KEY=crsr_...\n"
        "  cursor-spend run      # extract + transform into warehouse/cursor_spend.duckdb\n"
        "  cursor-spend report   # this summary and warehouse/cursor-spend-report.html"
    )
    return report
