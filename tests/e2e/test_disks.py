"""Files and disks: a full disk during the load and during the FOCUS export, the export into a read-only folder, the
report and the export on a read-only file system: each ends in one line naming the cause and the fix (exit 2), and
nothing is half-loaded or half-written (the run after making room is exact; an earlier file stays as it was, no
temporary file is left).

A full disk is a tiny tmpfs and a read-only file system a read-only bind mount, in a private mount namespace
(``unshare -rm``: a new user namespace maps the caller to root inside it, so this needs no root and works as root,
where root's own permissions would ignore a read-only folder). The kernel's own ENOSPC and EROFS reach DuckDB, dlt
and pyarrow at whatever write they happen to be; RLIMIT_FSIZE would stand in for neither (it refuses with EFBIG and
SIGXFSZ, per file). A read-only folder by permissions is tested as well when the tests run as another user than root.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from cursor_simulator import SimulatorOptions
from cursor_simulator.team import TeamSpec
from cursor_simulator.usage import TeamUsage
from cursor_spend.config import REPORT_NAME, load_settings
from cursor_spend.transform import transform
from tests.conftest import API_KEY, END_DATE
from tests.dbt.raw_fixture import build_raw_warehouse
from tests.source.helpers import normalized, truth_by_user_day, warehouse_by_user_day

CLI = f"{sys.executable} -m cursor_spend.cli"
# runs one command of a script: NAME.rc, NAME.out, NAME.err in $OUT
RUN = 'run() { name=$1; shift; "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; echo $? >"$OUT/$name.rc"; }\n'
FULL = "no space left on the device"
READ_ONLY = "the file system is read-only"


def _namespaces() -> bool:
    return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0


needs_namespaces = pytest.mark.skipif(not _namespaces(), reason="unshare -rm: the kernel allows no user namespace")


def _in_namespace(script: str, out: Path, env: dict | None = None) -> dict[str, tuple[int, str, str]]:
    """Run ``script`` (sh, with ``run NAME command...``) in a new user and mount namespace; its mounts vanish with it.
    Returns NAME -> (exit code, stdout, stderr) of each command it ran."""
    out.mkdir(parents=True, exist_ok=True)
    env = (os.environ | (env or {})) | {"OUT": str(out)}
    command = ["unshare", "-rm", "sh", "-c", RUN + script]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return {
        rc.stem: (int(rc.read_text()), rc.with_suffix(".out").read_text(), rc.with_suffix(".err").read_text())
        for rc in out.glob("*.rc")
    }


def _one_line(result: tuple[int, str, str], *words: str) -> str:
    code, _, err = result
    assert code == 2 and err.strip().count("\n") == 0 and "Traceback" not in err, err[-3000:]
    assert all(word in err for word in words), err
    return err.strip()


# -- the load ------------------------------------------------------------------------------------------------------


@needs_namespaces
@pytest.mark.slow
@pytest.mark.parametrize("size", ["300k", "800k"], ids=["while-normalizing", "while-loading"])
def test_a_full_disk_during_the_load_is_one_line_and_the_run_after_making_room_is_exact(make_simulator, tmp_path, size):
    """The warehouse folder (the DuckDB file and dlt's working files) on a tmpfs of ``size``: the extract fills it
    (a full load needs about 1.5 MB), then the same tmpfs grows and the same command runs again."""
    server = make_simulator(members=20, days=10, options=SimulatorOptions(rate_limits=False))
    start = END_DATE - timedelta(days=9)
    disk, kept = tmp_path / "disk", tmp_path / "kept"
    disk.mkdir()
    env = {
        "CURSOR_API_KEY": API_KEY,
        "CURSOR_API_BASE_URL": server.base_url,
        "CURSOR_SPEND_DUCKDB": str(disk / "cursor_spend.duckdb"),
    }
    extract = f"{CLI} extract --start-date {start} --end-date {END_DATE}"
    results = _in_namespace(
        f"mount -t tmpfs -o size={size} tmpfs {disk}\n"
        f"run full {extract}\n"
        f"mount -o remount,size=64m {disk}\n"
        f"run again {extract}\n"
        f"cp -a {disk} {kept}\n",
        tmp_path / "out",
        env,
    )

    line = _one_line(results["full"], FULL, str(disk), "Nothing is lost: make room there and run again")
    assert line.startswith("cursor-spend extract: cannot load into the DuckDB file")
    assert results["again"][0] == 0, results["again"][2][-3000:]
    settings = load_settings(env={"CURSOR_SPEND_DUCKDB": str(kept / "cursor_spend.duckdb")})
    assert warehouse_by_user_day(settings) == normalized(truth_by_user_day(server, start, END_DATE))


# -- the report and the exports ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with its marts (raw tables from the simulator's ground truth, then dbt)."""
    usage = TeamUsage(TeamSpec(api_key="crsr_test", members=8, days=10, end_date=date(2026, 11, 20)))
    warehouse = tmp_path_factory.mktemp("built") / "cursor_spend.duckdb"
    build_raw_warehouse(warehouse, usage, "acme")
    result = transform(load_settings(env={"CURSOR_SPEND_DUCKDB": str(warehouse)}))
    assert not result.failed, result.line
    return warehouse


@needs_namespaces
def test_a_full_disk_during_the_export_is_one_line_and_leaves_the_earlier_file_as_it_was(built, tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    earlier = disk / "focus.csv"
    results = _in_namespace(
        f"mount -t tmpfs -o size=12k tmpfs {disk}\n"
        f"echo 'an earlier export' > {earlier}\n"
        f"run export {CLI} export focus --format csv --duckdb {built} --output {earlier}\n"
        f"cp -a {disk} {tmp_path / 'kept'}\n",
        tmp_path / "out",
    )

    _one_line(results["export"], f"cannot write {earlier}: {FULL}", "give --output a writable folder")
    assert sorted(path.name for path in (tmp_path / "kept").iterdir()) == ["focus.csv"]  # no temporary file
    assert (tmp_path / "kept" / "focus.csv").read_text() == "an earlier export\n"


@needs_namespaces
def test_the_report_and_the_export_on_a_read_only_file_system_are_one_line_each(built, tmp_path):
    """The warehouse folder mounted read-only: the marts can be read, nothing can be written beside them."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    (folder / built.name).write_bytes(built.read_bytes())
    duckdb = f"--duckdb {folder / built.name}"
    results = _in_namespace(
        f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder}\n"
        f"run report {CLI} report {duckdb}\n"
        f"run export {CLI} export focus {duckdb}\n"
        f"run into {CLI} export focus {duckdb} --output {folder}/\n",
        tmp_path / "out",
    )

    report = _one_line(results["report"], f"cannot write {folder / REPORT_NAME}: {READ_ONLY}")
    assert "Cursor spend November 2026" in results["report"][1], report  # the summary was printed first
    _one_line(results["export"], f"cannot write {folder / 'exports'}", READ_ONLY)
    _one_line(results["into"], f"cannot write {folder}/cursor-focus-2026-11.parquet: {READ_ONLY}")
    assert sorted(path.name for path in folder.iterdir()) == [built.name]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a folder without write permission")
def test_the_export_into_a_folder_without_write_permission_is_one_line(built, tmp_path):
    folder = tmp_path / "finops"
    folder.mkdir(mode=0o555)
    command = [sys.executable, "-m", "cursor_spend.cli", "export", "focus", "--duckdb", str(built)]
    done = subprocess.run([*command, "--output", f"{folder}/"], capture_output=True, text=True, timeout=300)
    _one_line((done.returncode, done.stdout, done.stderr), "no permission to write there")
    assert list(folder.iterdir()) == []
