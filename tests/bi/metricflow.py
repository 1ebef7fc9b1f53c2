"""``mf``, dbt-metricflow's command line, run the way an analyst runs it (docs/analysts.md) over a built warehouse.

``mf`` reads the semantic manifest from ``<project>/target/semantic_manifest.json`` and connects with the project's
profile, so each :class:`MetricFlow` parses a private copy of dbt_project (tests in other processes use the shared
one) with the warehouse's variables. A batch of ``mf`` commands runs in one process through mf's own command line
(its click entry point), so its imports (~2 s of CPU) are paid once, not per query. ``mf`` asks PyPI for a newer
version of itself at every start: the tests send that request to a closed local port, so they stay offline.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.bi.warehouse import DBT_PROJECT_DIR

OFFLINE = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
BATCH = """
import json, sys
from dbt_metricflow.cli.main import cli
for args in json.load(sys.stdin):
    cli.main(args, prog_name="mf", standalone_mode=False)
"""


class MetricFlow:
    def __init__(self, folder: Path, warehouse_env: dict[str, str]) -> None:
        """A parsed copy of the dbt project in ``folder``; ``warehouse_env`` chooses the warehouse (profiles.yml)."""
        self.project = folder / "dbt_project"
        shutil.copytree(DBT_PROJECT_DIR, self.project, ignore=shutil.ignore_patterns("target", "logs", ".user.yml"))
        self.env = os.environ | warehouse_env | OFFLINE | {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        self._run([Path(sys.executable).with_name("dbt"), "parse", "--profiles-dir", ".", "--quiet"])

    def _run(self, command: list, stdin: str | None = None) -> str:
        result = subprocess.run(
            [str(part) for part in command], input=stdin, cwd=self.project, env=self.env, capture_output=True,
            text=True, timeout=900,
        )  # fmt: skip
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{' '.join(map(str, command[:2]))} failed:\n{output[-5000:]}"
        return output

    def run(self, queries: dict[str, list[str]]) -> tuple[dict[str, list[dict[str, str]]], str]:
        """``mf validate-configs``, then ``mf query <options> --csv`` for each named query; returns each query's rows
        as dicts of text (mf writes numbers as floats, an empty result as no file) and mf's output."""
        results = self.project / "target" / "queries"
        results.mkdir(parents=True, exist_ok=True)
        commands = [["validate-configs"]]
        commands += [["query", *options, "--csv", str(results / f"{name}.csv")] for name, options in queries.items()]
        output = self._run([sys.executable, "-c", BATCH], json.dumps(commands))
        rows = {}
        for name in queries:
            path = results / f"{name}.csv"
            with path.open(newline="") if path.exists() else open(os.devnull) as data:
                rows[name] = list(csv.DictReader(data))
        return rows, output
