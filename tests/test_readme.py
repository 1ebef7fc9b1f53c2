"""The README and the pages of docs/ name only what exists: commands and their options (the CLI's parser), make
targets, environment variables (the code) and tables (the dbt manifest); and every setting the code has is documented
in the README (the marts and dbt vars in docs/tables.md: tests/dbt/test_table_reference.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cursor_spend.cli import build_parser
from cursor_spend.config import load_settings
from cursor_spend.transform import dbt_dirs, run_dbt

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()
DOCS = README + "".join(page.read_text() for page in sorted((REPO / "docs").glob("*.md")))  # the README and docs/


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def _subcommands() -> dict:
    parser = build_parser()
    return next(action for action in parser._actions if action.dest == "command").choices


def test_the_readme_stays_under_25_kb():
    """What a person reads first; the detail lives in docs/ and the dbt YAML (issue 22)."""
    assert len(README.encode()) < 25_000, "README.md over 25 KB: move detail to a docs/ page"


def test_every_command_and_option_in_the_readme_exists():
    commands = _subcommands()
    code = re.findall(r"```\w*\n(.*?)```", DOCS, re.S) + re.findall(r"`([^`\n]+)`", DOCS)
    named = [found for text in code for found in re.findall(r"cursor-spend ([a-z]+)([^\n]*)", text)]
    assert {"demo", "run", "report", "check", "extract", "simulate"} <= {command for command, _ in named}
    for command, rest in named:
        assert command in commands, f"`cursor-spend {command}` is not a command"
        for option in re.findall(r"(?<![\w-])--[a-z][a-z-]+", rest):
            assert option in commands[command]._option_string_actions, f"`cursor-spend {command} {option}`"


def test_every_make_target_in_the_readme_exists():
    makefile = (REPO / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.M))
    code = re.findall(r"```\w*\n(.*?)```", DOCS, re.S) + re.findall(r"`([^`\n]+)`", DOCS)
    for target in {target for text in code for target in re.findall(r"\bmake ([a-z][\w-]*)", text)}:
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
    for name in set(re.findall(r"\b((?:CURSOR|DLT)_[A-Z_]+)\b", DOCS)):
        assert name in code | compose | dlts_own, f"the README names {name}, which nothing reads"
    table = _section("Configuration")
    for name in code:
        assert f"| `{name}` |" in table, f"{name} is read by the code but missing from the configuration reference"


def test_documented_defaults_are_the_code_defaults():
    settings = load_settings(env={})
    table = _section("Configuration")
    assert settings.seat_price_usd is None and "| `CURSOR_SEAT_PRICE_USD` | none |" in table  # the dbt var's
    assert settings.lock_timeout is None and "| `CURSOR_SPEND_LOCK_TIMEOUT` | none |" in table  # the dbt var's
    assert settings.reader_roles == () and "| `CURSOR_SPEND_READER_ROLES` | none |" in table
    for name, value in {
        "CURSOR_LOOKBACK_DAYS": settings.lookback_days,
        "CURSOR_INITIAL_DAYS": settings.initial_days,
        "CURSOR_RATE_LIMIT_WINDOW": settings.rate_limit_window,
        "CURSOR_SPEND_LOCK_WAIT": settings.lock_wait,
    }.items():
        assert f"| `{name}` | `{value:g}` |" in table
    assert f"| `CURSOR_SPEND_DUCKDB` | `{settings.duckdb_path}` |" in table
    assert f"| `CURSOR_SPEND_DUCKDB_MEMORY_LIMIT` | `{settings.duckdb_memory_limit}` |" in table
    assert f"| `CURSOR_API_BASE_URL` | `{settings.base_url}` |" in table


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("dbt_target")
    settings = load_settings(env={"CURSOR_SPEND_DUCKDB": str(folder / "unused.duckdb")})
    run_dbt(settings, "parse")
    return json.loads((dbt_dirs(settings)[0] / "manifest.json").read_text())


def test_tables_in_the_readme_and_docs_exist(manifest):
    models = {node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    raw = {node["name"] for node in manifest["sources"].values()}
    for name in set(re.findall(r"\b((?:fct|dim|rpt|stg|int)_cursor\w*)", DOCS)):
        assert name in models, f"the README or docs name the model {name}, which the dbt project does not have"
    for name in re.findall(r"`([a-z_]+)`", README[README.index("`cursor_raw` (dlt: ") + 18 :].split(")", 1)[0]):
        assert name in raw, f"the README names the raw table {name}, which is not a dbt source"
    assert "(docs/tables.md)" in _section("Tables"), "the README's Tables section links the table reference"


def test_the_alert_severity_table_of_docs_alerts_is_the_dbt_vars_defaults():
    from docs.table_reference import dbt_vars

    defaults = {name: default for name, default, _ in dbt_vars()}
    page = (REPO / "docs" / "alerts.md").read_text()
    rows = re.findall(r"^\| `([a-z_]+)` \| (action|warning|information) \| (send|digest|off) \|", page, re.M)
    assert {kind: severity for kind, severity, _ in rows} == defaults["alert_severity"]
    assert all(defaults["alert_delivery"][severity] == mode for _, severity, mode in rows)
    assert defaults["alert_delivery_by_kind"] == {}
