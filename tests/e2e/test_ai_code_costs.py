"""What the spend bought, end to end over HTTP: the simulator, cursor-spend's extract and transform, on DuckDB and on
PostgreSQL. Per commit and per repository-month the linked and allocated costs equal the simulator's ground truth
(``simulator.team().ai_code.costs()``) to a billionth of a dollar, and the rule restated from the raw tables
(tests/truth.py) agrees; a team-month's repositories and '(unattributed)' add up exactly to the fact's usage; the
adoption mart's spend equals the monthly spend mart; both warehouses build the new marts row for row the same,
though DuckDB is filled by a load, a backfill and a rerun and PostgreSQL by one load."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from cursor_simulator import Scenario, Simulator, SimulatorOptions, TeamSpec, serve
from cursor_spend.config import load_settings
from cursor_spend.load import load
from cursor_spend.transform import transform
from dlt_sources.cursor.ai_code_schema import AI_CODE_TABLES
from tests.conftest import API_KEY, END_DATE
from tests.truth import NO_REPOSITORY, all_marts, query, restated_ai_code_costs

DAYS = 40  # 2026-10-12 .. 2026-11-20: two calendar months, two 30-day requests
FIRST = END_DATE - timedelta(days=DAYS - 1)
SPEC = TeamSpec(
    api_key=API_KEY, seed=3, members=10, days=DAYS, end_date=END_DATE,  # seed 3: two members in privacy mode
    scenarios=(Scenario("migration", repo=1, day=12), Scenario("no_commits", 6)),
)  # fmt: skip
TEAM = "acme"
NEW_MARTS = ("fct_cursor_ai_commits", "rpt_cursor_commit_costs", "rpt_cursor_repo_costs_monthly",
             "rpt_cursor_adoption_daily", "rpt_cursor_user_value_monthly", "rpt_cursor_bugbot_costs")  # fmt: skip
TOLERANCE = Fraction(1, 10**9)  # each split is exact to 1e-11; a commit takes a few dozen of them
MIDDLE = END_DATE - timedelta(days=DAYS // 2)
# DuckDB reads the later days, a backfill of the earlier ones, then a rerun over both (commit details and ranges
# read again); PostgreSQL reads the period at once: the same marts row for row say reruns and backfills change nothing
LOADS = {
    "duckdb": ((MIDDLE + timedelta(days=1), END_DATE), (FIRST, MIDDLE), (MIDDLE - timedelta(days=9), END_DATE)),
    "postgres": ((FIRST, END_DATE),),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory, postgres_server):
    """The team extracted over HTTP (LOADS) and transformed into DuckDB and into PostgreSQL;
    (usage, {kind: warehouse})."""
    root = tmp_path_factory.mktemp("ai_code")
    warehouses = {}
    with serve(Simulator([SPEC], SimulatorOptions(rate_limits=False))) as server:
        for kind, url in (("duckdb", ""), ("postgres", postgres_server.database())):
            env = {"CURSOR_API_KEY": API_KEY, "CURSOR_TEAM": TEAM, "CURSOR_API_BASE_URL": server.base_url,
                   "CURSOR_SPEND_DUCKDB": str(root / kind / "w.duckdb"), "CURSOR_SPEND_WAREHOUSE": url}  # fmt: skip
            settings = load_settings(env=env)
            for start, end in LOADS[kind]:
                load(settings, start, end)
            result = transform(settings)
            assert not result.failed and result.statuses["warn"] == 0, result.line
            warehouses[kind] = settings.warehouse
        yield server.simulator.team(), warehouses


def _close(got: Decimal, expected: Fraction) -> bool:
    return abs(Fraction(got) - expected) <= TOLERANCE


@pytest.mark.parametrize("kind", ["duckdb", "postgres"])
def test_each_commits_linked_and_allocated_costs_equal_the_simulators(built, kind):
    usage, warehouses = built
    truth = usage.ai_code.costs(linked=True, attribution_days=7)
    rows = query(
        warehouses[kind],
        "select commit_hash, linked_cost_usd, allocated_cost_usd, linked_billed_cost_usd, allocated_billed_cost_usd "
        "from marts.rpt_cursor_commit_costs",
    )
    assert {h for h, *_ in rows} == set(truth.commits)
    for hash_text, *figures in rows:
        costs = truth.commits[hash_text]
        expected = (costs.linked.usage, costs.allocated.usage, costs.linked.billed, costs.allocated.billed)
        assert all(_close(g, e) for g, e in zip(figures, expected, strict=True)), hash_text
    assert sum(f[0] for _, *f in rows) > 0 and sum(f[1] for _, *f in rows) > 0  # both methods at work


@pytest.mark.parametrize("kind", ["duckdb", "postgres"])
def test_each_repository_months_costs_and_the_unattributed_equal_the_simulators(built, kind):
    usage, warehouses = built
    truth = usage.ai_code.costs()
    rows = query(
        warehouses[kind],
        "select cast(usage_month as varchar), repository, linked_cost_usd, allocated_cost_usd, unattributed_cost_usd, "
        "linked_billed_cost_usd + allocated_billed_cost_usd + unattributed_billed_cost_usd "
        f"from marts.rpt_cursor_repo_costs_monthly where team = '{TEAM}'",
    )
    marts = {(month[:7], repo): figures for month, repo, *figures in rows}
    for (month, repo), (linked, allocated, unattributed, billed) in marts.items():
        if repo == "(unattributed)":
            amounts = truth.unattributed.get(month)
            assert _close(unattributed, amounts.usage if amounts else 0), month
            assert _close(billed, amounts.billed if amounts else 0), month
            continue
        costs = truth.repositories.get((month, repo))
        expected = (costs.linked.usage, costs.allocated.usage, costs.total.billed) if costs else (0, 0, 0)
        assert all(_close(g, e) for g, e in zip((linked, allocated, billed), expected, strict=True)), (month, repo)
    assert set(truth.repositories) <= set(marts) and NO_REPOSITORY in {repo for _, repo in truth.repositories}


def test_the_rule_restated_from_the_raw_tables_agrees_with_the_marts_and_the_simulator(built):
    usage, warehouses = built
    restated = restated_ai_code_costs(warehouses["duckdb"])
    truth = usage.ai_code.costs()
    for hash_text, c in truth.commits.items():  # exactly, as fractions
        expected = [c.linked.usage, c.allocated.usage, c.linked.billed, c.allocated.billed]
        assert restated.commits.get((TEAM, hash_text), [Fraction(0)] * 4) == expected, hash_text
    assert {h for _, h in restated.commits} <= set(truth.commits)
    marts = query(
        warehouses["duckdb"],
        "select commit_hash, linked_cost_usd, allocated_cost_usd from marts.rpt_cursor_commit_costs",
    )
    for hash_text, linked, allocated in marts:
        expected = restated.commits.get((TEAM, hash_text), [Fraction(0)] * 4)
        assert _close(linked, expected[0]) and _close(allocated, expected[1]), hash_text


@pytest.mark.parametrize("kind", ["duckdb", "postgres"])
def test_repositories_and_unattributed_add_up_to_the_facts_usage_of_each_month_exactly(built, kind):
    _, warehouses = built
    repositories = query(
        warehouses[kind],
        "select team, usage_month, sum(cost_usd), sum(billed_cost_usd), count(*) filter (where is_unattributed) "
        "from marts.rpt_cursor_repo_costs_monthly group by team, usage_month",
    )
    fact = query(
        warehouses[kind],
        "select team, cast(date_trunc('month', cast(usage_date as timestamp)) as date), sum(list_cost_usd), "
        "sum(billed_cost_usd) "
        "from marts.fct_cursor_costs_daily where charge_type != 'seat' group by 1, 2",
    )
    months = {(team, month): (usage_usd, billed) for team, month, usage_usd, billed in fact}
    assert len(months) == 2
    for team, month, usage_usd, billed, unattributed_rows in repositories:
        if team != "*":
            assert (usage_usd, billed) == months[(team, month)] and unattributed_rows == 1


def test_adoptions_spend_equals_the_monthly_spend_mart(built):
    _, warehouses = built
    adoption = query(
        warehouses["duckdb"],
        "select team, date_trunc('month', usage_date), sum(seats_usd), sum(on_demand_usd), sum(total_usd), "
        "max(cursor_dau), sum(ai_lines_committed) from marts.rpt_cursor_adoption_daily group by 1, 2",
    )
    monthly = query(
        warehouses["duckdb"],
        "select team, usage_month, seats_usd, on_demand_usd, total_usd from marts.rpt_cursor_monthly_spend",
    )
    assert sorted(tuple(r[2:5]) for r in adoption) == sorted(tuple(r[2:5]) for r in monthly)
    assert all(dau > 0 and committed > 0 for *_, dau, committed in adoption)


def test_postgres_and_duckdb_build_the_new_marts_row_for_row_though_duckdb_was_backfilled_and_rerun(built):
    _, warehouses = built
    on_duckdb, on_postgres = all_marts(warehouses["duckdb"]), all_marts(warehouses["postgres"])
    for mart in NEW_MARTS:
        assert on_duckdb[mart] and on_postgres[mart] == on_duckdb[mart], mart


@pytest.mark.parametrize("table", ["ai_commits", "ai_commit_ranges", "analytics_dau", "analytics_user_tabs",
                                   "bugbot_reviews"])  # fmt: skip
def test_a_backfill_and_a_rerun_with_commit_details_leave_the_raw_rows_of_one_load(built, table):
    _, warehouses = built
    columns = next(t.columns for t in AI_CODE_TABLES if t.name == table)  # not when it was read, nor JSON
    selected = [  # timestamps as UTC text: the warehouses' drivers give different time zone objects
        f"cast({c.name} at time zone 'UTC' as varchar)" if c.type == "timestamp" else c.name
        for c in columns
        if c.type != "json" and c.name != "extracted_at"
    ]
    select = f"select {', '.join(selected)} from cursor_raw.{table}"
    on_duckdb, on_postgres = (
        sorted(tuple(map(str, row)) for row in query(warehouses[kind], select)) for kind in ("duckdb", "postgres")
    )
    assert on_duckdb and on_duckdb == on_postgres


def test_an_amended_commit_counts_once_though_listed_twice(built):
    usage, warehouses = built
    amended = [c.hash for c in usage.ai_code.commits(FIRST, END_DATE - timedelta(days=1)) if c.amended_ms]
    listed = dict(query(warehouses["duckdb"], "select commit_hash, count(*) from cursor_raw.ai_commits group by 1"))
    facts = dict(query(warehouses["duckdb"], "select commit_hash, listing_count from marts.fct_cursor_ai_commits"))
    assert amended and all(listed[h] == 2 and facts[h] == 2 for h in amended)
    assert len(facts) == len(usage.ai_code.commits(FIRST, END_DATE))


def test_commits_without_a_repository_count_under_no_repository(built):
    usage, warehouses = built
    rows = query(
        warehouses["duckdb"],
        f"select count(*), sum(cost_usd) from marts.rpt_cursor_commit_costs where repository = '{NO_REPOSITORY}'",
    )[0]
    without = [c for c in usage.ai_code.commits(FIRST, END_DATE) if c.repo is None]
    truth = usage.ai_code.costs()
    assert rows[0] == len(without) > 0
    assert _close(rows[1], sum((truth.commits[c.hash].total.usage for c in without), Fraction(0)))


def test_privacy_mode_commits_have_no_file_names_and_are_still_linked(built):
    usage, warehouses = built
    private = {c.hash for c in usage.ai_code.commits(FIRST, END_DATE) if c.member.privacy_mode and c.parts}
    rows = query(
        warehouses["duckdb"],
        "select r.commit_hash, count(r.file_path), max(c.linked_cost_usd) from cursor_raw.ai_commit_ranges as r "
        "join marts.rpt_cursor_commit_costs as c on r.commit_hash = c.commit_hash group by 1",
    )
    named = {h: (paths, linked) for h, paths, linked in rows if h in private}
    assert private and set(named) == private
    assert all(paths == 0 for paths, _ in named.values()) and sum(linked for _, linked in named.values()) > 0


def test_a_conversation_in_two_repositories_splits_its_cost_by_its_lines_in_each(built):
    _, warehouses = built
    warehouse = warehouses["duckdb"]
    spanning = query(
        warehouse,
        "select l.conversation_id from intermediate.int_conversation_lines_summed_to_commits as l "
        "join marts.fct_cursor_ai_commits as c on l.team = c.team and l.commit_hash = c.commit_hash "
        "group by 1 having count(distinct c.repository) > 1 order by 1 limit 1",
    )[0][0]
    lines = dict(query(warehouse, "select commit_hash, line_count from intermediate.int_conversation_lines_summed_to_"
                                  f"commits where conversation_id = '{spanning}'"))  # fmt: skip
    spent = query(warehouse, "select sum(charged_cents) * 0.01 from cursor_raw.usage_events "
                             f"where conversation_id = '{spanning}'")[0][0]  # fmt: skip
    shares = dict(query(warehouse, "select commit_hash, sum(usage_usd) from intermediate.int_usage_linked_to_commits "
                                   f"where conversation_id = '{spanning}' group by 1"))  # fmt: skip
    assert shares.keys() == lines.keys() and sum(shares.values()) == spent > 0  # exactly, to the last digit
    for hash_text, count in lines.items():
        assert _close(shares[hash_text], Fraction(spent) * Fraction(count, sum(lines.values())))


def test_a_conversation_that_wrote_no_commit_is_allocated_or_unattributed_not_linked(built):
    _, warehouses = built
    warehouse = warehouses["duckdb"]
    orphans = query(
        warehouse,
        "select e.conversation_id, lower(e.user_email), cast(epoch_ms(e.timestamp_ms) as date), sum(e.charged_cents) "
        "from cursor_raw.usage_events as e where e.conversation_id is not null and e.user_email is not null "
        "and e.conversation_id not in "
        "(select conversation_id from cursor_raw.ai_commit_ranges where conversation_id is not null) group by 1, 2, 3",
    )
    linked = {
        c for (c,) in query(warehouse, "select distinct conversation_id from intermediate.int_usage_linked_to_commits")
    }
    assert orphans and not {conversation for conversation, *_ in orphans} & linked
    unlinked = defaultdict(Decimal)
    for _, email, day, cents in orphans:
        unlinked[(email, day)] += cents * Decimal("0.01")
    allocated = dict(
        ((email, day), usage_usd)
        for email, day, usage_usd in query(
            warehouse,
            "select user_email, usage_date, sum(allocated_usd + unattributed_usd) "
            "from intermediate.int_usage_attributed_to_commits group by 1, 2",
        )
    )
    assert all(allocated[key] >= amount for key, amount in unlinked.items())  # the orphans' usage is in there


def test_the_planted_stories_show_a_migrations_repository_and_a_spender_without_commits(built):
    usage, warehouses = built
    migration, no_commits = usage.planted
    rows = query(
        warehouses["duckdb"],
        "select pays_without_ai_commits, unattributed_cost_usd, usage_value_usd "
        f"from marts.rpt_cursor_user_value_monthly where user_email = '{no_commits.email}'",
    )
    assert rows and all(pays and unattributed == value > 0 for pays, unattributed, value in rows)
    top = query(
        warehouses["duckdb"],
        "select repository from marts.rpt_cursor_repo_costs_monthly where team = '*' and not is_unattributed "
        "and usage_month = date '2026-11-01' order by cost_usd desc limit 1",
    )
    assert top == [(migration.repo,)]
