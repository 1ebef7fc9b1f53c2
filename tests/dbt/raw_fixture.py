"""Build the raw ``cursor_raw`` tables from the simulator's ground truth with the loader's own parts: the API's
answers (the simulator's endpoint functions, no HTTP) go through the loader's row and key functions
(dlt_sources/cursor/records.py, ai_code_records.py) into tables typed by the one schema
(dlt_sources/cursor/schema.py), window by window as the loader reads them, merged on each table's key.

What the API never shows is idealised: the members' scd2 history is dated by the days they joined and left (a
real load dates versions by the run that sees them), every table is one completed dlt load.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa

from cursor_simulator.endpoints import TeamEndpoints
from cursor_simulator.organization import OrgSpec
from cursor_simulator.pool import Pool
from cursor_simulator.usage import TeamUsage
from dlt_sources.cursor import ai_code_records, organization, records, schema
from dlt_sources.cursor import ai_code_schema as ai_schema

LOADED_BY_DLT = {"_dlt_load_id": pa.string(), "_dlt_id": pa.string()}  # columns dlt adds (not _dlt_id to Arrow)
SCD2 = {"_dlt_valid_from": pa.timestamp("us", tz="UTC"), "_dlt_valid_to": pa.timestamp("us", tz="UTC")}


def served(answer):
    """An answer as the loader's client decodes it off the wire: JSON numbers with a fraction as Decimal."""
    return json.loads(orjson.dumps(answer), parse_float=Decimal)


def money(value: float | int | None) -> str | None:
    """A money value as the exact decimal string the API printed (floats round-trip through repr)."""
    return None if value is None else str(Decimal(repr(value)))


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _windows(usage: TeamUsage) -> list[tuple[int, int]]:
    """The loader's 30-day windows over the simulated days, as inclusive epoch-ms bounds."""
    from dlt_sources.cursor.windows import chunks

    return chunks(usage.spec.start_date, usage.spec.end_date)


def event_rows(usage: TeamUsage, team: str) -> list[dict]:
    """The usage events as the loader's rows (same keys, same money), window by window as it reads them."""
    extracted = _at(usage.spec.end_date + timedelta(days=1))
    rows: list[dict] = []
    for lo, hi in _windows(usage):
        events = served([event for _, event in usage.events_in(lo, hi)])
        if events:
            columns = records.event_columns(events, team, extracted, records.EventCounts())
            rows += [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    return rows


def daily_rows(usage: TeamUsage, team: str) -> list[dict]:
    endpoints, extracted, rows = TeamEndpoints(usage), _at(usage.spec.end_date + timedelta(days=1)), []
    for lo, hi in _windows(usage):
        answer = served(endpoints.daily_usage({"startDate": lo, "endDate": hi, "page": 1, "pageSize": 1000}))
        rows += [records.daily_row(record, team, extracted) for record in answer["data"]]
    return rows


def member_rows(usage: TeamUsage, team: str) -> list[dict]:
    """Every member who ever joined, dated by the days they joined and left."""
    joined = {m.email.lower(): m for m in usage.humans}
    roster = served(TeamEndpoints(usage).members(include_removed=True))["teamMembers"]
    rows = [records.member_row(record | {"isRemoved": False}, team) for record in roster]
    for row in rows:
        member = joined[row["email"]]
        row["_dlt_valid_from"] = _at(member.joined)
        row["_dlt_valid_to"] = _at(member.removed + timedelta(days=1)) if member.removed else None
    return rows


def spend_rows(usage: TeamUsage, team: str) -> list[dict]:
    answer = served(TeamEndpoints(usage).spend({"page": 1, "pageSize": 1000}))
    cycle = datetime.fromtimestamp(answer["subscriptionCycleStart"] / 1000, tz=UTC).date()
    return records.spend_rows(answer["teamMemberSpend"], team, cycle, _at(usage.spec.end_date + timedelta(days=1)))


def group_rows(usage: TeamUsage, team: str) -> tuple[list[dict], list[dict]]:
    """Billing groups and their members of every cycle the simulated days overlap, as the loader reads them."""
    endpoints, heads, people = TeamEndpoints(usage), [], []
    anchor = usage.spec.start_date
    while anchor <= usage.spec.end_date:
        answer = served(endpoints.groups(anchor.isoformat()))
        cycle = date.fromisoformat(answer["billingCycle"]["cycleStart"][:10])
        for group in answer["groups"] + [answer["unassignedGroup"]]:
            head, members = records.group_rows(group, team, cycle)
            heads.append(head)
            people += members
        anchor = date.fromisoformat(answer["billingCycle"]["cycleEnd"][:10]) + timedelta(days=1)
    return heads, people


def pool_rows(usage: TeamUsage, team: str) -> list[dict]:
    """The team as the one team of an organization: the pooled-usage snapshot of its end date (a pool that lasts the
    contract: no alert), as the loader reads it with an Organization API key."""
    org = OrgSpec(api_key="crsr_" + "F" * 64, teams=(usage.spec.resolved_team_id,))
    answer = served(Pool(org, [usage]).on(usage.spec.end_date).as_json())
    labels = {usage.spec.resolved_team_id: team}
    return organization.pool_rows(answer, org.resolved_organization_id, labels, _at(usage.spec.end_date))


def _all_pages(answer_of, params: dict, size: int) -> list[dict]:
    """Every page of an answer (AI code lists count ``totalCount``, the others their pages)."""
    out, page = [], 1
    while True:
        answer = served(answer_of(params | {"page": page, "pageSize": size}))
        out.append(answer)
        total = answer.get("totalCount", (answer.get("pagination") or {}).get("totalPages", 0) * size)
        if page * size >= total:
            return out
        page += 1


def ai_code_rows(usage: TeamUsage, team: str) -> dict[str, list[dict]]:
    """The AI Code Tracking and Analytics tables as the loader reads them, 30 days a request."""
    from dlt_sources.cursor.windows import day_chunks

    code, extracted, out = usage.ai_code, _at(usage.spec.end_date + timedelta(days=1)), {}
    for table in ai_schema.AI_CODE_TABLES:
        out[table.name] = []
    for first, last in day_chunks(usage.spec.start_date, usage.spec.end_date):
        instants = {"startDate": f"{first}T00:00:00.000Z", "endDate": f"{last}T23:59:59.999Z"}
        commits = [
            row
            for answer in _all_pages(code.routes.commits, instants, 1000)
            for row in ai_code_records.commit_rows(answer, team, extracted)
        ]
        out["ai_commits"] += commits
        hashes = sorted({row["commit_hash"] for row in commits})
        for k in range(0, len(hashes), 100):
            answer = served(code.routes.details(",".join(hashes[k : k + 100]), {}))
            out["ai_commit_ranges"] += ai_code_records.range_rows(answer, team)
        days = {"startDate": first.isoformat(), "endDate": last.isoformat()}
        for metric, table in (("dau", ai_schema.ANALYTICS_DAU), ("agent-edits", ai_schema.ANALYTICS_AGENT_EDITS),
                              ("tabs", ai_schema.ANALYTICS_TABS)):  # fmt: skip
            out[table.name] += ai_code_records.team_rows(table)(served(code.analytics.team(metric, days)), team)
        out["analytics_models"] += ai_code_records.model_rows(served(code.analytics.team("models", days)), team)
        for metric, table in (("agent-edits", ai_schema.ANALYTICS_USER_AGENT_EDITS),
                              ("tabs", ai_schema.ANALYTICS_USER_TABS)):  # fmt: skip
            for answer in _all_pages(lambda p, m=metric: code.analytics.by_user(m, p), days, 500):
                out[table.name] += ai_code_records.user_rows(table)(answer, team)
        reviews = [r for a in _all_pages(code.bugbot.reviews, days, 250) for r in a["data"]]
        out["bugbot_reviews"] += ai_code_records.review_rows(reviews, team)
        out["bugbot_bugs"] += ai_code_records.bug_rows(reviews, team)
    return {name: _merged(name, rows) for name, rows in out.items()}


def _merged(name: str, rows: list[dict]) -> list[dict]:
    """Rows as dlt merges them: one per key, the last read."""
    key = next(t for t in schema.TABLES if t.name == name).primary_key
    return list({tuple(row[k] for k in key): row for row in rows}.values())


def _arrow(table: schema.Table, columns: dict[str, list], load_id: str) -> pa.Table:
    rows = len(next(iter(columns.values()))) if columns else 0
    added = (SCD2 if table is schema.MEMBERS else {}) | LOADED_BY_DLT
    if table is schema.USAGE_EVENTS:
        added.pop("_dlt_id")
    declared = schema.arrow_schema(table)
    for name, kind in added.items():
        declared = declared.append(pa.field(name, kind))
    for column in table.columns:  # dlt writes json columns as JSON text
        if column.type == "json" and column.name in columns:
            columns = columns | {column.name: [None if v is None else json.dumps(v) for v in columns[column.name]]}
    stamps = {"_dlt_load_id": [load_id] * rows, "_dlt_id": [f"{table.name}-{i}" for i in range(rows)]}
    columns = columns | {name: values for name, values in stamps.items() if name in added}
    return records.as_table(columns, declared) if rows else declared.empty_table()


def _as_columns(rows: list[dict]) -> dict[str, list]:
    names = dict.fromkeys(name for row in rows for name in row)
    return {name: [row.get(name) for row in rows] for name in names}


def write_table(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], load_id: str = "1") -> None:
    """(Re)create ``cursor_raw.<table>`` typed by the one schema, filled with ``rows`` as one
    completed dlt load ``load_id`` (recorded in ``_dlt_loads`` with the current time, as dlt does)."""
    con.execute(
        "create table if not exists cursor_raw._dlt_loads (load_id varchar, schema_name varchar, status bigint, "
        "inserted_at timestamp with time zone, schema_version_hash varchar)"
    )
    con.execute(
        "insert into cursor_raw._dlt_loads select ?, 'cursor', 0, now(), '' "
        "where not exists (select 1 from cursor_raw._dlt_loads where load_id = ?)",
        [load_id, load_id],
    )
    definition = next(t for t in schema.TABLES if t.name == table)
    data = _arrow(definition, _as_columns(rows), load_id)  # noqa: F841 (DuckDB reads the Arrow table by its name)
    con.execute(f"create or replace table cursor_raw.{table} as select * from data")


def build_raw_warehouse(path: Path, usage: TeamUsage, team: str = "acme") -> None:
    """Write every raw table of one simulated team into the DuckDB file at ``path`` (audit logs empty, as dlt
    creates a table the plan gives no data for; the AI code tables as an Enterprise plan has them; the pool as an
    organization of this one team has it)."""
    with duckdb.connect(str(path)) as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute("create schema if not exists cursor_raw")
        write_table(con, "usage_events", event_rows(usage, team))
        write_table(con, "daily_usage", daily_rows(usage, team))
        write_table(con, "members", member_rows(usage, team))
        write_table(con, "spend_snapshots", spend_rows(usage, team))
        groups, members = group_rows(usage, team)
        write_table(con, "billing_groups", groups)
        write_table(con, "billing_group_members", members)
        write_table(con, "audit_logs", [])
        write_table(con, "pooled_usage", pool_rows(usage, team))
        for table, rows in ai_code_rows(usage, team).items():
            write_table(con, table, rows)
