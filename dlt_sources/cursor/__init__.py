"""dlt source for the Cursor Admin API: members, daily usage, usage events, spend, audit logs, billing groups.

Loads incrementally: each run reads from the last loaded day minus a lookback (Cursor changes recent costs)
up to the requested end, in windows of at most 30 days with inclusive bounds that never overlap. Every row
carries its team label, and every table merges on a natural key, so re-reading a window changes nothing.
History the API forgets is kept: members as an scd2 history, spend as dated snapshots.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from functools import cache

import dlt
import pyarrow as pa
from dlt.common.typing import TDataItem
from dlt.sources import DltResource

from . import records, settings
from .client import CursorClient
from .errors import CursorConfigurationError, CursorResponseError

log = logging.getLogger(__name__)

Progress = Callable[[str, str, int, int | None], None]  # (resource, team, done, total)

_DECIMAL = {"data_type": "decimal", "precision": 38, "scale": 9}
_KEY = {"nullable": False}


def _columns(types: dict[str, str | dict], keys: tuple[str, ...] = ()) -> dict:
    columns = {}
    for name, kind in types.items():
        column = dict(kind) if isinstance(kind, dict) else {"data_type": kind}
        columns[name] = column | (_KEY if name in keys else {})
    return columns


EVENT_COLUMNS = _columns({
    "event_key": "text", "team": "text", "timestamp_ms": "bigint", "user_email": "text",
    "service_account_id": "text", "service_account_name": "text", "cloud_agent_id": "text",
    "automation_id": "text", "conversation_id": "text", "model": "text", "kind": "text", "max_mode": "bool",
    "requests_costs": _DECIMAL, "is_token_based_call": "bool", "is_chargeable": "bool", "is_headless": "bool",
    "input_tokens": "bigint", "output_tokens": "bigint", "cache_write_tokens": "bigint",
    "cache_read_tokens": "bigint", "total_cents": _DECIMAL, "discount_percent_off": _DECIMAL,
    "charged_cents": _DECIMAL, "cursor_token_fee": _DECIMAL, "extracted_at": "timestamp",
}, keys=("event_key", "team", "timestamp_ms"))  # fmt: skip
EVENT_SCHEMA = records.arrow_schema(EVENT_COLUMNS)
EVENTS_PER_TABLE = 10_000  # dlt's work per Arrow table is mostly per table, not per row


@dlt.source(name="cursor", max_table_nesting=0)
def cursor_source(
    teams: dict[str, str],
    base_url: str = settings.DEFAULT_BASE_URL,
    start_date: date | None = None,
    end_date: date | None = None,
    lookback_days: int = 2,
    initial_days: int = 30,
    rate_limit_window: float = settings.RATE_LIMIT_WINDOW_SECONDS,
    progress: Progress | None = None,
    client_factory: Callable[..., CursorClient] = CursorClient,
) -> tuple[DltResource, ...]:
    """The Cursor Admin API of one or more teams.

    Args:
        teams: team label -> Admin API key.
        base_url: the API's base URL (the simulator's, in the demo and tests).
        start_date, end_date: an explicit window (UTC days, inclusive) to backfill; by default from the last
            loaded day minus ``lookback_days`` (or ``initial_days`` back on a first run) to yesterday.
        progress: called after each page with (resource, team, done, total).
    """
    today = datetime.now(UTC).date()
    end = end_date or today - timedelta(days=1)
    state = dlt.current.source_state().setdefault("teams", {})
    windows = {}
    for label in teams:
        last = state.get(label, {}).get("last_loaded_day")
        if start_date is not None:
            start = start_date
        elif last is not None:
            start = date.fromisoformat(last) - timedelta(days=lookback_days)
        else:
            start = end - timedelta(days=initial_days - 1)
        if start > end:
            raise CursorConfigurationError(f"start date {start} is after end date {end}: nothing to extract")
        windows[label] = (start, end)
    extracted_at = datetime.now(UTC)
    report = progress or (lambda *_: None)

    @cache
    def client(label: str) -> CursorClient:
        return client_factory(teams[label], label, base_url, rate_limit_window=rate_limit_window)

    @dlt.resource(
        name="members",
        write_disposition={"disposition": "merge", "strategy": "scd2"},
        merge_key="team",
        columns=_columns({"team": "text", "user_id": "text", "email": "text", "name": "text", "role": "text",
                          "is_removed": "bool"}, keys=("team", "email")),
    )  # fmt: skip
    def members() -> Iterator[TDataItem]:
        """The current roster; dlt's scd2 strategy dates joins and departures from the run that sees them."""
        for label in teams:
            roster = client(label).get(settings.MEMBERS_PATH).get("teamMembers")
            if not isinstance(roster, list):
                raise CursorResponseError(f"team {label!r}: /teams/members has no teamMembers list")
            report("members", label, 1, 1)
            yield [records.member_row(r, label) for r in roster]

    @dlt.resource(
        name="daily_usage",
        write_disposition="merge",
        file_format="parquet",  # DuckDB holds ~1 GB to parse a few thousand rows of INSERT ... VALUES this wide
        primary_key=("team", "day", "email"),
        columns=_columns({"team": "text", "day": "date", "email": "text", "user_id": "bigint", "date_ms": "bigint",
                          "is_active": "bool", "extracted_at": "timestamp"}, keys=("team", "day", "email")),
    )  # fmt: skip
    def daily_usage() -> Iterator[TDataItem]:
        """Per member and day, for every member with a membership (the paginated all-members mode)."""
        for label in teams:
            chunks = _chunks(*windows[label])
            for n, (lo, hi) in enumerate(chunks, start=1):
                pages = _pages(client(label), settings.DAILY_USAGE_PATH, lo, hi, settings.DAILY_USAGE_PAGE_SIZE)
                for _, answer in pages:
                    yield [records.daily_row(r, label, extracted_at) for r in answer.get("data") or []]
                report("daily_usage", label, n, len(chunks))

    @dlt.resource(
        name="usage_events",
        # the event keys of one run are unique by construction (ordinals): dlt need not deduplicate them
        write_disposition={"disposition": "merge", "strategy": "delete-insert", "deduplicated": True},
        primary_key="event_key",
        columns=EVENT_COLUMNS,
    )
    def usage_events() -> Iterator[TDataItem]:
        """Every request event, all pages at the maximum page size, window by window. Each next page is fetched
        while this one is turned into columns; they reach dlt as Arrow tables of up to EVENTS_PER_TABLE rows,
        stamped with the load id as dlt stamps the rows of the other tables."""
        load_id = dlt.current.load_package_state()["load_id"]
        for label in teams:
            done = total = 0
            for lo, hi in _chunks(*windows[label]):
                seen = records.EventCounts()
                tables: list[pa.Table] = []
                pages = _pages(client(label), settings.USAGE_EVENTS_PATH, lo, hi, settings.EVENTS_PAGE_SIZE)
                for page, answer in pages:
                    if page == 1:
                        total += int(answer.get("totalUsageEventsCount") or 0)
                    events = answer.get("usageEvents")
                    if not isinstance(events, list):
                        raise CursorResponseError(f"team {label!r}: usage events page has no usageEvents list")
                    columns = records.event_columns(events, label, extracted_at, seen)
                    columns["_dlt_load_id"] = [load_id] * len(events)
                    tables.append(records.as_table(columns, EVENT_SCHEMA))
                    done += len(events)
                    report("usage_events", label, done, total)
                    if sum(table.num_rows for table in tables) >= EVENTS_PER_TABLE:
                        yield pa.concat_tables(tables, promote_options="default")
                        tables = []
                if tables:
                    yield pa.concat_tables(tables, promote_options="default")
            teams_state = dlt.current.source_state().setdefault("teams", {})
            team_state = teams_state.setdefault(label, {})
            # a backfill of an old window never moves the incremental point backwards
            team_state["last_loaded_day"] = max(team_state.get("last_loaded_day", ""), windows[label][1].isoformat())

    @dlt.resource(
        name="spend_snapshots",
        write_disposition="merge",
        primary_key=("team", "cycle_start", "snapshot_date", "email"),
        columns=_columns({
            "team": "text", "cycle_start": "date", "snapshot_date": "date", "snapshot_at": "timestamp",
            "user_id": "text", "email": "text", "name": "text", "role": "text", "spend_cents": _DECIMAL,
            "overall_spend_cents": _DECIMAL, "fast_premium_requests": "bigint",
            "hard_limit_override_dollars": _DECIMAL, "monthly_limit_dollars": _DECIMAL,
            "effective_per_user_limit_dollars": _DECIMAL, "profile_picture_url": "text",
        }, keys=("team", "cycle_start", "snapshot_date", "email")),
    )  # fmt: skip
    def spend_snapshots() -> Iterator[TDataItem]:
        """The current cycle's spend per member; the API forgets past cycles, so each run keeps a dated copy."""
        for label in teams:
            page, pages = 1, 1
            while page <= pages:
                answer = client(label).post(settings.SPEND_PATH, {"page": page, "pageSize": settings.SPEND_PAGE_SIZE})
                pages = int(answer.get("totalPages") or 0)
                cycle_ms = answer.get("subscriptionCycleStart")
                if not isinstance(cycle_ms, int):
                    raise CursorResponseError(f"team {label!r}: /teams/spend has no subscriptionCycleStart")
                cycle = datetime.fromtimestamp(cycle_ms / 1000, tz=UTC).date()
                yield records.spend_rows(answer.get("teamMemberSpend") or [], label, cycle, extracted_at)
                report("spend_snapshots", label, page, pages)
                page += 1

    @dlt.resource(
        name="audit_logs",
        write_disposition="merge",
        primary_key=("team", "event_id"),
        columns=_columns({"team": "text", "event_id": "text", "event_at": "timestamp", "ip_address": "text",
                          "user_email": "text", "event_type": "text", "event_data": "json"}, keys=("team", "event_id")),
    )  # fmt: skip
    def audit_logs() -> Iterator[TDataItem]:
        """Joins, removals, logins and settings changes (Enterprise plans; skipped with a warning otherwise)."""
        for label in teams:
            for lo, hi in _chunks(*windows[label]):
                events = _audit_window(client(label), lo, hi)
                if events is None:
                    break
                yield [records.audit_row(r, label) for r in events]

    @cache
    def groups(label: str) -> tuple[list[dict], list[dict]]:
        answer = _enterprise_only(client(label), "GET", settings.GROUPS_PATH)
        if answer is None:
            return [], []
        cycle_iso = (answer.get("billingCycle") or {}).get("cycleStart") or ""
        cycle = date.fromisoformat(cycle_iso[:10]) if cycle_iso else extracted_at.date()
        heads, people = [], []
        for group in (answer.get("groups") or []) + [answer.get("unassignedGroup") or {}]:
            if group:
                head, members_of_group = records.group_rows(group, label, cycle)
                heads.append(head)
                people.extend(members_of_group)
        return heads, people

    @dlt.resource(
        name="billing_groups",
        write_disposition="merge",
        primary_key=("team", "cycle_start", "group_id"),
        columns=_columns({"team": "text", "cycle_start": "date", "group_id": "text", "name": "text",
                          "member_count": "bigint", "spend_cents": _DECIMAL}, keys=("team", "cycle_start", "group_id")),
    )  # fmt: skip
    def billing_groups() -> Iterator[TDataItem]:
        """Billing groups of the current cycle (Enterprise plans)."""
        for label in teams:
            yield groups(label)[0]

    @dlt.resource(
        name="billing_group_members",
        write_disposition="merge",
        primary_key=("team", "cycle_start", "group_id", "email", "joined_at"),
        columns=_columns({"team": "text", "cycle_start": "date", "group_id": "text", "group_name": "text",
                          "user_id": "text", "email": "text", "name": "text", "joined_at": "timestamp",
                          "left_at": "timestamp", "spend_cents": _DECIMAL},
                         keys=("team", "cycle_start", "group_id", "email", "joined_at")),
    )  # fmt: skip
    def billing_group_members() -> Iterator[TDataItem]:
        """Who is and was in each billing group, with the dates they joined and left."""
        for label in teams:
            yield groups(label)[1]

    return (
        members(), daily_usage(), usage_events(), spend_snapshots(), audit_logs(), billing_groups(),
        billing_group_members(),
    )  # fmt: skip


def _chunks(start: date, end: date) -> list[tuple[int, int]]:
    """Windows of at most 30 UTC days as inclusive epoch-ms bounds: [00:00:00.000, 23:59:59.999]."""
    out = []
    day = start
    while day <= end:
        last = min(end, day + timedelta(days=settings.MAX_RANGE_DAYS - 1))
        lo = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
        hi = int(datetime(last.year, last.month, last.day, tzinfo=UTC).timestamp() * 1000) + records.DAY_MS - 1
        out.append((lo, hi))
        day = last + timedelta(days=1)
    return out


def _pages(client: CursorClient, path: str, lo: int, hi: int, page_size: int) -> Iterator[tuple[int, dict]]:
    """(page number, answer) of every page of a window, up to the last page the first answer names (daily usage
    calls it ``totalPages``, usage events ``numPages``); each next page is fetched in a background thread while
    the caller works on the current one."""

    def fetch(page: int) -> dict:
        return client.post(path, {"startDate": lo, "endDate": hi, "page": page, "pageSize": page_size})

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cursor-prefetch") as pool:
        answer = fetch(1)
        pagination = answer.get("pagination") or {}
        last = int(pagination.get("totalPages") or pagination.get("numPages") or 0)
        for page in range(1, max(last, 1) + 1):
            ahead = pool.submit(fetch, page + 1) if page < last else None
            yield page, answer
            if ahead is not None:
                answer = ahead.result()


def _enterprise_only(client: CursorClient, method: str, path: str, params: dict | None = None) -> dict | None:
    """The answer, or None (with a warning) when the plan does not include this endpoint."""
    try:
        return client.request(method, path, params=params)
    except CursorConfigurationError as exc:
        if exc.status != 403:
            raise
        log.warning(
            "team %r: skipping %s: the plan does not include it (403). Enterprise plans have it.", client.team, path
        )
        return None


def _audit_window(client: CursorClient, lo: int, hi: int) -> list[dict] | None:
    """All audit events of one window, or None when the plan does not include audit logs."""
    events: list[dict] = []
    page, pages = 1, 1
    while page <= pages:
        params = {"startTime": str(lo), "endTime": str(hi), "page": page, "pageSize": settings.AUDIT_PAGE_SIZE}
        answer = _enterprise_only(client, "GET", settings.AUDIT_LOGS_PATH, params=params)
        if answer is None:
            return None
        pages = int((answer.get("pagination") or {}).get("totalPages") or 0)
        events.extend(answer.get("events") or [])
        page += 1
    return events
