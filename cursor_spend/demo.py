"""``cursor-spend demo``: the whole pipeline against a simulated team, into its own warehouse under ``demo/``.

It never reads the user's configuration (keys, warehouse path, prices): the demo's settings are its own.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from rich.console import Console

from . import pipeline
from .config import load_settings
from .progress import BuildProgress, ExtractProgress
from .report import write_report
from .simulator import Simulator, SimulatorOptions, TeamSpec, serve
from .summary import print_summary, summarize

DEMO_DIR = Path("demo")


def run_demo(root: Path = DEMO_DIR, members: int = 60, days: int = 45, seed: int = 7) -> Path:
    """Simulate a team, extract, load, transform, summarise and write the report; returns the report's path."""
    console = Console()
    warehouse_dir = root / "warehouse"
    shutil.rmtree(warehouse_dir, ignore_errors=True)  # a fresh warehouse each time: the demo's, never the user's
    spec = TeamSpec(api_key="crsr_demo_" + secrets.token_hex(24), seed=seed, members=members, days=days)

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
            counts = pipeline.extract(settings, spec.start_date, spec.end_date, progress=progress)
        console.print("    loaded: " + ", ".join(f"{table} {rows:,}" for table, rows in counts.items()))
    console.print("    simulator stopped")

    console.print("3/4 Building the dbt project (staging, intermediate, marts, tests) and the Parquet exports")
    with BuildProgress(console) as bar:
        result, _ = pipeline.transform(settings, on_progress=bar.update)
    console.print(f"    dbt build: {result.line}; log: {result.log_path}")

    console.print("4/4 Summary and report")
    summary = summarize(settings)
    print_summary(summary, console)
    report = write_report(settings, root / settings.report_path.name, summary)
    console.rule("Where everything is")
    console.print(f"Report:       {report.resolve()}")
    console.print(f"Warehouse:    {settings.duckdb_path.resolve()} (schemas cursor_raw, staging, intermediate, marts)")
    console.print(f"Parquet marts: {settings.export_dir.resolve()}")
    console.print(
        "With a real Cursor Admin API key (Enterprise plan; create it in the Cursor dashboard under Settings, "
        "Advanced, Admin API Keys):\n"
        "  export CURSOR_API_KEY=crsr_...\n"
        "  cursor-spend run      # extract + transform into warehouse/cursor_spend.duckdb\n"
        "  cursor-spend report   # this summary and warehouse/cursor-spend-report.html"
    )
    return report
