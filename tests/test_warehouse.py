"""An unusable warehouse (corrupt, empty, a folder, unwritable, unreachable, wrong password) stops every command
at once with one line that names it and the likely cause, exit 2, and no password anywhere."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest

from cursor_simulator import free_port
from tests.conftest import API_KEY
from tests.postgres import USER
from tests.test_config import cli


def _zero(path: Path) -> None:
    path.write_bytes(b"")


def _corrupt(path: Path) -> None:
    path.write_bytes(os.urandom(6000))


def _folder(path: Path) -> None:
    path.mkdir()


BROKEN = {
    "0-byte": (_zero, "the file is empty (0 bytes"),
    "corrupt": (_corrupt, "it is not a DuckDB database (corrupt"),
    "a-folder": (_folder, "it is a folder, not a DuckDB file"),
}


@pytest.mark.parametrize("command", ["extract", "transform", "report"])
@pytest.mark.parametrize("kind", list(BROKEN))
def test_an_unusable_duckdb_file_fails_in_one_line_naming_it(tmp_path, command, kind):
    make, cause = BROKEN[kind]
    path = tmp_path / "cursor_spend.duckdb"
    make(path)
    env = {"CURSOR_API_KEY": API_KEY, "CURSOR_API_BASE_URL": f"http://127.0.0.1:{free_port()}"}

    done = cli(command, "--duckdb", str(path), env=env)

    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert str(path) in done.stderr and cause in done.stderr


def test_an_unwritable_warehouse_says_so(tmp_path):
    done = cli("transform", "--duckdb", "/sys/cursor_spend.duckdb")  # read-only for root too
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "/sys/cursor_spend.duckdb" in done.stderr and "not writable" in done.stderr
    nested = tmp_path / "a-file"
    nested.write_text("")
    done = cli("transform", "--duckdb", str(nested / "w.duckdb"))
    assert done.returncode == 2 and "cannot create the warehouse folder" in done.stderr


def test_check_names_the_warehouse_and_fails_early_when_postgres_is_unreachable_or_refuses(postgres_server, tmp_path):
    unreachable = f"postgresql://{USER}:s3cret-pw@127.0.0.1:{free_port()}/nothing"
    done = cli("check", env={"CURSOR_API_KEY": API_KEY, "CURSOR_SPEND_WAREHOUSE": unreachable}, cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert f"cannot connect to the PostgreSQL postgresql://{USER}@127.0.0.1" in done.stderr
    assert "s3cret-pw" not in done.stdout + done.stderr
    assert done.stdout.startswith(f"warehouse: PostgreSQL postgresql://{USER}@127.0.0.1")

    wrong = postgres_server.url().replace(quote(postgres_server.password, safe=""), "wrong-pw-123")
    done = cli("check", env={"CURSOR_API_KEY": API_KEY, "CURSOR_SPEND_WAREHOUSE": wrong}, cwd=tmp_path)
    assert done.returncode == 2 and "password authentication failed" in done.stderr
    assert "wrong-pw-123" not in done.stdout + done.stderr
