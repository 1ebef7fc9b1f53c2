"""Every URL form a PostgreSQL user types works for the load (dlt), dbt and the readers, on a server with trust
authentication and on one with passwords (scram): the password in the URL, in PGPASSWORD or in a password file
(PGPASSFILE, as ~/.pgpass), none at all (trust), a Unix-socket host in the query string or percent-encoded, no host
(PGHOST), a password holding characters libpq takes unencoded. What cannot work ends in one line naming the
warehouse and the fix, exit 2, with no piece of the password anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import quote

import pytest

from cursor_simulator import SimulatorOptions
from cursor_spend.config import load_settings
from cursor_spend.load import load
from cursor_spend.marts.reader import open_reader
from cursor_spend.transform import run_dbt
from tests.conftest import API_KEY, END_DATE
from tests.postgres import USER

ODD_PASSWORD = "Ab3:Cd4?Ef5#Gh6"  # libpq takes these unencoded in a URL's password


def cli(*args: str, env: dict[str, str], cwd=None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CURSOR_", "PG"))}
    return subprocess.run(
        [sys.executable, "-m", "cursor_spend.cli", *args], env=base | env, cwd=cwd, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip


@pytest.fixture(scope="module")
def api(request):
    """A small team over real HTTP for the whole module (2 days, 3 members: the URL is under test, not volume)."""
    from cursor_simulator import Simulator, SimulatorServer, TeamSpec

    spec = TeamSpec(api_key=API_KEY, members=3, days=2, end_date=END_DATE)
    server = SimulatorServer(Simulator([spec], SimulatorOptions(rate_limits=False))).start()
    request.addfinalizer(server.stop)
    return server


def _env(api, tmp_path, url: str, **libpq: str) -> dict[str, str]:
    return {"CURSOR_API_KEY": API_KEY, "CURSOR_API_BASE_URL": api.base_url, "CURSOR_SPEND_WAREHOUSE": url,
            "CURSOR_SPEND_DUCKDB": str(tmp_path / "local" / "unused.duckdb")} | libpq  # fmt: skip


def test_run_with_a_url_without_password_on_a_trust_server_builds_the_marts(api, tmp_path, postgres_trust):
    """The issue's own command: it ended with exit 1 and 30 lines of dlt's configuration resolution."""
    url = postgres_trust.database()  # postgresql://cursor_spend@127.0.0.1:<port>/warehouse_<n>
    assert f"//{USER}@127.0.0.1" in url

    done = cli("run", "--end-date", str(END_DATE), env=_env(api, tmp_path, url), cwd=tmp_path)

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    settings = load_settings(env=_env(api, tmp_path, url))
    with open_reader(settings.warehouse) as reader:
        assert reader.first("select count(*) from marts.rpt_cursor_daily_spend")[0] > 0


def _forms(server, database: str) -> dict[str, tuple[str, dict[str, str]]]:
    """URL -> libpq's environment, for each way to give the same warehouse."""
    name, port, folder = database.rsplit("/", 1)[1], server.port, str(server.socket_dir)
    pgpass = {"PGPASSFILE": str(server.pgpass)}
    return {
        "password-in-url": (database, {}),
        "PGPASSWORD": (server.url(name, password=False), {"PGPASSWORD": server.password}),
        "pgpass-file": (server.url(name, password=False), pgpass),
        "socket-in-query": (f"postgresql:///{name}?host={folder}&port={port}&user={USER}", pgpass),
        "socket-encoded": (f"postgresql://{USER}@{quote(folder, safe='')}:{port}/{name}", pgpass),
        "no-host-PGHOST": (f"postgres://{USER}@:{port}/{name}", pgpass | {"PGHOST": folder}),
    }


@pytest.mark.parametrize(
    "form", ["password-in-url", "PGPASSWORD", "pgpass-file", "socket-in-query", "socket-encoded", "no-host-PGHOST"]
)
def test_every_url_form_loads_builds_and_reads(api, tmp_path, postgres_server, form, monkeypatch):
    url, libpq = _forms(postgres_server, postgres_server.database())[form]
    for name, value in libpq.items():  # libpq reads them in this process, dbt inherits them
        monkeypatch.setenv(name, value)
    settings = load_settings(env=_env(api, tmp_path, url, **libpq))

    assert load(settings, end_date=END_DATE)["usage_events"] > 0  # the load, by dlt
    result = run_dbt(settings, "run", "--select", "stg_cursor__usage_events")  # dbt, with the profile's parts
    assert result.statuses == {"success": 2}, result.line  # the model and the readers' on-run-end hook
    with open_reader(settings.warehouse) as reader:  # the read side
        assert reader.first("select count(*) from staging.stg_cursor__usage_events")[0] > 0


def test_a_password_with_characters_libpq_takes_unencoded_connects(api, tmp_path, postgres_server):
    postgres_server.execute(f"create role odd login password '{ODD_PASSWORD}'")
    postgres_server.execute("create database odd_warehouse owner odd")
    url = f"postgresql://odd:{ODD_PASSWORD}@127.0.0.1:{postgres_server.port}/odd_warehouse"

    done = cli("extract", "--end-date", str(END_DATE), env=_env(api, tmp_path, url), cwd=tmp_path)

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert ODD_PASSWORD not in done.stdout + done.stderr


PIECES = ("Ab3", "Cd4", "Ef5", "Gh6", "Ij7")
ENCODE = {"@": "Ab3@Cd4", "/": "Ab3/Cd4", "all": "Ab3@Cd4:Ef5/Gh6#Ij7?", "%": "Ab3%Cd4%zz"}


@pytest.mark.parametrize("command", ["check", "run"])
@pytest.mark.parametrize("password", ENCODE.values(), ids=ENCODE)
def test_a_url_password_that_needs_encoding_fails_in_one_line_without_a_piece_of_it(
    password, command, postgres_server, tmp_path
):
    url = f"postgresql://{USER}:{password}@127.0.0.1:{postgres_server.port}/postgres"

    done = cli(command, env={"CURSOR_API_KEY": API_KEY, "CURSOR_SPEND_WAREHOUSE": url}, cwd=tmp_path)

    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "percent-encode" in done.stderr and f"@127.0.0.1:{postgres_server.port}/postgres" in done.stderr
    leaked = [piece for piece in PIECES if piece in done.stdout + done.stderr]
    assert not leaked, done.stdout + done.stderr


def test_no_password_where_the_server_wants_one_fails_in_one_line_naming_the_warehouse(postgres_server, tmp_path):
    url = postgres_server.url(password=False)

    done = cli("run", env={"CURSOR_API_KEY": API_KEY, "CURSOR_SPEND_WAREHOUSE": url}, cwd=tmp_path)

    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert f"cannot connect to the PostgreSQL postgresql://{USER}@127.0.0.1:{postgres_server.port}" in done.stderr
    assert "no password supplied" in done.stderr and "Traceback" not in done.stderr
