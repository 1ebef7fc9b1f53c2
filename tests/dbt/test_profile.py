"""The warehouse URL, one parse: cursor-spend's settings take CURSOR_SPEND_WAREHOUSE apart as libpq does, and
dbt_project/profiles.yml, rendered by dbt's own profile code, gives dbt the same parts, for every URL form the
README names: with and without password (libpq's PGPASSWORD then), with and without port, a percent-encoded user,
password and database, a query string."""

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
    return {"type": credentials.type} | {field: getattr(credentials, field) for field in fields}


@pytest.mark.parametrize("pgpassword", [None, "from-PGPASSWORD"], ids=["no-PGPASSWORD", "PGPASSWORD"])
@pytest.mark.parametrize("url", URLS.values(), ids=URLS)
def test_dbt_renders_from_the_profile_the_parts_the_settings_parse(url, pgpassword, monkeypatch):
    env = {"CURSOR_SPEND_WAREHOUSE": url} | ({"PGPASSWORD": pgpassword} if pgpassword else {})
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    warehouse = load_settings(env=env | {"CURSOR_API_KEY": "crsr_x"}).warehouse
    parsed = warehouse.url
    expected = {
        "type": "postgres",
        "host": parsed.host,
        "port": parsed.port or POSTGRES_PORT,
        "user": parsed.user or "",
        "password": warehouse.password or "",  # the URL's, else PGPASSWORD, else libpq reads ~/.pgpass
        "database": parsed.dbname,
    }

    assert _rendered_by_dbt(env) == expected  # a plain `dbt build` with CURSOR_SPEND_WAREHOUSE set
    assert _rendered_by_dbt(env | warehouse.dbt_env()) == expected  # as cursor-spend runs dbt
