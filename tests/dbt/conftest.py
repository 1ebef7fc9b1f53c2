"""dbt's manifest of the project, parsed once per test process for the tests that read the project's structure."""

from __future__ import annotations

import pytest

from docs.table_reference import parse_manifest


@pytest.fixture(scope="session")
def manifest() -> dict:
    return parse_manifest()
