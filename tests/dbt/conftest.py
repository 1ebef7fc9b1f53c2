"""dbt's manifest of the project, parsed once per test process for the tests that read the project's structure; the
run's one transformed warehouse of the shared team (shared.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from docs.table_reference import parse_manifest

from .shared import built_once, run_folder, transformed


@pytest.fixture(scope="session")
def manifest() -> dict:
    return parse_manifest()


@pytest.fixture(scope="session")
def shared_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """shared.SPEC transformed once per test run; tests write only to a copy (shared.copy_of)."""
    return built_once(run_folder(tmp_path_factory.getbasetemp()) / "dbt-shared-team", transformed)
