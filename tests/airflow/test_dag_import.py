"""The DAG files parse cleanly, quickly, and without importing the pipeline's heavy dependencies."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.airflow import DAGS_DIR, POOL, REPO

HEAVY_MODULES = ("dlt", "dbt", "duckdb", "httpx")

# Imports Airflow first (it takes ~2 s by itself and loads httpx for its own API client), then times the DagBag
# fill alone and lists which heavy modules importing the DAG files added.
PROBE = f"""
import json, sys, time
from airflow.dag_processing.dagbag import DagBag
before = set(sys.modules)
t = time.perf_counter()
bag = DagBag(sys.argv[1])
seconds = time.perf_counter() - t
added = {{m.split(".")[0] for m in set(sys.modules) - before}}
dags = {{
    dag_id: {{
        "tasks": {{t.task_id: {{"pool": t.pool, "retries": t.retries, "backoff": t.retry_exponential_backoff,
                               "outlets": [o.uri for o in t.outlets]}}
                  for t in dag.tasks}},
        "max_active_runs": dag.max_active_runs, "catchup": dag.catchup, "tags": sorted(dag.tags),
        "owner": dag.owner, "doc_md": bool(dag.doc_md), "timetable": type(dag.timetable).__name__,
        "expression": getattr(dag.timetable, "expression", None),
        "dates": [str(dag.start_date), str(dag.end_date)],
    }}
    for dag_id, dag in bag.dags.items()
}}
print(json.dumps({{"seconds": seconds, "errors": {{k: str(v) for k, v in bag.import_errors.items()}},
                  "added": sorted(added & set({HEAVY_MODULES!r})), "dags": dags}}))
"""


def _probe(dags_dir: Path = DAGS_DIR, **env: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(dags_dir)],
        env={k: v for k, v in os.environ.items() if k != "CURSOR_SPEND_WAREHOUSE"} | env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=dags_dir if dags_dir != DAGS_DIR else REPO,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_dags_import_without_errors_fast_and_without_heavy_modules() -> None:
    probe = _probe()
    assert probe["errors"] == {}
    assert set(probe["dags"]) == {"cursor_spend_extract", "cursor_spend_transform"}
    assert probe["seconds"] < 2.0, f"importing the DAG files took {probe['seconds']:.2f} s"
    assert probe["added"] == [], f"DAG files import {probe['added']} at top level"


def test_dags_follow_the_house_defaults() -> None:
    dags = _probe()["dags"]
    extract, transform = dags["cursor_spend_extract"], dags["cursor_spend_transform"]
    for dag in (extract, transform):
        assert dag["max_active_runs"] == 1
        assert dag["catchup"] is False
        assert dag["doc_md"] and dag["owner"] and "cursor-spend" in dag["tags"]
    assert extract["expression"] == "0 0 * * *" and extract["timetable"] == "CronDataIntervalTimetable"
    assert extract["tasks"]["extract"]["pool"] == POOL
    assert transform["tasks"]["dbt_build"]["pool"] == POOL
    assert transform["tasks"]["focus_export"]["pool"] == POOL  # reads the DuckDB file after the build
    for task in extract["tasks"].values():  # both call the API
        assert task["retries"] == 3 and task["backoff"] > 1
    assert transform["timetable"] == "AssetTriggeredTimetable"


def test_schedule_catchup_and_dates_come_from_the_environment() -> None:
    env = {"CURSOR_SPEND_START_DATE": "2026-10-01", "CURSOR_SPEND_END_DATE": "2026-12-31"}
    dag = _probe(CURSOR_SPEND_SCHEDULE="0 6 * * *", CURSOR_SPEND_CATCHUP="true", **env)["dags"]["cursor_spend_extract"]
    assert dag["expression"] == "0 6 * * *"
    assert dag["catchup"] is True
    assert dag["dates"] == ["2026-10-01 00:00:00+00:00", "2026-12-31 00:00:00+00:00"]


def test_dag_files_copied_into_another_dags_folder_work_and_take_no_duckdb_pool_on_postgres(tmp_path) -> None:
    folder = tmp_path / "airflow-dags"  # an existing Airflow's dags folder, with cursor-spend installed
    folder.mkdir()
    for dag_file in DAGS_DIR.glob("*.py"):
        shutil.copy(dag_file, folder)
    url = "postgresql://spend:s3cret@warehouse.internal:5433/finops"

    probe = _probe(folder, CURSOR_SPEND_WAREHOUSE=url)

    assert probe["errors"] == {} and set(probe["dags"]) == {"cursor_spend_extract", "cursor_spend_transform"}
    extract, transform = probe["dags"]["cursor_spend_extract"], probe["dags"]["cursor_spend_transform"]
    assert extract["tasks"]["extract"]["pool"] == transform["tasks"]["dbt_build"]["pool"] == "default_pool"
    assert transform["tasks"]["focus_export"]["pool"] == "default_pool"
    assert extract["tasks"]["extract"]["outlets"] == ["postgres://warehouse.internal:5433/finops/cursor_raw/*"]
    assert "s3cret" not in json.dumps(probe)


def test_a_warehouse_on_a_unix_socket_names_its_assets_with_uris_airflow_accepts() -> None:
    from airflow.sdk import Asset

    from cursor_spend.airflow.dag_settings import asset_uri

    socket, default = "postgresql:///finops?host=/run/postgresql", "postgres://cs@/finops"  # the folder; libpq's
    assert (
        asset_uri("cursor_raw", {"CURSOR_SPEND_WAREHOUSE": socket})
        == "postgres://%2Frun%2Fpostgresql:5432/finops/cursor_raw/*"
    )
    assert asset_uri("marts", {"CURSOR_SPEND_WAREHOUSE": default}) == "postgres://localhost:5432/finops/marts/*"
    for url in (socket, default):
        uri = asset_uri("cursor_raw", {"CURSOR_SPEND_WAREHOUSE": url})
        assert Asset(uri).uri == uri
