"""fakesnow's Snowflake server for the tests of this folder (see harness.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .harness import FakesnowServer, install


@pytest.fixture(scope="module")
def fakesnow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakesnowServer]:
    """A fakesnow server for one test module, its log in a temporary folder."""
    server = FakesnowServer(install(), log=tmp_path_factory.mktemp("fakesnow") / "fakesnow.log").start()
    yield server
    server.stop()
