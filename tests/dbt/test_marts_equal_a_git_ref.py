"""A change to the dbt project that must not change any mart (a restructure, a macro that replaces repeated SQL)
proves it here: the demo team's raw data is built by the dbt project of a git ref (e.g. ``main``) and by the
working tree's, and every table of schema ``marts`` must be equal in both: the same tables, column names and types,
and rows, value for value (decimals with their scale, doubles exactly, load times included).

Two full builds per warehouse make this the slowest dbt check there is, and it only means something while the two
projects differ, so it runs when asked: ``CURSOR_SPEND_COMPARE_REF=main .venv/bin/python -m pytest
tests/dbt/test_marts_equal_a_git_ref.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from datetime import date
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlparse

import duckdb
import pytest

from cursor_simulator.usage import TeamUsage
from cursor_spend.demo import demo_team
from tests.postgres import copy_schema

from .raw_fixture import build_raw_warehouse

REPO = Path(__file__).resolve().parents[2]
REF = os.environ.get("CURSOR_SPEND_COMPARE_REF", "")
COLUMNS = (
    "select table_name, column_name, data_type, numeric_precision, numeric_scale from information_schema.columns "
    "where table_schema = 'marts' order by table_name, ordinal_position"
)

pytestmark = pytest.mark.skipif(not REF, reason="set CURSOR_SPEND_COMPARE_REF to a git ref to compare its marts")


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The dbt project of the ref (from ``git archive``) and the working tree's."""
    folder = tmp_path_factory.mktemp("ref")
    archive = subprocess.run(["git", "-C", str(REPO), "archive", REF, "dbt_project"], capture_output=True, check=True)
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return {REF: folder / "dbt_project", "working tree": REPO / "dbt_project"}


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's team (60 members, 45 days, its planted ramp and spike) as a raw DuckDB warehouse."""
    path = tmp_path_factory.mktemp("raw") / "raw.duckdb"
    build_raw_warehouse(path, TeamUsage(demo_team("crsr_compare", 60, 45, 7, end_date=date(2026, 11, 20))))
    return path


def dbt_build(project: Path, folder: Path, env: dict[str, str]) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), "build", "--exclude-resource-type", "unit_test", "--project-dir", str(project)]
    command += ["--profiles-dir", str(project), "--target-path", str(folder / "target"), "--log-path", str(folder)]
    done = subprocess.run(command, env=os.environ | env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:]


def assert_equal_marts(built: dict[str, tuple[list, dict[str, list]]]) -> None:
    (ref_columns, ref_rows), (columns, rows) = built[REF], built["working tree"]
    assert columns == ref_columns  # the same tables, column names, types, precisions and scales, in order
    assert rows.keys() == ref_rows.keys()
    for table, expected in ref_rows.items():
        assert len(rows[table]) == len(expected), table
        assert rows[table] == expected, table


def _marts(fetch) -> tuple[list, dict[str, list]]:
    """Every mart's columns (name, type, precision, scale) and rows as exact text (``repr`` keeps a decimal's scale
    and a double's every digit), sorted; ``fetch(None)`` lists the columns, ``fetch(table)`` a table's rows."""
    columns = fetch(None)
    return columns, {table: sorted(map(repr, fetch(table))) for table in sorted({column[0] for column in columns})}


def test_every_mart_on_duckdb_equals_the_refs(projects, raw, tmp_path):
    built = {}
    for name, project in projects.items():
        folder = tmp_path / name.replace("/", "_").replace(" ", "_")
        folder.mkdir()
        warehouse = folder / "cursor_spend.duckdb"
        shutil.copy(raw, warehouse)
        dbt_build(project, folder, {"CURSOR_SPEND_DUCKDB": str(warehouse), "CURSOR_SPEND_WAREHOUSE": ""})
        with duckdb.connect(str(warehouse), read_only=True) as con:
            con.execute("set TimeZone = 'UTC'")

            def fetch(table, con=con):
                return con.execute(COLUMNS).fetchall() if table is None else con.sql(f'from marts."{table}"').fetchall()

            built[name] = _marts(fetch)
    assert len(built[REF][1]) == 19
    assert_equal_marts(built)


def test_every_mart_on_postgres_equals_the_refs(projects, raw, postgres_server, tmp_path):
    import psycopg2

    built = {}
    for name, project in projects.items():
        folder = tmp_path / name.replace("/", "_").replace(" ", "_")
        folder.mkdir()
        url = postgres_server.database()
        copy_schema(raw, url)
        password = unquote(urlparse(url).password or "")
        env = {"CURSOR_SPEND_WAREHOUSE": url, "DBT_ENV_SECRET_CURSOR_SPEND_PASSWORD": password}
        dbt_build(project, folder, env)
        with psycopg2.connect(url) as con, con.cursor() as cursor:
            cursor.execute("set timezone = 'UTC'")

            def fetch(table, cursor=cursor):
                cursor.execute(COLUMNS if table is None else f'select * from marts."{table}"')
                return cursor.fetchall()

            built[name] = _marts(fetch)
    assert len(built[REF][1]) == 19
    assert_equal_marts(built)
