"""Every setting is validated where it enters, with one line that names it and says what to give instead;
keys come from dlt's own configuration providers when the environment has none."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

import pytest

from cursor_spend.config import load_settings
from cursor_spend.errors import ConfigError

BAD_SETTINGS = [
    ({"CURSOR_SEAT_PRICE_USD": "-5"}, "CURSOR_SEAT_PRICE_USD='-5' is not a seat price"),
    ({"CURSOR_SEAT_PRICE_USD": "nan"}, "CURSOR_SEAT_PRICE_USD='nan' is not a seat price"),
    ({"CURSOR_SEAT_PRICE_USD": "inf"}, "CURSOR_SEAT_PRICE_USD='inf' is not a seat price"),
    ({"CURSOR_SPEND_DBT_VARS": '{"seat_price_usd": "abc"}'}, "CURSOR_SPEND_DBT_VARS seat_price_usd='abc'"),
    ({"CURSOR_LOOKBACK_DAYS": "1.5"}, "CURSOR_LOOKBACK_DAYS='1.5' is not a whole number"),
    ({"CURSOR_INITIAL_DAYS": "0"}, "CURSOR_INITIAL_DAYS='0' must be at least 1"),
    ({"CURSOR_API_KEYS": '{"eng": ""}'}, "CURSOR_API_KEYS: team 'eng' has an empty key"),
    ({"CURSOR_API_KEYS": '["crsr_x"]'}, "CURSOR_API_KEYS must be a JSON object"),
    ({"CURSOR_API_BASE_URL": "api.cursor.com"}, "CURSOR_API_BASE_URL='api.cursor.com' is not an http(s) URL"),
    ({"CURSOR_RATE_LIMIT_WINDOW": "0"}, "CURSOR_RATE_LIMIT_WINDOW='0' must be a number of seconds > 0"),
    ({"CURSOR_SPEND_WAREHOUSE": "mysql://u:hunter2@db/x"}, "CURSOR_SPEND_WAREHOUSE='mysql://u@db/x' is not a Postgre"),
    ({"CURSOR_SPEND_READER_ROLES": "bi, BI Team"}, "CURSOR_SPEND_READER_ROLES: 'BI Team' is not a role name"),
    ({"CURSOR_SPEND_LOCK_TIMEOUT": "0"}, "CURSOR_SPEND_LOCK_TIMEOUT='0' must be a number of seconds > 0"),
    ({"CURSOR_ORG_API_KEY": "crsr_hunter2"}, "CURSOR_ORG_ID is not set: an Organization API key needs its organiz"),
    ({"CURSOR_ORG_ID": "acme", "CURSOR_ORG_API_KEY": "crsr_hunter2"}, "CURSOR_ORG_ID='acme' is not an organization"),
]


@pytest.mark.parametrize(("env", "message"), BAD_SETTINGS, ids=[next(iter(env)) for env, _ in BAD_SETTINGS])
def test_a_bad_setting_names_itself_and_the_fix_in_one_line(env, message):
    with pytest.raises(ConfigError) as failure:
        load_settings(env=env | {"CURSOR_API_KEY": "crsr_x"})
    text = str(failure.value)
    assert message in text and "\n" not in text
    assert "hunter2" not in text


def test_good_settings_are_read_exactly():
    settings = load_settings(
        env={
            "CURSOR_API_KEY": "crsr_x",
            "CURSOR_SEAT_PRICE_USD": "37.50",
            "CURSOR_LOOKBACK_DAYS": "0",
            "CURSOR_SPEND_READER_ROLES": " cursor_spend_reader, bi ",
            "CURSOR_SPEND_LOCK_TIMEOUT": "2.5",
            "CURSOR_SPEND_WAREHOUSE": "postgresql://cs:p%40ss@db.internal:5433/finops",
        }
    )
    assert settings.seat_price_usd == Decimal("37.50") and settings.lookback_days == 0
    assert settings.reader_roles == ("cursor_spend_reader", "bi") and settings.lock_timeout == 2.5
    assert settings.warehouse.kind == "postgres" and settings.warehouse.password == "p@ss"
    assert str(settings.warehouse) == "PostgreSQL postgresql://cs@db.internal:5433/finops"
    assert "p@ss" not in repr(settings) and "p%40ss" not in repr(settings)
    assert load_settings(env={"CURSOR_API_KEY": "crsr_x"}).seat_price_usd is None  # the dbt var's default applies


def test_team_keys_and_an_organization_key_are_read_together_and_a_team_selection_drops_the_organization():
    env = {"CURSOR_API_KEYS": '{"eng": "crsr_eng", "ops": "crsr_ops"}', "CURSOR_ORG_API_KEY": " crsr_org "}
    settings = load_settings(env=env | {"CURSOR_ORG_ID": "org_acme"})
    assert settings.teams == {"eng": "crsr_eng", "ops": "crsr_ops"}  # each read with its own key (docs/organization.md)
    assert (settings.organization.organization_id, settings.organization.api_key) == ("org_acme", "crsr_org")
    assert "crsr_org" not in repr(settings) and "crsr_org" in settings.secrets  # masked in Airflow's logs
    only_eng = settings.with_teams(["eng"])  # `--team eng`: that team's own key, not the organization's teams
    assert only_eng.teams == {"eng": "crsr_eng"} and only_eng.organization is None


def test_keys_come_from_dlt_providers_when_the_environment_has_none(tmp_path, monkeypatch):
    (tmp_path / ".dlt").mkdir()
    (tmp_path / ".dlt" / "secrets.toml").write_text('[sources.cursor.api_keys]\neng = "crsr_eng"\ndesign = "crsr_d"\n')
    code = "from cursor_spend.config import load_settings; s = load_settings(); print(sorted(s.teams.items()))"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CURSOR_", "SOURCES__"))}
    env["PROVIDERS__ENABLE_AIRFLOW_SECRETS"] = "false"  # dlt's own setting: no Airflow import (seconds) per process

    def teams(**more: str) -> str:
        run = subprocess.run([sys.executable, "-c", code], env=env | more, cwd=tmp_path, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr[-2000:]
        return run.stdout.strip()

    assert teams() == "[('design', 'crsr_d'), ('eng', 'crsr_eng')]"  # secrets.toml of the working directory
    assert teams(SOURCES__CURSOR__API_KEYS='{"ops": "crsr_ops"}') == "[('ops', 'crsr_ops')]"  # dlt's env names
    assert teams(CURSOR_API_KEY="crsr_env", CURSOR_TEAM="acme") == "[('acme', 'crsr_env')]"  # ours come first
    (tmp_path / ".dlt" / "secrets.toml").write_text('[sources.cursor]\napi_key = "crsr_one"\n')
    assert teams(CURSOR_TEAM="acme") == "[('acme', 'crsr_one')]"


def cli(*args: str, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CURSOR_")}
    return subprocess.run(
        [sys.executable, "-m", "cursor_spend.cli", *args],
        env=base | (env or {}),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_cli_refuses_a_bad_seat_price_from_the_option_and_the_environment(tmp_path):
    option = cli("transform", "--duckdb", str(tmp_path / "w.duckdb"), "--seat-price-usd", "-5")
    assert option.returncode == 2 and "--seat-price-usd" in option.stderr and "is not a seat price" in option.stderr
    env = cli("transform", "--duckdb", str(tmp_path / "w.duckdb"), env={"CURSOR_SEAT_PRICE_USD": "inf"})
    assert env.returncode == 2
    assert env.stderr.strip() == (
        "cursor-spend transform: CURSOR_SEAT_PRICE_USD='inf' is not a seat price: give a monthly price in dollars "
        ">= 0, e.g. 40"
    )
