"""Figures of a benchmark run: printed as tables, written as JSON (a timestamped file and ``latest.json``) and
as a Markdown table (``latest.md``) for the README's performance section."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table

console = Console()


@dataclass
class Figure:
    """One measured figure; ``target`` is the issue's target in words, ``met`` whether this run met it."""

    label: str
    value: float | int | None
    unit: str = ""
    target: str | None = None
    met: bool | None = None


@dataclass
class Result:
    """What one benchmark measured: its parameters, its figures by key, and details for diagnosis."""

    name: str
    title: str
    parameters: dict = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


def machine() -> dict:
    from importlib.metadata import version

    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "os": platform.platform(terse=True),
        "versions": {name: version(name) for name in ("dlt", "duckdb", "dbt-core", "dbt-duckdb", "httpx")},
    }


def format_value(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        text = f"{value:,}"
    elif abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip() if unit not in ("", "x", "%") else f"{text}{unit}"


def _met(figure: Figure) -> str:
    return "" if figure.met is None else ("yes" if figure.met else "NO")


def print_result(result: Result) -> None:
    table = Table(title=f"{result.title}  ({result.seconds:.0f} s)", title_justify="left")
    for column in ("figure", "value", "target", "met?"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for figure in result.figures.values():
        value = format_value(figure.value, figure.unit)
        table.add_row(
            figure.label, value, figure.target or "", _met(figure), style="red" if figure.met is False else None
        )
    console.print(table)
    for note in result.notes:
        console.print(f"  [dim]{note}[/dim]")
    if result.error:
        console.print(f"  [red]failed: {result.error}[/red]")


def markdown(run: dict) -> str:
    """The latest figures as a Markdown table, with the machine and the command that produced them."""
    m = run["machine"]
    lines = [
        f"Measured {run['started_at'][:16].replace('T', ' ')} UTC with `{run['command']}` (scale `{run['scale']}`, "
        f"{run['seconds'] / 60:.1f} min) on {m['cores']} cores ({m['cpu']}), {m['ram_gb']} GB RAM, "
        f"Python {m['python']}, dlt {m['versions']['dlt']}, DuckDB {m['versions']['duckdb']}, "
        f"dbt-core {m['versions']['dbt-core']}.",
        "",
        "| benchmark | figure | value | target | met? |",
        "|---|---|--:|---|---|",
    ]
    for result in run["benchmarks"].values():
        if result["error"]:
            lines.append(f"| {result['title']} | failed: {result['error']} | | | |")
        for figure in result["figures"].values():
            met = "" if figure["met"] is None else ("yes" if figure["met"] else "**no**")
            value = format_value(figure["value"], figure["unit"])
            lines.append(f"| {result['title']} | {figure['label']} | {value} | {figure['target'] or ''} | {met} |")
    notes = [note for result in run["benchmarks"].values() for note in result["notes"]]
    if notes:
        lines += ["", *(f"- {note}" for note in notes)]
    return "\n".join(lines) + "\n"


def write(run: dict, results_dir: Path) -> Path:
    """Write ``<timestamp>-<scale>.json``, ``latest.json`` and ``latest.md``; returns the timestamped path."""
    results_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(run, indent=2, default=str) + "\n"
    stamp = datetime.fromisoformat(run["started_at"]).strftime("%Y%m%dT%H%M%S")
    path = results_dir / f"{stamp}-{run['scale']}.json"
    path.write_text(text)
    (results_dir / "latest.json").write_text(text)
    (results_dir / "latest.md").write_text(markdown(run))
    return path


def as_dict(result: Result) -> dict:
    return asdict(result)
