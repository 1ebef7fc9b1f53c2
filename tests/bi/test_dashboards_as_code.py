"""The dashboards as code (bi/superset/dashboards, Superset's export layout) hold together and keep business logic
out of Superset: datasets select from marts only, metrics only sum one column over rows the dataset selects, every
chart's saved query (its /data/ answer) asks what its form shows, and the bundle is what `import-dashboards` reads."""

from __future__ import annotations

import json
import re
import runpy
import zipfile

import pytest
import yaml

from tests.bi.superset import BI, REPO

ASSETS = BI / "superset" / "dashboards"
MARTS = {path.stem for path in (REPO / "dbt_project" / "models").rglob("*.sql")} - {"dim_cursor_days"}


def _load(folder: str) -> dict[str, dict]:
    return {
        str(path.relative_to(ASSETS)): yaml.safe_load(path.read_text()) for path in ASSETS.glob(f"{folder}/**/*.yaml")
    }


@pytest.fixture(scope="module")
def assets() -> dict[str, dict[str, dict]]:
    return {folder: _load(folder) for folder in ("databases", "datasets", "charts", "dashboards")}


def test_the_bundle_has_one_top_folder_and_the_connection_it_is_given(tmp_path, assets):
    bundle = runpy.run_path(str(BI / "superset" / "bundle.py"))["bundle"]
    uri = "postgresql+psycopg2://cursor_spend_reader:secret@db.internal:5432/analytics"
    with zipfile.ZipFile(bundle(tmp_path / "dashboards.zip", uri)) as archive:
        names = archive.namelist()
        assert {name.split("/", 1)[0] for name in names} == {"cursor_spend_dashboards"}
        assert len(names) == 1 + sum(len(files) for files in assets.values())
        metadata = yaml.safe_load(archive.read("cursor_spend_dashboards/metadata.yaml"))
        assert metadata == metadata | {"version": "1.0.0", "type": "Dashboard"}
        (database,) = [name for name in names if "/databases/" in name]
        assert yaml.safe_load(archive.read(database))["sqlalchemy_uri"] == uri
    (stored,) = assets["databases"].values()
    assert ":XXXXXXXXXX@" in stored["sqlalchemy_uri"]  # the repository holds no password


def test_datasets_select_from_marts_only_and_metrics_only_sum_a_column(assets):
    (database,) = assets["databases"].values()
    for name, dataset in assets["datasets"].items():
        assert dataset["database_uuid"] == database["uuid"] and dataset["schema"] == "marts", name
        if dataset["sql"]:
            tables = re.findall(r"\b(?:from|join)\s+([\w.]+)", dataset["sql"], re.I)
            assert tables and all(t.startswith("marts.") and t.split(".")[1] in MARTS for t in tables), (name, tables)
        else:
            assert dataset["table_name"] in MARTS, name
        columns = {column["column_name"] for column in dataset["columns"]}
        for metric in dataset["metrics"]:
            summed = re.fullmatch(r"SUM\((\w+)\)", metric["expression"])
            assert summed and summed.group(1) in columns, (name, metric["expression"])


def _query_asks_what_the_form_shows(params: dict, query: dict) -> None:
    if params["viz_type"] == "table":
        assert query["columns"] == params["all_columns"] and query["metrics"] == []
        assert query["orderby"] == [json.loads(order) for order in params["order_by_cols"]]
        filters = [(f["subject"], f["operator"], f["comparator"]) for f in params["adhoc_filters"]]
        assert [(f["col"], f["op"], f["val"]) for f in query["filters"]] == filters
    elif params["viz_type"] == "big_number_total":
        assert query["metrics"] == [params["metric"]] and query["columns"] == []
    else:  # a time series: the x axis at its time grain, then the series columns
        axis, *series = query["columns"]
        assert (axis["sqlExpression"], axis["timeGrain"]) == (params["x_axis"], params["time_grain_sqla"])
        assert series == params["groupby"] and query["metrics"] == params["metrics"]


def test_every_chart_is_on_a_dashboard_and_its_saved_query_asks_what_its_form_shows(assets):
    datasets = {dataset["uuid"]: dataset for dataset in assets["datasets"].values()}
    charts = {chart["uuid"]: chart for chart in assets["charts"].values()}
    placed = [
        item["meta"]
        for dashboard in assets["dashboards"].values()
        for item in dashboard["position"].values()
        if isinstance(item, dict) and item.get("type") == "CHART"
    ]
    assert sorted(meta["uuid"] for meta in placed) == sorted(charts)  # each chart once, none missing
    assert all(charts[meta["uuid"]]["slice_name"] == meta["sliceName"] for meta in placed)
    for chart in charts.values():
        dataset = datasets[chart["dataset_uuid"]]
        names = {c["column_name"] for c in dataset["columns"]} | {m["metric_name"] for m in dataset["metrics"]}
        context = json.loads(chart["query_context"])
        assert context["form_data"] == chart["params"] and chart["params"]["viz_type"] == chart["viz_type"]
        (query,) = context["queries"]
        _query_asks_what_the_form_shows(chart["params"], query)
        used = [c if isinstance(c, str) else c["sqlExpression"] for c in query["columns"]] + query["metrics"]
        assert set(used) <= names, (chart["slice_name"], set(used) - names)
    slugs = [dashboard["slug"] for dashboard in assets["dashboards"].values()]
    assert sorted(slugs) == ["cursor-spend-budgets", "cursor-spend-chargeback", "cursor-spend-overview"]


def test_the_analysts_guide_names_every_dashboard_and_its_address(assets):
    guide = (REPO / "docs" / "analysts.md").read_text()
    for dashboard in assets["dashboards"].values():
        assert dashboard["dashboard_title"] in guide and f"/superset/dashboard/{dashboard['slug']}/" in guide
