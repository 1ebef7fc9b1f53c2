"""``mf``, dbt-metricflow's command line, run the way an analyst runs it (docs/analysts.md) over a built warehouse.

``mf`` reads the semantic manifest from ``<project>/target/semantic_manifest.json`` and connects with the project's
profile, so each :class:`MetricFlow` parses a private copy of dbt_project (tests in other processes use the shared
one) with the warehouse's variables. ``mf`` asks PyPI for a newer version of itself at every start: the tests send
that request to a closed local port, so they stay offline.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.bi.warehouse import DBT_PROJECT

BIN = Path(sys.executable).parent
OFFLINE = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}


class MetricFlow:
    def __init__(self, folder: Path, warehouse_env: dict[str, str]) -> None:
        """A parsed copy of the dbt project in ``folder``; ``warehouse_env`` chooses the warehouse (profiles.yml)."""
        self.project = folder / "dbt_project"
        shutil.copytree(DBT_PROJECT, self.project, ignore=shutil.ignore_patterns("target", "logs", ".user.yml"))
        self.env = os.environ | warehouse_env | OFFLINE | {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        self._run(BIN / "dbt", "parse", "--profiles-dir", ".", "--quiet")

    def _run(self, *command: str | Path) -> str:
        result = subprocess.run(
            [str(part) for part in command], cwd=self.project, env=self.env, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{' '.join(map(str, command[:3]))} failed:\n{output[-3000:]}"
        return output

    def validate(self, *options: str) -> str:
        """``mf validate-configs``: its output (it exits 0 even when it finds errors)."""
        return self._run(BIN / "mf", "validate-configs", *options)

    def query(self, *options: str) -> list[dict[str, str]]:
        """``mf query <options> --csv``: the rows as dicts of text (mf writes numbers as floats)."""
        out = self.project / "target" / "query.csv"
        out.unlink(missing_ok=True)
        self._run(BIN / "mf", "query", *options, "--csv", str(out))
        if not out.exists():  # mf writes no file for an empty result
            return []
        with out.open(newline="") as data:
            return list(csv.DictReader(data))
