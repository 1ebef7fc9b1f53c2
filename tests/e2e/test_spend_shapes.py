"""The live spend shapes change no mart: the same team extracted and built with the documented ``/teams/spend``
response, with the earlier live shape that still carried ``includedSpendCents``, and with the later one whose
``spendCents`` is overage only (reference §5.2), gives every mart of the schema ``marts`` row for row.

cursor-spend derives included and on-demand usage from the events; the spend snapshot is only compared with them,
through ``overallSpendCents``, which means the same in every shape.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from cursor_simulator import Simulator, SimulatorOptions, TeamSpec, serve
from cursor_spend import load
from cursor_spend.config import load_settings
from cursor_spend.marts.reader import open_reader
from cursor_spend.transform import transform
from tests.conftest import API_KEY, END_DATE
from tests.truth import POOL_MARTS, all_marts

SPEC = TeamSpec(api_key=API_KEY, members=10, days=6, end_date=END_DATE)
SHAPES = {
    "documented": {},
    "included_field": {"spend_included_field": True},
    "overage_only": {"spend_overage_only": True},
}


def _marts(shape: dict, folder) -> tuple[dict, dict]:
    """Every mart (rows) and its column names, for the team served with ``shape``."""
    options = SimulatorOptions(rate_limits=False, **shape)
    with serve(Simulator([SPEC], options)) as server:
        env = {
            "CURSOR_API_KEY": API_KEY,
            "CURSOR_API_BASE_URL": server.base_url,
            "CURSOR_TEAM": "acme",
            "CURSOR_SPEND_DUCKDB": str(folder / "cursor_spend.duckdb"),
        }
        settings = load_settings(env=env)
        load.load(settings, END_DATE - timedelta(days=SPEC.days - 1), END_DATE)
    result = transform(settings)
    assert not result.failed, result.line
    with open_reader(settings.warehouse) as reader:
        columns = {name: reader.columns(f"select * from marts.{name} limit 0")[0] for name in reader.tables("marts")}
    return all_marts(settings.warehouse), columns


@pytest.fixture(scope="module")
def documented(tmp_path_factory):
    return _marts(SHAPES["documented"], tmp_path_factory.mktemp("documented"))


def _differences(rows: dict, expected: dict, columns: dict) -> dict[str, list[str]]:
    """Per mart that differs, the columns whose values differ (or 'rows' when the row counts do)."""
    out = {}
    for mart, wanted in expected.items():
        got = rows.get(mart)
        if got == wanted:
            continue
        if got is None or len(got) != len(wanted):
            out[mart] = ["rows"]
            continue
        pairs = zip(got, wanted, strict=True)
        out[mart] = sorted({columns[mart][i] for a, b in pairs for i in range(len(a)) if a[i] != b[i]})
    return out


@pytest.mark.parametrize("shape", ["included_field", "overage_only"])
def test_every_mart_is_unchanged_by_the_live_spend_shape(documented, shape, tmp_path):
    expected, columns = documented
    assert len(expected) > 10 and all(rows for mart, rows in expected.items() if mart not in POOL_MARTS)
    rows, _ = _marts(SHAPES[shape], tmp_path)
    assert set(rows) == set(expected)
    assert _differences(rows, expected, columns) == {}
