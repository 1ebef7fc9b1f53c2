"""The warehouse URL, one parse: cursor-spend's settings take CURSOR_SPEND_WAREHOUSE apart as libpq does, and
dbt_project/profiles.yml, rendered by dbt's own profile code, gives dbt the same parts, for every URL form a
PostgreSQL user types: with and without password (libpq's PGPASSWORD or ~/.pgpass then), with and without port, a
percent-encoded user, password and database, a password with the characters libpq takes unencoded (: ? #), a query
string, a Unix-socket host (in the query string or percent-encoded), no host at all (libpq's PGHOST), IPv6."""

from __future__ import annotations

from argparse import Namespace

import pytest
from dbt.config.profile import Profile, read_profile
from dbt.config.renderer import ProfileRenderer
from dbt.flags import set_from_args
from dbt_common.context import set_invocation_context
from psycopg2.extensions import parse_dsn

from cursor_spend.config import DBT_PROJECT_DIR, load_settings
from cursor_spend.warehouse import POSTGRES_PORT

URLS = {
    "documented": "postgresql://user:password@host:5432/db",
    "example": "postgresql://cursor_spend:PASSWORD@db.internal:5432/analytics",
    "no-password": "postgresql://cursor_spend@warehouse-postgres:5432/cursor_spend",
    "no-port": "postgres://cs:s3cret@db.internal/finops",
    "percent-encoded": "postgresql://us%40er:p%40ss%2Fw%C3%B6rd%3A@db.internal:5433/fin%20ops",
    "query-string": "postgresql://cs:s3cret@db.internal:5433/finops?sslmode=require&application_name=bi",
    "unencoded-password": 'postgresql://cs:pa:ss?w#o\\r"d@db.internal:5432/finops',
    "socket-in-query": "postgresql:///cursor_spend?host=/var/run/postgresql&port=5433",
    "user-in-query": "postgresql:///cursor_spend?host=%2Ftmp&user=cs&port=5433",
    "socket-encoded": "postgresql://cursor_spend@%2Fvar%2Frun%2Fpostgresql/cursor_spend",
    "socket-and-user": "postgresql://cs:s3cret@localhost/finops?host=%2Ftmp%2Fpg&sslmode=disable",
    "no-host": "postgres://cs@/finops",
    "ipv6": "postgresql://cs:s3cret@[::1]:5433/finops",
}


@pytest.mark.parametrize("url", URLS.values(), ids=URLS)
def test_the_settings_take_the_url_apart_as_libpq_does(url):
    parsed = load_settings(env={"CURSOR_SPEND_WAREHOUSE": url, "CURSOR_API_KEY": "crsr_x"}).warehouse_url
    assert {name: str(value) for name, value in parsed.keywords.items()} == parse_dsn(url)


def _rendered_by_dbt(env: dict[str, str]) -> dict:
    """The credentials dbt makes of profiles.yml in the environment ``env`` (and nothing else)."""
    set_from_args(Namespace(), None)
    set_invocation_context(env)
    profile = Profile.from_raw_profiles(read_profile(str(DBT_PROJECT_DIR)), "cursor_spend", ProfileRenderer({}))
    credentials = profile.credentials
    fields = ("host", "port", "user", "password", "database")
    rendered = {"type": credentials.type} | {field: getattr(credentials, field) for field in fields}
    return rendered | ({"sslmode": credentials.sslmode or None} if credentials.type == "postgres" else {})


LIBPQ_ENV = {"PGPASSWORD": "from-PGPASSWORD", "PGHOST": "/run/pg", "PGUSER": "os-user"}


@pytest.mark.parametrize("libpq", [{}, LIBPQ_ENV], ids=["", "PG-vars"])
@pytest.mark.parametrize("url", URLS.values(), ids=URLS)
def test_dbt_renders_from_the_profile_the_parts_the_settings_parse(url, libpq, monkeypatch):
    env = {"CURSOR_SPEND_WAREHOUSE": url} | libpq
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    warehouse = load_settings(env=env | {"CURSOR_API_KEY": "crsr_x"}).warehouse
    parsed = warehouse.url
    expected = {
        "type": "postgres",
        "host": parsed.host or libpq.get("PGHOST", ""),  # none: libpq's PGHOST, else its default socket
        "port": parsed.port or POSTGRES_PORT,
        "user": parsed.options.get("user") or parsed.user or libpq.get("PGUSER", ""),
        "password": warehouse.password or "",  # the URL's, else PGPASSWORD, else libpq reads ~/.pgpass
        "database": parsed.dbname,
        "sslmode": parsed.options.get("sslmode"),
    }

    assert _rendered_by_dbt(env) == expected  # a plain `dbt build` with CURSOR_SPEND_WAREHOUSE set
    assert _rendered_by_dbt(env | warehouse.dbt_env()) == expected  # as cursor-spend runs dbt
