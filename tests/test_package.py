"""cursor-spend as a data team installs it: a built wheel (not editable) in a fresh virtual environment, run from an
empty folder far from the repository, with no Airflow in the plain install."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]


def run(*command: str | Path, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.mark.slow
def test_the_wheel_installs_without_airflow_and_its_demo_builds_the_marts_from_an_empty_folder(tmp_path):
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", tmp_path / "dist", REPO)
    (wheel,) = (tmp_path / "dist").glob("cursor_spend-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    pip = [venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run(*pip, "-c", REPO / "requirements.lock", f"cursor-spend[simulator] @ {wheel.as_uri()}")

    installed = run(venv / "bin" / "python", "-m", "pip", "list", "--format=freeze").stdout.lower()
    assert "cursor-spend==" in installed and "apache-airflow" not in installed and "dbt-postgres" not in installed

    folder = tmp_path / "somewhere-else"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CURSOR_", "DLT_", "PYTHON"))}
    demo = run(venv / "bin" / "cursor-spend", "demo", "--members", "12", "--days", "10", "--dir", "out", cwd=folder,
               env=env)  # fmt: skip

    assert "Summary and report" in demo.stdout
    warehouse = folder / "out" / "warehouse" / "cursor_spend.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        days = con.execute("select count(distinct usage_date) from marts.fct_cursor_costs_daily").fetchone()[0]
        month = con.execute("select count(*) from marts.rpt_cursor_monthly_spend where is_current_month").fetchone()[0]
    assert days == 10 and month == 2  # the team and '*'
    assert not list((venv / "lib").glob("python*/site-packages/cursor_spend/dbt_project/target"))  # nothing written
    assert (folder / "out" / "cursor-spend-report.html").exists()
