"""One transformed warehouse for the dbt test modules of a test run: two months of a simulated team with a planted
group move, its raw tables built from the simulator's ground truth (raw_fixture.py) and transformed once. A dbt build
costs ~10 CPU-seconds whatever the data; the modules that assert on the same team each work on a copy of the file.

pytest-xdist runs the modules in several processes: the first to ask builds the warehouse in a folder of the run
that every worker sees, holding a file lock; the others wait for it and copy the finished file.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

from cursor_simulator import Scenario
from cursor_simulator.team import TeamSpec
from cursor_simulator.usage import TeamUsage
from cursor_spend.config import load_settings
from cursor_spend.transform import transform

from .raw_fixture import build_raw_warehouse

TEAM = "acme"
MOVE_DAY = date(2026, 11, 10)
# 2026-10-12 .. 2026-11-20: two calendar months; member 0 moves to another billing group on MOVE_DAY
SPEC = TeamSpec(
    api_key="crsr_test",
    members=20,
    days=40,
    end_date=date(2026, 11, 20),
    scenarios=(Scenario("group_move", 0, MOVE_DAY),),
)
WAREHOUSE = "cursor_spend.duckdb"


def run_folder(basetemp: Path) -> Path:
    """The folder this test run's processes share: under pytest-xdist each worker's basetemp is a folder in the
    run's own."""
    return basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp


def built_once(folder: Path, build: Callable[[Path], None]) -> Path:
    """``folder/WAREHOUSE`` as ``build(path)`` writes it, built by the first process of the run that asks."""
    folder.mkdir(parents=True, exist_ok=True)
    done = folder / "built"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also when the build fails
        if not done.exists():
            (folder / WAREHOUSE).unlink(missing_ok=True)
            build(folder / WAREHOUSE)
            done.touch()
    return folder / WAREHOUSE


def transformed(path: Path) -> None:
    """SPEC's raw tables at ``path``, then one transform; the marts agree (no dbt test fails or warns)."""
    build_raw_warehouse(path, TeamUsage(SPEC), TEAM)
    result = transform(load_settings(env={"CURSOR_SPEND_DUCKDB": str(path)}))
    assert result.statuses["warn"] == 0 and not result.failed, result.line


def copy_of(warehouse: Path, folder: Path) -> Path:
    """A private copy of a shared warehouse, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(warehouse, folder / WAREHOUSE))
