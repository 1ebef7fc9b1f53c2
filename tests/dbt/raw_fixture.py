"""Build the raw ``cursor_raw`` tables from the simulator's ground truth, as the dlt loader lays them out.

This is also the reference mapping for the loader: API field (camelCase) -> raw column (snake_case).

- usage_events: ``timestamp`` (epoch-ms string) -> ``timestamp_ms`` bigint; ``userEmail`` -> ``user_email``
  (absent for removed members); ``serviceAccountId/Name``, ``cloudAgentId``, ``automationId``,
  ``conversationId``, ``model``, ``kind``, ``maxMode`` -> ``max_mode``, ``requestsCosts`` -> ``requests_costs``,
  ``isTokenBasedCall``, ``isChargeable``, ``isHeadless``, ``tokenUsage.{inputTokens, outputTokens,
  cacheWriteTokens, cacheReadTokens, totalCents, discountPercentOff}`` -> flattened snake_case columns,
  ``chargedCents`` -> ``charged_cents``, ``cursorTokenFee`` -> ``cursor_token_fee``; money as DECIMAL(38, 9).
- daily_usage: one row per member with a membership that day (the paginated shape, inactive days included);
  ``day`` -> ``day`` date, ``date`` -> ``date_ms``, ``userId`` -> ``user_id``, counters snake_cased.
- members: one scd2 version per member; ``_dlt_valid_from`` = the join day, ``_dlt_valid_to`` = the day after
  removal (NULL while a member).
- spend_snapshots: ``POST /teams/spend`` of the last day, ``subscriptionCycleStart`` -> ``cycle_start``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from cursor_spend.simulator.endpoints import DEFAULT_USER_LIMIT_DOLLARS
from cursor_spend.simulator.usage import DAY_MS, TeamUsage, cycle_start, day_start_ms

MONEY = "decimal(38, 9)"
COLUMNS = {
    "usage_events": {
        "event_key": "varchar", "team": "varchar", "timestamp_ms": "bigint", "user_email": "varchar",
        "service_account_id": "varchar", "service_account_name": "varchar", "cloud_agent_id": "varchar",
        "automation_id": "varchar", "conversation_id": "varchar", "model": "varchar", "kind": "varchar",
        "max_mode": "boolean", "requests_costs": MONEY, "is_token_based_call": "boolean",
        "is_chargeable": "boolean", "is_headless": "boolean", "input_tokens": "bigint", "output_tokens": "bigint",
        "cache_write_tokens": "bigint", "cache_read_tokens": "bigint", "total_cents": MONEY,
        "discount_percent_off": MONEY, "charged_cents": MONEY, "cursor_token_fee": MONEY,
        "extracted_at": "timestamp with time zone",
    },
    "daily_usage": {
        "team": "varchar", "day": "date", "email": "varchar", "user_id": "bigint", "date_ms": "bigint",
        "is_active": "boolean", "total_lines_added": "bigint", "total_lines_deleted": "bigint",
        "accepted_lines_added": "bigint", "accepted_lines_deleted": "bigint", "total_applies": "bigint",
        "total_accepts": "bigint", "total_rejects": "bigint", "total_tabs_shown": "bigint",
        "total_tabs_accepted": "bigint", "composer_requests": "bigint", "chat_requests": "bigint",
        "agent_requests": "bigint", "cmdk_usages": "bigint", "subscription_included_reqs": "bigint",
        "api_key_reqs": "bigint", "usage_based_reqs": "bigint", "bugbot_usages": "bigint",
        "most_used_model": "varchar", "apply_most_used_extension": "varchar", "tab_most_used_extension": "varchar",
        "client_version": "varchar", "extracted_at": "timestamp with time zone",
    },
    "members": {
        "team": "varchar", "user_id": "varchar", "email": "varchar", "name": "varchar", "role": "varchar",
        "is_removed": "boolean", "_dlt_valid_from": "timestamp with time zone",
        "_dlt_valid_to": "timestamp with time zone",
    },
    "spend_snapshots": {
        "team": "varchar", "cycle_start": "date", "snapshot_date": "date",
        "snapshot_at": "timestamp with time zone", "user_id": "varchar", "email": "varchar", "name": "varchar",
        "role": "varchar", "spend_cents": MONEY, "overall_spend_cents": MONEY, "fast_premium_requests": "bigint",
        "hard_limit_override_dollars": MONEY, "monthly_limit_dollars": MONEY,
        "effective_per_user_limit_dollars": MONEY,
    },
}  # fmt: skip
_TOKEN_COLUMNS = {
    "inputTokens": "input_tokens", "outputTokens": "output_tokens", "cacheWriteTokens": "cache_write_tokens",
    "cacheReadTokens": "cache_read_tokens", "totalCents": "total_cents", "discountPercentOff": "discount_percent_off",
}  # fmt: skip


def money(value: float | int | None) -> str | None:
    """A money value as the exact decimal string the API printed (floats round-trip through repr)."""
    return None if value is None else str(Decimal(repr(value)))


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def _iso(day: date) -> str:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat()


def event_rows(usage: TeamUsage, team: str) -> list[dict]:
    start, end = usage.spec.start_date, usage.spec.end_date
    extracted = _iso(end + timedelta(days=1))
    seen: Counter = Counter()
    rows = []
    for _member, event in usage.events_in(day_start_ms(start), day_start_ms(end) + DAY_MS - 1):
        tokens = event.get("tokenUsage", {})
        base = "|".join(
            str(event.get(k)) for k in ("timestamp", "userEmail", "serviceAccountId", "conversationId", "model")
        )
        seen[base] += 1
        row = {
            "event_key": f"{hashlib.sha1(base.encode()).hexdigest()[:24]}-{seen[base]}",
            "team": team,
            "timestamp_ms": int(event["timestamp"]),
            "user_email": event.get("userEmail"),
            "service_account_id": event.get("serviceAccountId"),
            "service_account_name": event.get("serviceAccountName"),
            "cloud_agent_id": event.get("cloudAgentId"),
            "automation_id": event.get("automationId"),
            "conversation_id": event.get("conversationId"),
            "model": event["model"],
            "kind": event["kind"],
            "max_mode": event.get("maxMode"),
            "requests_costs": money(event.get("requestsCosts")),
            "is_token_based_call": event.get("isTokenBasedCall"),
            "is_chargeable": event.get("isChargeable"),
            "is_headless": event.get("isHeadless"),
            "charged_cents": money(event["chargedCents"]),
            "cursor_token_fee": money(event.get("cursorTokenFee")),
            "extracted_at": extracted,
        }
        for field, column in _TOKEN_COLUMNS.items():
            value = tokens.get(field)
            row[column] = money(value) if column in ("total_cents", "discount_percent_off") else value
        rows.append(row)
    return rows


def daily_rows(usage: TeamUsage, team: str) -> list[dict]:
    rows = []
    day = usage.spec.start_date
    while day <= usage.spec.end_date:
        for index, counters in usage.day(day).daily.items():
            member = usage.members[index]
            row = {_snake(k): v for k, v in counters.items()}
            row.update(
                team=team,
                day=day.isoformat(),
                email=member.email.lower(),
                user_id=member.numeric_id,
                date_ms=day_start_ms(day),
                extracted_at=_iso(usage.spec.end_date + timedelta(days=1)),
            )
            rows.append(row)
        day += timedelta(days=1)
    return rows


def member_rows(usage: TeamUsage, team: str) -> list[dict]:
    return [
        {
            "team": team,
            "user_id": m.user_id,
            "email": m.email.lower(),
            "name": m.name,
            "role": m.role,
            "is_removed": False,
            "_dlt_valid_from": _iso(m.joined),
            "_dlt_valid_to": _iso(m.removed + timedelta(days=1)) if m.removed else None,
        }
        for m in usage.humans
        if m.joined <= usage.spec.end_date
    ]


def spend_rows(usage: TeamUsage, team: str) -> list[dict]:
    end = usage.spec.end_date
    spend = usage.cycle_spend()
    rows = []
    for m in usage.current_members():
        on_demand, overall, requests = spend.get(m.index, (0.0, 0.0, 0))
        rows.append(
            {
                "team": team,
                "cycle_start": cycle_start(end, usage.spec.cycle_day).isoformat(),
                "snapshot_date": end.isoformat(),
                "snapshot_at": _iso(end + timedelta(days=1)),
                "user_id": m.user_id,
                "email": m.email.lower(),
                "name": m.name,
                "role": m.role,
                "spend_cents": money(on_demand),
                "overall_spend_cents": money(overall),
                "fast_premium_requests": requests,
                "hard_limit_override_dollars": money(m.hard_limit_override_dollars),
                "monthly_limit_dollars": money(m.monthly_limit_dollars),
                "effective_per_user_limit_dollars": money(m.effective_limit_dollars or DEFAULT_USER_LIMIT_DOLLARS),
            }
        )
    return rows


def write_table(
    con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], scratch: Path, load_id: str = "1"
) -> None:
    """(Re)create ``cursor_raw.<table>`` with the raw columns plus dlt's, filled with ``rows`` as one completed
    dlt load ``load_id`` (recorded in ``_dlt_loads`` with the current time, as dlt does)."""
    con.execute(
        "create table if not exists cursor_raw._dlt_loads (load_id varchar, schema_name varchar, status bigint, "
        "inserted_at timestamp with time zone, schema_version_hash varchar)"
    )
    con.execute(
        "insert into cursor_raw._dlt_loads select ?, 'cursor', 0, now(), '' "
        "where not exists (select 1 from cursor_raw._dlt_loads where load_id = ?)",
        [load_id, load_id],
    )
    columns = COLUMNS[table]
    path = scratch / f"{table}.jsonl"
    with path.open("w") as out:
        for i, row in enumerate(rows):
            row = {name: row.get(name) for name in columns} | {"_dlt_load_id": load_id, "_dlt_id": f"{table}-{i}"}
            out.write(json.dumps(row) + "\n")
    casts = ", ".join(f"cast({name} as {kind}) as {name}" for name, kind in columns.items())
    read_columns = {
        name: ("varchar" if kind.startswith(("decimal", "timestamp")) else kind) for name, kind in columns.items()
    }
    read_columns |= {"_dlt_load_id": "varchar", "_dlt_id": "varchar"}
    spec = "{" + ", ".join(f"'{k}': '{v}'" for k, v in read_columns.items()) + "}"
    con.execute(f"create or replace table cursor_raw.{table} as select {casts}, _dlt_load_id, _dlt_id "
                f"from read_json('{path}', format='newline_delimited', columns={spec})")  # fmt: skip


def build_raw_warehouse(path: Path, usage: TeamUsage, team: str = "acme") -> None:
    """Write the raw tables of one simulated team into the DuckDB file at ``path``."""
    scratch = path.parent / "raw_rows"
    scratch.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute("create schema if not exists cursor_raw")
        write_table(con, "usage_events", event_rows(usage, team), scratch)
        write_table(con, "daily_usage", daily_rows(usage, team), scratch)
        write_table(con, "members", member_rows(usage, team), scratch)
        write_table(con, "spend_snapshots", spend_rows(usage, team), scratch)
