"""The table reference, ``docs/tables.md``, written from the dbt project's manifest: the project's overview (its
layers), every model of every layer with its description and, for the marts and seeds, every column with its type
and description, as the dbt YAML says them (the YAML beside the models is the one place a column is described).
``python -m docs.table_reference`` (``make docs``) rewrites the page; ``tests/dbt/test_table_reference.py`` fails
while it is out of date.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path, PurePosixPath

import yaml

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO / "dbt_project"
PAGE = REPO / "docs" / "tables.md"
HEADER = """# Table reference

Written by `python -m docs.table_reference` (`make docs`) from the dbt project's YAML, the one place a table or a
column is described: edit the YAML beside the model, then run the command (a test fails while this page is out of
date). `dbt docs generate` renders the same descriptions with the lineage graph.
"""


def parse_manifest(project: Path = DBT_PROJECT) -> dict:
    """dbt's manifest of ``project`` (``dbt parse`` into a temporary folder: no warehouse is opened)."""
    with tempfile.TemporaryDirectory() as folder:
        dbt = Path(sys.executable).with_name("dbt")
        command = [str(dbt), "parse", "--project-dir", str(project), "--profiles-dir", str(project)]
        command += ["--target-path", folder, "--log-path", folder, "--no-partial-parse", "--quiet"]
        env = os.environ | {"CURSOR_SPEND_DUCKDB": str(Path(folder) / "unused.duckdb"), "CURSOR_SPEND_WAREHOUSE": ""}
        env |= {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"dbt parse failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        return json.loads((Path(folder) / "manifest.json").read_text())


def _cell(text: str) -> str:
    """A description as one table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def _folder(node: dict) -> str:
    return str(PurePosixPath(node["original_file_path"]).parent) + "/"


def _grain(node: dict, manifest: dict) -> str | None:
    """The columns of the model's first unique_combination test: one row per ..."""
    for test in manifest["nodes"].values():
        metadata = test.get("test_metadata") or {}
        if test.get("attached_node") == node["unique_id"] and metadata.get("name") == "unique_combination":
            return ", ".join(column.strip('"') for column in metadata["kwargs"]["columns"])
    return None


def _columns(node: dict) -> list[str]:
    rows = ["| Column | Type | Description |", "|---|---|---|"]
    for column in node["columns"].values():
        rows.append(f"| `{column['name']}` | {column.get('data_type') or ''} | {_cell(column['description'])} |")
    return rows


def _described(node: dict) -> list[str]:
    return [f"### `{node['name']}`", "", node["description"].strip(), ""]


def _table(node: dict, manifest: dict) -> list[str]:
    lines = _described(node)
    grain = _grain(node, manifest)
    if grain:
        lines += [f"Grain: one row per {grain}.", ""]
    return lines + _columns(node) + [""]


COMMENTED = r"((?:^  # .*\n)+)^  (\w+):"  # a var with the comment lines above it


def dbt_vars(project: Path = DBT_PROJECT) -> list[tuple[str, object, str]]:
    """(name, default, meaning) of every var of dbt_project.yml; a var's meaning is the comment line(s) above it."""
    text = (project / "dbt_project.yml").read_text()
    defaults = yaml.safe_load(text)["vars"]
    block = text.split("\nvars:\n", 1)[1]
    meanings = {name: " ".join(re.findall(r"# (.*)", comment)) for comment, name in re.findall(COMMENTED, block, re.M)}
    return [(name, default, meanings.get(name, "")) for name, default in defaults.items()]


def _vars(project: Path) -> list[str]:
    rows = ["## dbt vars", "", "Defaults and meanings from `dbt_project/dbt_project.yml` (the comment above each var)."]
    rows += ["Set them with `CURSOR_SPEND_DBT_VARS` for cursor-spend, or `--vars` when running dbt yourself.", ""]
    rows += ["| Var | Default | Meaning |", "|---|---|---|"]
    for name, default, meaning in dbt_vars(project):
        shown = json.dumps(default) if isinstance(default, list | dict) else default
        rows.append(f"| `{name}` | `{shown}` | {_cell(meaning)} |")
    return rows + [""]


def _folder_map(folders: list[str], by_folder: dict[str, list[dict]]) -> list[str]:
    rows = ["## Folders, schemas and models", "", "| Folder | Schema | Models |", "|---|---|---|"]
    for folder in folders:
        names = ", ".join(f"`{node['name']}`" for node in by_folder[folder])
        rows.append(f"| `{folder}` | `{by_folder[folder][0]['schema']}` | {names} |")
    return rows + [""]


def render(manifest: dict, project: Path = DBT_PROJECT) -> str:
    """The page, from a manifest: the same project gives the same text."""
    models = sorted(
        (node for node in manifest["nodes"].values() if node["resource_type"] == "model"),
        key=lambda node: (_folder(node), node["name"]),
    )
    by_folder: dict[str, list[dict]] = defaultdict(list)
    for node in models:
        by_folder[_folder(node)].append(node)
    order = {"staging": 0, "intermediate": 1, "marts": 2}  # the build order; a folder not listed comes last
    folders = sorted(by_folder, key=lambda folder: (order.get(folder.split("/")[1], len(order)), folder))
    overview = manifest["docs"]["doc.cursor_spend.__overview__"]["block_contents"].strip()
    lines = [HEADER, "## " + overview.removeprefix("# "), ""] + _folder_map(folders, by_folder)
    for folder in (folder for folder in folders if folder.startswith("models/marts/")):
        lines += [f"## Marts of `{folder}` (schema `marts`)", ""]
        for node in by_folder[folder]:
            lines += _table(node, manifest)
    lines += _vars(project)
    seeds = sorted((n for n in manifest["nodes"].values() if n["resource_type"] == "seed"), key=lambda n: n["name"])
    lines += ["## Seeds (`dbt_project/seeds/`, schema `staging`)", ""]
    for seed in seeds:
        lines += _described(seed) + _columns(seed) + [""]
    for schema in ("intermediate", "staging"):
        lines += [f"## {schema.capitalize()} models (schema `{schema}`)", ""]
        lines += [line for node in models if node["schema"] == schema for line in _described(node)]
    sources = sorted(manifest["sources"].values(), key=lambda source: source["name"])
    lines += ["## Raw tables (schema `cursor_raw`, loaded by dlt)", "", "| Table | Description |", "|---|---|"]
    lines += [f"| `{source['name']}` | {_cell(source['description'])} |" for source in sources]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    PAGE.write_text(render(parse_manifest()))
    print(f"wrote {PAGE.relative_to(REPO)}")


if __name__ == "__main__":
    main()
