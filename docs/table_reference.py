"""The table reference, ``docs/tables.md``, written from the dbt project's manifest: every model of every layer
with its description and, for the marts, every column with its type and description, as the dbt YAML says them
(the YAML is the one place a column is described). ``python -m docs.table_reference`` (``make docs``) rewrites the
page; ``tests/dbt/test_table_reference.py`` fails when the page is not current.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO / "dbt_project"


def parse_manifest(project: Path = DBT_PROJECT) -> dict:
    """dbt's manifest of ``project`` (``dbt parse`` into a temporary folder: no warehouse is opened)."""
    with tempfile.TemporaryDirectory() as folder:
        dbt = Path(sys.executable).with_name("dbt")
        command = [str(dbt), "parse", "--project-dir", str(project), "--profiles-dir", str(project)]
        command += ["--target-path", folder, "--log-path", folder, "--no-partial-parse", "--quiet"]
        env = os.environ | {"CURSOR_SPEND_DUCKDB": str(Path(folder) / "unused.duckdb"), "CURSOR_SPEND_WAREHOUSE": ""}
        env |= {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"dbt parse failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        return json.loads((Path(folder) / "manifest.json").read_text())
