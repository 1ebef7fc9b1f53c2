"""An Organization API key end to end over HTTP: the simulator's organization of three small teams over ten days,
loaded once with the organization's key and once with the teams' own keys (two module-scoped DuckDB warehouses, the
second built without data tests), compared with the simulator's ground truth and with each other; the pool alert
delivered once; wrong keys refused. The organization's path on PostgreSQL: tests/e2e/test_postgres.py."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from cursor_simulator import Simulator, SimulatorOptions, SimulatorServer, TeamSpec
from cursor_simulator.organization import OrgSpec, organization_of
from cursor_spend.alerts.channels import webhook_channel
from cursor_spend.alerts.delivery import deliver
from cursor_spend.config import load_settings
from cursor_spend.load import check, load
from cursor_spend.transform import run_dbt, transform
from dlt_sources.cursor.errors import CursorConfigurationError
from tests.conftest import END_DATE
from tests.receivers import webhook
from tests.truth import POOL_MARTS, expected_pool_days, expected_usage_costs, mart_pool_days

KEYS = ["crsr_" + c * 64 for c in "DEF"]
ORG_KEY, NARROW_ORG_KEY, LONE_KEY = "crsr_" + "G" * 64, "crsr_" + "H" * 64, "crsr_" + "J" * 64
START = END_DATE - timedelta(days=9)
# what the Organization API cannot read (no audit-log, billing-group, AI Code Tracking or Analytics routes:
# docs/organization.md), and the pool marts and alerts only an organization key has: the marts compared leave these out
GROUP_MARTS = {"rpt_cursor_chargeback_monthly", "fct_cursor_focus_charges", "rpt_cursor_alerts"}
AI_CODE_MARTS = {
    "fct_cursor_ai_commits", "rpt_cursor_adoption_daily", "rpt_cursor_bugbot_costs", "rpt_cursor_commit_costs",
    "rpt_cursor_repo_costs_monthly", "rpt_cursor_user_value_monthly",
}  # fmt: skip
NOT_COMPARED = GROUP_MARTS | AI_CODE_MARTS | POOL_MARTS  # the team keys' warehouse does not build them


@pytest.fixture(scope="module")
def organization() -> SimulatorServer:
    teams, org = organization_of(KEYS, ORG_KEY, members=4, days=10, end_date=END_DATE, pool_runs_out=30)
    lone = TeamSpec(api_key=LONE_KEY, seed=40, members=2, days=10, end_date=END_DATE, domain="lone.io")
    narrow = OrgSpec(api_key=NARROW_ORG_KEY, teams=(lone.resolved_team_id,), scopes=("members:*",))
    simulator = Simulator([*teams, lone], SimulatorOptions(rate_limits=False), organizations=[org, narrow])
    server = SimulatorServer(simulator).start()
    yield server
    server.stop()


def _env(server: SimulatorServer, folder: Path, **keys: str) -> dict:
    return {"CURSOR_API_BASE_URL": server.base_url, "CURSOR_SPEND_DUCKDB": str(folder / "w.duckdb")} | keys


@pytest.fixture(scope="module")
def org_warehouse(organization, tmp_path_factory):
    """The organization's key, loaded and built as every run does (cursor-spend's transform: models and data tests)."""
    org_id = organization.simulator.organization(ORG_KEY).id
    env = _env(organization, tmp_path_factory.mktemp("org"), CURSOR_ORG_API_KEY=ORG_KEY, CURSOR_ORG_ID=org_id)
    settings = load_settings(env)
    load(settings, start_date=START, end_date=END_DATE)
    assert not transform(settings).failed
    return settings


@pytest.fixture(scope="module")
def team_warehouse(organization, tmp_path_factory):
    """The same teams with their own keys, built without dbt's data tests (the organization's build runs them) and
    without the marts not compared."""
    ids = organization.simulator.organization(ORG_KEY).endpoints
    labels = {str(team_id): endpoint.spec.api_key for team_id, endpoint in ids.items()}
    settings = load_settings(_env(organization, tmp_path_factory.mktemp("teams"), CURSOR_API_KEYS=json.dumps(labels)))
    load(settings, start_date=START, end_date=END_DATE)
    built = run_dbt(settings, "build", "--exclude-resource-type", "test", "unit_test", "--exclude", *NOT_COMPARED)
    assert not built.failed
    return settings


def _query(settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_every_team_of_the_organization_equals_the_simulators_ground_truth(organization, org_warehouse):
    rows = _query(
        org_warehouse,
        "select team, user_email, model, charge_type, usage_date, request_count, billed_cost_usd, list_cost_usd "
        "from marts.fct_cursor_costs_daily where charge_type != 'seat'",
    )
    loaded = {(team, *key): [n, billed, listed] for team, *key, n, billed, listed in rows}
    expected = {
        (str(team_id), *key): value
        for team_id, endpoint in organization.simulator.organization(ORG_KEY).endpoints.items()
        for key, value in expected_usage_costs(endpoint.usage, START, END_DATE).items()
    }
    assert {t for t, *_ in expected} == {"10007", "10008", "10009"} and loaded == expected


def _marts(settings, tables: list[str]) -> dict[str, Counter]:
    """Each table's rows (without billing-group columns and the load's time), through one connection."""
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as connection:
        out = {}
        for table in tables:
            names = connection.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ? "
                "order by ordinal_position",
                [table],
            ).fetchall()
            columns = [name for (name,) in names if "group" not in name and name != "source_loaded_at"]
            out[table] = Counter(connection.execute(f"select {', '.join(columns)} from marts.{table}").fetchall())
        return out


def test_marts_are_equal_whichever_key_loaded_them(org_warehouse, team_warehouse):
    tables = _query(team_warehouse, "select table_name from information_schema.tables where table_schema = 'marts'")
    compared = sorted({table for (table,) in tables} - NOT_COMPARED)
    assert len(compared) > 10
    by_org, by_teams = _marts(org_warehouse, compared), _marts(team_warehouse, compared)
    assert [table for table in compared if by_org[table] != by_teams[table]] == []
    assert _query(team_warehouse, "select count(*) from cursor_raw.pooled_usage") == [(0,)]  # no pool without it


def test_pooled_usage_mart_equals_the_simulators_pool(organization, org_warehouse):
    expected = expected_pool_days(organization.simulator.organization(ORG_KEY).pool)
    assert len(expected) == 30 and mart_pool_days(org_warehouse.duckdb_path) == expected


def _projected_run_out(pool) -> object:
    """The forecasts' method in plain Python: the average weekday and weekend day of the loaded days, each day after
    the end date at its class's rate, until what remains is used up."""
    days = pool.days()
    charged = defaultdict(list)
    for before, day in zip(days, days[1:], strict=False):
        charged[day.day.weekday() >= 5].append(day.used_cents - before.used_cents)
    charged[days[0].day.weekday() >= 5].append(days[0].used_cents)
    rate = {weekend: sum(values) / len(values) for weekend, values in charged.items()}
    left, day = days[-1].remaining_cents, days[-1].day
    while left > 0:
        day += timedelta(days=1)
        left -= rate[day.weekday() >= 5]
    return day


def test_the_planted_pool_alert_is_delivered_once(organization, org_warehouse):
    pool = organization.simulator.organization(ORG_KEY).pool
    assert pool.runs_out is not None
    [(projected, status)] = _query(
        org_warehouse, "select projected_run_out_on, status from marts.rpt_cursor_contract_pool_forecast"
    )
    assert (projected, status) == (_projected_run_out(pool), "projected_to_run_out")
    assert END_DATE < projected < pool.contract_end
    with webhook() as receiver:
        for _ in range(2):
            deliver(org_warehouse, [webhook_channel(receiver.url)])
    sent = [alert for alert in receiver.alerts if alert["kind"] == "contract_pool_projected_to_run_out"]
    assert len(sent) == 1 and str(projected) in sent[0]["message"]


def _refusal(server: SimulatorServer, tmp_path: Path, **keys: str) -> str:
    with pytest.raises(CursorConfigurationError) as refused:
        check(load_settings(_env(server, tmp_path, **keys)))
    return str(refused.value)


def test_a_team_key_given_as_the_organizations_is_one_line_naming_it(organization, tmp_path):
    org_id = organization.simulator.organization(ORG_KEY).id
    message = _refusal(organization, tmp_path, CURSOR_ORG_API_KEY=KEYS[0], CURSOR_ORG_ID=org_id)
    assert "\n" not in message and KEYS[0] not in message
    assert message.startswith("CURSOR_ORG_API_KEY") and "team's Admin API key" in message
    assert "Fix: set it as CURSOR_API_KEY" in message


def test_an_organization_key_given_as_a_teams_is_one_line_naming_it(organization, tmp_path):
    message = _refusal(organization, tmp_path, CURSOR_API_KEY=ORG_KEY)
    assert "\n" not in message and ORG_KEY not in message
    assert message.startswith("team 'default'") and "Organization API key" in message
    assert "Fix: set it as CURSOR_ORG_API_KEY" in message


def test_an_organization_key_without_the_usage_scope_is_one_line_naming_it(organization, tmp_path):
    org_id = organization.simulator.organization(NARROW_ORG_KEY).id
    message = _refusal(organization, tmp_path, CURSOR_ORG_API_KEY=NARROW_ORG_KEY, CURSOR_ORG_ID=org_id)
    assert "\n" not in message and NARROW_ORG_KEY not in message
    assert message.startswith("CURSOR_ORG_API_KEY") and "lacks the scope usage:*" in message and "Fix:" in message
