"""The README names only what exists: commands and their options (the CLI's parser), make targets, environment
variables (the code), dbt vars (dbt_project.yml) and tables (the dbt manifest); and every mart, variable and
setting the code has is documented there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from cursor_spend.cli import build_parser
from cursor_spend.config import load_settings
from cursor_spend.transform import dbt_dirs, run_dbt

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def _subcommands() -> dict:
    parser = build_parser()
    return next(action for action in parser._actions if action.dest == "command").choices


def test_every_command_and_option_in_the_readme_exists():
    commands = _subcommands()
    code = re.findall(r"```\w*\n(.*?)```", README, re.S) + re.findall(r"`([^`\n]+)`", README)
    named = [found for text in code for found in re.findall(r"cursor-spend ([a-z]+)([^\n]*)", text)]
    assert {"demo", "run", "report", "check", "extract", "simulate"} <= {command for command, _ in named}
    for command, rest in named:
        assert command in commands, f"`cursor-spend {command}` is not a command"
        for option in re.findall(r"(?<![\w-])--[a-z][a-z-]+", rest):
            assert option in commands[command]._option_string_actions, f"`cursor-spend {command} {option}`"


def test_every_make_target_in_the_readme_exists():
    makefile = (REPO / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.M))
    for target in set(re.findall(r"\bmake ([a-z][\w-]*)", README)):
        assert target in targets, f"`make {target}`"


def _code_variables() -> set[str]:
    sources = [*REPO.glob("cursor_spend/**/*.py"), *REPO.glob("dags/*.py"), *REPO.glob("dlt_sources/**/*.py")]
    sources.append(REPO / "dbt_project" / "profiles.yml")
    found = set()
    for path in sources:
        found |= set(re.findall(r"""["']((?:CURSOR|DLT)_[A-Z_]+)["']""", path.read_text()))
    return found


def test_environment_variables_in_the_readme_are_read_by_the_code_and_all_are_documented():
    code = _code_variables()
    compose = set(re.findall(r"\b(CURSOR_[A-Z_]+)", (REPO / "docker-compose.yml").read_text()))
    assert {"CURSOR_API_KEY", "CURSOR_SPEND_DUCKDB", "CURSOR_SEAT_PRICE_USD"} <= code
    dlts_own = {"DLT_PROJECT_DIR"}  # read by dlt itself, documented because keys may live in its folder
    for name in set(re.findall(r"\b((?:CURSOR|DLT)_[A-Z_]+)\b", README)):
        assert name in code | compose | dlts_own, f"the README names {name}, which nothing reads"
    table = _section("Configuration")
    for name in code:
        assert f"| `{name}` |" in table, f"{name} is read by the code but missing from the configuration reference"


def test_documented_defaults_are_the_code_defaults():
    settings = load_settings(env={})
    table = _section("Configuration")
    assert settings.seat_price_usd is None and "| `CURSOR_SEAT_PRICE_USD` | none |" in table  # the dbt var's
    for name, value in {
        "CURSOR_LOOKBACK_DAYS": settings.lookback_days,
        "CURSOR_INITIAL_DAYS": settings.initial_days,
        "CURSOR_RATE_LIMIT_WINDOW": settings.rate_limit_window,
    }.items():
        assert f"| `{name}` | `{value:g}` |" in table
    assert f"| `CURSOR_SPEND_DUCKDB` | `{settings.duckdb_path}` |" in table
    assert f"| `CURSOR_SPEND_DUCKDB_MEMORY_LIMIT` | `{settings.duckdb_memory_limit}` |" in table
    assert f"| `CURSOR_API_BASE_URL` | `{settings.base_url}` |" in table


def test_every_dbt_var_is_documented_with_its_default():
    variables = yaml.safe_load((REPO / "dbt_project" / "dbt_project.yml").read_text())["vars"]
    table = _section("Configuration")
    for name, default in variables.items():
        shown = json.dumps(default) if isinstance(default, list | dict) else default
        assert f"| `{name}` | `{shown}` |" in table, name


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("dbt_target")
    settings = load_settings(env={"CURSOR_SPEND_DUCKDB": str(folder / "unused.duckdb")})
    run_dbt(settings, "parse")
    return json.loads((dbt_dirs(settings)[0] / "manifest.json").read_text())


def test_tables_in_the_readme_exist_and_every_mart_is_documented_with_its_columns(manifest):
    models = {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    raw = {node["name"] for node in manifest["sources"].values()}
    for name in set(re.findall(r"\b((?:fct|dim|rpt|stg|int)_cursor\w*)", README)):
        assert name in models, f"the README names the model {name}, which the dbt project does not have"
    for name in re.findall(r"`([a-z_]+)`", README[README.index("`cursor_raw` (dlt: ") + 18 :].split(")", 1)[0]):
        assert name in raw, f"the README names the raw table {name}, which is not a dbt source"

    tables = _section("Tables")
    marts = {name: node for name, node in models.items() if node["fqn"][1] == "marts"}
    assert len(marts) == 19
    for name, node in marts.items():
        assert f"\n### `{name}`\n" in tables, f"mart {name} is missing from the table reference"
        section = tables.split(f"\n### `{name}`\n", 1)[1].split("\n### ", 1)[0]
        documented = re.findall(r"^\| `(\w+)` \|", section, re.M)
        assert documented == list(node["columns"]), f"{name}: the README's columns differ from the dbt docs"
