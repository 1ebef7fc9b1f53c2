"""Run the benchmarks: ``python -m benchmarks [BENCHMARK ...] [--scale ...]``.

All eight by default (api throughput memory transform daily postgres teams large), at the issue's scale
(``make bench``). Prints each benchmark's figures as a table and writes them to ``benchmarks/results/``:
``<timestamp>-<scale>.json``, ``latest.json`` and ``latest.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from . import report
from .api import run as run_api
from .history import run_daily, run_transform
from .large import run_large
from .postgres import run_postgres
from .scales import SCALES
from .teams import run as run_teams
from .volume import run_memory, run_throughput

BENCHMARKS = {
    "api": run_api,
    "throughput": run_throughput,
    "memory": run_memory,
    "transform": run_transform,
    "daily": run_daily,
    "postgres": run_postgres,
    "teams": run_teams,
    "large": run_large,
}
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="BENCHMARK", help=f"{', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--scale", choices=sorted(SCALES), default="full", help="full (default), quick or tiny")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR, help="where to write the results")
    return parser


def command(argv: list[str]) -> str:
    if not argv and os.environ.get("MAKELEVEL"):
        return "make bench"
    return " ".join(["python -m benchmarks", *argv])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    scale = SCALES[args.scale]
    names = args.names or list(BENCHMARKS)
    started_at, started = datetime.now(UTC), time.perf_counter()
    results = {}
    shared: dict = {}
    with tempfile.TemporaryDirectory(prefix="cursor-spend-bench-") as workdir:
        for name in (n for n in BENCHMARKS if n in names):
            report.console.rule(f"[bold]{name}[/bold] ({scale.name} scale)")
            begun = time.perf_counter()
            try:
                result = BENCHMARKS[name](scale, Path(workdir), shared)
            except Exception as exc:  # one failed benchmark must not lose the others' figures
                traceback.print_exc()
                result = report.Result(name=name, title=name, error=f"{type(exc).__name__}: {exc}")
            result.seconds = time.perf_counter() - begun
            report.print_result(result)
            results[name] = report.as_dict(result)
    run = {
        "started_at": started_at.isoformat(),
        "command": command(argv),
        "scale": scale.name,
        "seconds": time.perf_counter() - started,
        "machine": report.machine(),
        "benchmarks": results,
    }
    path = report.write(run, args.results_dir)
    report.console.print(f"\n{len(results)} benchmark(s) in {run['seconds'] / 60:.1f} min; figures in {path}")
    return 1 if any(r["error"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
