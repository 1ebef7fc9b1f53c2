"""The table reference, docs/tables.md, is written from the dbt project (tables and columns from the YAML beside the
models, dbt vars from dbt_project.yml) and kept current; every mart, each of its columns and every dbt var is there
with a description."""

from __future__ import annotations

import json
import re

import pytest

from docs.table_reference import PAGE, dbt_vars, parse_manifest, render


@pytest.fixture(scope="module")
def manifest() -> dict:
    return parse_manifest()


@pytest.fixture(scope="module")
def page() -> str:
    return PAGE.read_text()


def test_the_table_reference_is_current(manifest, page):
    assert page == render(manifest), "docs/tables.md is out of date: run `make docs` (python -m docs.table_reference)"


def _section(page: str, name: str) -> str:
    return re.split(r"\n##+ ", page.split(f"\n### `{name}`\n", 1)[1], maxsplit=1)[0]


def test_every_mart_is_documented_with_every_column_and_its_type(manifest, page):
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    marts = {node["name"]: node for node in models if node["schema"] == "marts"}
    files = {path.stem for path in (PAGE.parent.parent / "dbt_project" / "models" / "marts").rglob("*.sql")}
    assert set(marts) == files and len(files) >= 20  # every model of models/marts/ is a mart of schema marts
    for name, node in marts.items():
        assert f"\n### `{name}`\n" in page, f"mart {name} is missing from the table reference"
        assert node["description"].strip(), f"{name} has no description"
        documented = re.findall(r"^\| `(\w+)` \| (\S[^|]*) \| (\S.*) \|$", _section(page, name), re.M)
        assert [column for column, _, _ in documented] == list(node["columns"]), f"{name}: column, type or description"


def test_every_dbt_var_is_documented_with_its_default(page):
    variables = dbt_vars()
    assert len(variables) == 26
    for name, default, meaning in variables:
        shown = json.dumps(default) if isinstance(default, list | dict) else default
        assert meaning, f"var {name} has no comment above it in dbt_project.yml"
        assert f"| `{name}` | `{shown}` | " in page, name
