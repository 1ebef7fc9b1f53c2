"""The dbt project's folders state the build order (``dbt_project/models/overview.md``): staging, then intermediate,
then the core facts and dimensions, then reporting by domain. A model's folder is its layer and says its warehouse
schema and its name; no model reads a model of a later layer, and only staging reads the raw sources."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from cursor_spend.marts import DBT_SCHEMAS
from dlt_sources.cursor.ai_code_schema import AI_CODE_TABLES
from docs.table_reference import parse_manifest

# folder under models/ -> (place in the build order, warehouse schema, name prefixes)
LAYERS = {
    "staging": (0, "staging", ("stg_",)),
    "intermediate": (1, "intermediate", ("int_",)),
    "marts/core": (2, "marts", ("dim_", "fct_")),
    "marts/reporting": (3, "marts", ("rpt_", "fct_")),  # fct_: a dataset in a standard's shape (FOCUS)
}
SEED = 0  # seeds (seat prices, budgets) are data like the raw sources: any layer may read them


@pytest.fixture(scope="module")
def models() -> dict[str, dict]:
    manifest = parse_manifest()
    return {key: node for key, node in manifest["nodes"].items() if node["resource_type"] == "model"}


def layer_of(node: dict) -> str:
    """The layer folder a model's file is in (models/<layer>/...), or its own folder when it is in none."""
    folder = PurePosixPath(node["original_file_path"]).parent.relative_to("models")
    return next((layer for layer in LAYERS if folder.is_relative_to(layer)), str(folder))


def rank(key: str, models: dict[str, dict]) -> int:
    """A model's place in the build order (a model in no layer folder counts as reporting: the first test names it)."""
    return LAYERS.get(layer_of(models[key]), LAYERS["marts/reporting"])[0] if key in models else SEED


def test_every_model_is_in_a_layer_folder_with_that_layers_schema_and_name(models):
    for node in models.values():
        layer = layer_of(node)
        assert layer in LAYERS, f"{node['original_file_path']} is in no layer folder ({', '.join(LAYERS)})"
        _, schema, prefixes = LAYERS[layer]
        assert node["schema"] == schema, f"{node['name']} is in models/{layer}/ but builds into schema {node['schema']}"
        assert node["name"].startswith(prefixes), f"{node['name']} in models/{layer}/ is not named {prefixes}"


def test_reporting_models_are_in_a_domain_folder(models):
    for node in models.values():
        if layer_of(node) == "marts/reporting":
            domain = PurePosixPath(node["original_file_path"]).parent
            assert domain.parent.name == "reporting", f"{node['original_file_path']}: models/marts/reporting/<domain>/"


def test_no_model_reads_a_model_of_a_later_layer(models):
    upward = [
        f"{node['name']} ({layer_of(node)}) reads {models[parent]['name']} ({layer_of(models[parent])})"
        for key, node in models.items()
        for parent in node["depends_on"]["nodes"]
        if parent.startswith(("model.", "seed.")) and rank(parent, models) > rank(key, models)
    ]
    assert not upward, "\n".join(upward)


def test_only_staging_models_read_the_raw_sources(models):
    readers = [
        node["name"]
        for node in models.values()
        if layer_of(node) != "staging" and any(parent.startswith("source.") for parent in node["depends_on"]["nodes"])
    ]
    assert not readers, f"read a source() outside models/staging/: {readers}"


def test_the_schemas_the_build_writes_are_the_ones_its_check_and_lock_name():
    """cursor_spend.marts.DBT_SCHEMAS: what `check` tries to create and the writer lock's key names."""
    manifest = parse_manifest()
    built = {node["schema"] for node in manifest["nodes"].values() if node["resource_type"] in ("model", "seed")}
    assert built == set(DBT_SCHEMAS)


def test_only_the_ai_code_marts_read_the_ai_code_tables(models):
    """A plan without the AI Code Tracking and Analytics APIs leaves every other mart as it was: none of them reads
    those tables, however far upstream."""
    sources = {f"source.cursor_spend.cursor.{table.name}" for table in AI_CODE_TABLES}

    def upstream(key: str, seen: set[str]) -> set[str]:
        for parent in models[key]["depends_on"]["nodes"] if key in models else ():
            if parent not in seen:
                seen.add(parent)
                upstream(parent, seen)
        return seen

    readers = {
        node["name"] for key, node in models.items() if node["schema"] == "marts" and upstream(key, set()) & sources
    }
    assert readers == {"fct_cursor_ai_commits"} | {
        node["name"] for node in models.values() if "/reporting/ai_code/" in node["original_file_path"]
    }


def test_every_unit_test_name_fits_a_postgresql_identifier():
    """dbt names a unit test's relation after it: PostgreSQL cuts identifiers at 63 bytes and the test then fails."""
    long = [test["name"] for test in parse_manifest().get("unit_tests", {}).values() if len(test["name"]) > 63]
    assert not long, f"unit test names over 63 characters: {long}"
