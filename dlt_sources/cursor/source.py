"""dlt source for the Cursor Admin API: members, daily usage, usage events, spend, audit logs, billing groups.

Loads incrementally: each windowed resource reads, per team, from its own last loaded day minus a lookback
(Cursor changes recent costs) up to the requested end (never past the last complete UTC day), in windows of at
most 30 days with inclusive bounds that never overlap. Every row carries its team label, and every table merges
on a natural key, so re-reading a window changes nothing. History the API forgets is kept: members as an scd2
history, spend as dated snapshots, billing groups with their members' join and leave times for every billing
cycle a window overlaps. The tables are defined in :mod:`.schema`.

Progress goes to the running pipeline's dlt collector as ``"<resource> [<team>]"`` counters (pages, or events).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dlt
import pyarrow as pa
from dlt.common.typing import TDataItem
from dlt.sources import DltResource

from . import records, schema, settings
from .client import CursorClient
from .errors import CursorConfigurationError, CursorResponseError

log = logging.getLogger(__name__)

EVENT_SCHEMA = schema.arrow_schema(schema.USAGE_EVENTS).append(pa.field("_dlt_load_id", pa.string()))
EVENTS_PER_TABLE = 10_000  # dlt's work per Arrow table is mostly per table, not per row
Clients = dict[str, CursorClient]  # team label -> its client


@dataclass(frozen=True)
class Request:
    """The window asked for: explicit dates (a backfill), or incremental from each resource's state."""

    start: date | None
    end: date  # already capped at the last complete UTC day
    lookback_days: int
    initial_days: int

    def window(self, team: str) -> tuple[date, date]:
        """The days a windowed resource reads for ``team``, from its own state (a backfill ignores it)."""
        if self.start is not None:
            start = self.start
        elif (last := _last_loaded_day(team)) is not None:
            start = min(last, self.end) - timedelta(days=self.lookback_days)
        else:
            start = self.end - timedelta(days=self.initial_days - 1)
        if start > self.end:
            raise CursorConfigurationError(f"start date {start} is after end date {self.end}: nothing to extract")
        _warn_beyond_retention(team, start, self.end)
        return start, self.end


@dlt.source(name="cursor", max_table_nesting=0)
def cursor_source(
    teams: dict[str, str],
    base_url: str = settings.DEFAULT_BASE_URL,
    start_date: date | None = None,
    end_date: date | None = None,
    lookback_days: int = settings.DEFAULT_LOOKBACK_DAYS,
    initial_days: int = settings.DEFAULT_INITIAL_DAYS,
    rate_limit_window: float = settings.RATE_LIMIT_WINDOW_SECONDS,
    request_log_dir: Path | None = None,
    client_factory: Callable[..., CursorClient] = CursorClient,
) -> tuple[DltResource, ...]:
    """The Cursor Admin API of one or more teams.

    Args:
        teams: team label -> Admin API key.
        base_url: the API's base URL (the simulator's, in the demo and tests).
        start_date, end_date: an explicit window (UTC days, inclusive) to backfill; by default from each
            resource's last loaded day minus ``lookback_days`` (or ``initial_days`` back on a first run) to
            yesterday. An end after yesterday is capped at yesterday (the last complete day).
        request_log_dir: where every process's clients log their recent requests, per team, so one run's
            requests count against the next's rate limit.
    """
    clients = {
        label: client_factory(
            key, label, base_url, rate_limit_window=rate_limit_window, request_log_dir=request_log_dir
        )
        for label, key in teams.items()
    }
    request = Request(start_date, _capped_end(end_date), lookback_days, initial_days)
    groups = _Groups(clients, request)
    return (
        members(clients),
        daily_usage(clients, request),
        usage_events(clients, request),
        spend_snapshots(clients),
        audit_logs(clients, request),
        billing_groups(groups),
        billing_group_members(groups),
    )


@dlt.resource(**schema.MEMBERS.resource())
def members(clients: Clients) -> Iterator[TDataItem]:
    """The current roster; dlt's scd2 strategy dates joins and departures from the run that sees them."""
    for label, client in clients.items():
        roster = client.get(settings.MEMBERS_PATH).get("teamMembers")
        if not isinstance(roster, list):
            raise CursorResponseError(f"team {label!r}: /teams/members has no teamMembers list")
        _progress("members", label, 1, 1)
        yield [records.member_row(r, label) for r in roster]


@dlt.resource(**schema.DAILY_USAGE.resource())
def daily_usage(clients: Clients, request: Request) -> Iterator[TDataItem]:
    """Per member and day, for every member with a membership (the paginated all-members mode)."""
    extracted_at = datetime.now(UTC)
    yielded = False
    for label, client in clients.items():
        start, end = request.window(label)
        chunks = _chunks(start, end)
        for lo, hi in chunks:
            fetch = _windowed_post(client, settings.DAILY_USAGE_PATH, lo, hi, settings.DAILY_USAGE_PAGE_SIZE)
            for _, answer in pages(fetch):
                rows = [records.daily_row(r, label, extracted_at) for r in answer.get("data") or []]
                if rows:
                    yielded = True
                    yield rows
            _progress("daily_usage", label, 1, len(chunks))
        _mark_loaded(label, end)
    if not yielded:
        yield dlt.mark.materialize_table_schema()


@dlt.resource(**schema.USAGE_EVENTS.resource())
def usage_events(clients: Clients, request: Request) -> Iterator[TDataItem]:
    """Every request event, all pages at the maximum page size, window by window. Each next page is fetched
    while this one is turned into columns; they reach dlt as Arrow tables of up to EVENTS_PER_TABLE rows, all
    with the declared columns, stamped with the load id as dlt stamps the rows of the other tables."""
    load_id = dlt.current.load_package_state()["load_id"]
    extracted_at = datetime.now(UTC)
    yielded = False
    for label, client in clients.items():
        start, end = request.window(label)
        for lo, hi in _chunks(start, end):
            for table in _event_tables(client, label, lo, hi, load_id, extracted_at):
                yielded = True
                yield table
        _mark_loaded(label, end)
    if not yielded:  # the table with its declared columns (dlt's marker would add a _dlt_id Arrow loads lack)
        yield EVENT_SCHEMA.empty_table()


def _event_tables(
    client: CursorClient, label: str, lo: int, hi: int, load_id: str, extracted_at: datetime
) -> Iterator[pa.Table]:
    """One window's events as Arrow tables; never an empty one."""
    seen = records.EventCounts()
    tables: list[pa.Table] = []
    fetch = _windowed_post(client, settings.USAGE_EVENTS_PATH, lo, hi, settings.EVENTS_PAGE_SIZE)
    for page, answer in pages(fetch):
        events = answer.get("usageEvents")
        if not isinstance(events, list):
            raise CursorResponseError(f"team {label!r}: usage events page has no usageEvents list")
        if page == 1:
            _progress("usage_events", label, 0, inc_total=int(answer.get("totalUsageEventsCount") or 0))
        if not events:
            continue
        columns = records.event_columns(events, label, extracted_at, seen)
        columns["_dlt_load_id"] = [load_id] * len(events)
        tables.append(records.as_table(columns, EVENT_SCHEMA))
        _progress("usage_events", label, len(events))
        if sum(table.num_rows for table in tables) >= EVENTS_PER_TABLE:
            yield pa.concat_tables(tables, promote_options="default")
            tables = []
    if tables:
        yield pa.concat_tables(tables, promote_options="default")


@dlt.resource(**schema.SPEND_SNAPSHOTS.resource())
def spend_snapshots(clients: Clients) -> Iterator[TDataItem]:
    """The current cycle's spend per member; the API forgets past cycles, so each run keeps a dated copy."""
    snapshot_at = datetime.now(UTC)
    for label, client in clients.items():

        def fetch(page: int, client: CursorClient = client) -> dict:
            return client.post(settings.SPEND_PATH, {"page": page, "pageSize": settings.SPEND_PAGE_SIZE})

        for _, answer in pages(fetch):
            cycle_ms = answer.get("subscriptionCycleStart")
            if not isinstance(cycle_ms, int):
                raise CursorResponseError(f"team {label!r}: /teams/spend has no subscriptionCycleStart")
            cycle = datetime.fromtimestamp(cycle_ms / 1000, tz=UTC).date()
            yield records.spend_rows(answer.get("teamMemberSpend") or [], label, cycle, snapshot_at)
            _progress("spend_snapshots", label, 1, _last_page(answer))


@dlt.resource(**schema.AUDIT_LOGS.resource())
def audit_logs(clients: Clients, request: Request) -> Iterator[TDataItem]:
    """Joins, removals, logins and settings changes (Enterprise plans; other plans get the empty table)."""
    yielded = False
    for label, client in clients.items():
        start, end = request.window(label)
        for lo, hi in _chunks(start, end):

            def fetch(page: int, lo: int = lo, hi: int = hi, client: CursorClient = client) -> dict:
                params = {"startTime": str(lo), "endTime": str(hi), "page": page, "pageSize": settings.AUDIT_PAGE_SIZE}
                return client.get(settings.AUDIT_LOGS_PATH, params=params)

            answers = _enterprise_only(client, settings.AUDIT_LOGS_PATH, lambda fetch=fetch: list(pages(fetch)))
            if answers is None:
                break
            rows = [records.audit_row(r, label) for _, answer in answers for r in answer.get("events") or []]
            if rows:
                yielded = True
                yield rows
        _mark_loaded(label, end)
    if not yielded:
        yield dlt.mark.materialize_table_schema()


class _Groups:
    """The billing groups of every billing cycle that overlaps a team's window, fetched once for both group tables.

    ``/teams/groups`` answers one cycle (``billingCycle``: a day in it; default the current one) with its current
    and former members and their join and leave times. Each run reads the cycles of its window, so the memberships
    of past cycles are kept (merged on their keys) and a backfill brings back the groups of its days."""

    def __init__(self, clients: Clients, request: Request) -> None:
        self.clients = clients
        self.request = request
        self._answers: dict[tuple, tuple[list[dict], list[dict]]] = {}

    def of(self, label: str) -> tuple[list[dict], list[dict]]:
        """Groups and members of the cycles of ``label``'s window (the calling resource's state)."""
        start, end = self.request.window(label)
        if (label, start, end) not in self._answers:
            self._answers[(label, start, end)] = self._fetch(label, start, end)
        return self._answers[(label, start, end)]

    def _fetch(self, label: str, start: date, end: date) -> tuple[list[dict], list[dict]]:
        client = self.clients[label]
        heads: list[dict] = []
        people: list[dict] = []
        anchor, seen = start, set()
        while anchor <= end:
            params = {"billingCycle": anchor.isoformat()}
            answer = _enterprise_only(
                client, settings.GROUPS_PATH, lambda params=params: client.get(settings.GROUPS_PATH, params=params)
            )
            if answer is None:
                return [], []
            cycle, cycle_end = _cycle_bounds(answer, anchor)
            if cycle in seen:  # the API answered a cycle already read: no further cycle to ask for
                break
            seen.add(cycle)
            for group in (answer.get("groups") or []) + [answer.get("unassignedGroup") or {}]:
                if group:
                    head, members_of_group = records.group_rows(group, label, cycle)
                    heads.append(head)
                    people.extend(members_of_group)
            _progress("billing_groups", label, 1)
            anchor = cycle_end + timedelta(days=1)
        return heads, people


def _cycle_bounds(answer: dict, asked: date) -> tuple[date, date]:
    """First and last day of the billing cycle an answer of ``/teams/groups`` covers (its ``billingCycle``); the
    day asked for when the answer names none."""
    cycle = answer.get("billingCycle") or {}
    first = date.fromisoformat(cycle["cycleStart"][:10]) if cycle.get("cycleStart") else asked
    last = date.fromisoformat(cycle["cycleEnd"][:10]) if cycle.get("cycleEnd") else asked
    return first, max(first, last)


@dlt.resource(**schema.BILLING_GROUPS.resource())
def billing_groups(groups: _Groups) -> Iterator[TDataItem]:
    """Billing groups of the cycles of the window (Enterprise plans)."""
    rows = []
    for label in groups.clients:
        rows += groups.of(label)[0]
        _mark_loaded(label, groups.request.end)
    yield rows if rows else dlt.mark.materialize_table_schema()


@dlt.resource(**schema.BILLING_GROUP_MEMBERS.resource())
def billing_group_members(groups: _Groups) -> Iterator[TDataItem]:
    """Who is and was in each billing group in the cycles of the window, with the times they joined and left."""
    rows = []
    for label in groups.clients:
        rows += groups.of(label)[1]
        _mark_loaded(label, groups.request.end)
    yield rows if rows else dlt.mark.materialize_table_schema()


# -- windows and state ----------------------------------------------------------------------------------------


def _capped_end(end: date | None) -> date:
    """The requested end, never after yesterday (UTC): today's usage is not complete, and the state must never
    point past what was read."""
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    if end is not None and end > yesterday:
        log.warning("end date %s is after the last complete UTC day: reading up to %s", end, yesterday)
    return yesterday if end is None or end > yesterday else end


def _warn_beyond_retention(team: str, start: date, end: date) -> None:
    oldest = datetime.now(UTC).date() - timedelta(days=settings.RETENTION_DAYS)
    if start < oldest:
        last = min(end, oldest - timedelta(days=1))
        log.warning(
            "team %r: %s .. %s are older than the Cursor API's retention (about %d days): they will come back empty",
            team, start, last, settings.RETENTION_DAYS,
        )  # fmt: skip


def _last_loaded_day(team: str) -> date | None:
    """This resource's last loaded day for ``team``; the source-wide day of earlier versions as a fallback."""
    last = dlt.current.resource_state().get("teams", {}).get(team, {}).get("last_loaded_day")
    if last is None:
        last = dlt.current.source_state().get("teams", {}).get(team, {}).get("last_loaded_day")
    return date.fromisoformat(last) if last else None


def _mark_loaded(team: str, end: date) -> None:
    """After a team's whole window was read: a backfill of an old window never moves the point backwards."""
    team_state = dlt.current.resource_state().setdefault("teams", {}).setdefault(team, {})
    team_state["last_loaded_day"] = max(team_state.get("last_loaded_day", ""), end.isoformat())


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


# -- paging --------------------------------------------------------------------------------------------------


def _windowed_post(client: CursorClient, path: str, lo: int, hi: int, page_size: int) -> Callable[[int], dict]:
    def fetch(page: int) -> dict:
        return client.post(path, {"startDate": lo, "endDate": hi, "page": page, "pageSize": page_size})

    return fetch


def _last_page(answer: dict) -> int:
    """The last page an answer names: ``pagination.totalPages`` (daily usage, audit logs), ``pagination.numPages``
    (usage events) or ``totalPages`` (spend)."""
    pagination = answer.get("pagination") or {}
    return int(pagination.get("totalPages") or pagination.get("numPages") or answer.get("totalPages") or 0)


def pages(fetch: Callable[[int], dict]) -> Iterator[tuple[int, dict]]:
    """(page number, answer) of every page, up to the last page the first answer names; each next page is
    fetched in a background thread while the caller works on the current one."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cursor-prefetch") as pool:
        answer = fetch(1)
        last = _last_page(answer)
        for page in range(1, max(last, 1) + 1):
            ahead = pool.submit(fetch, page + 1) if page < last else None
            yield page, answer
            if ahead is not None:
                answer = ahead.result()


def _enterprise_only(client: CursorClient, path: str, call: Callable[[], object]):
    """``call()``, or None (with a warning) when the plan does not include this endpoint (403)."""
    try:
        return call()
    except CursorConfigurationError as exc:
        if exc.status != 403:
            raise
        log.warning(
            "team %r: skipping %s: the plan does not include it (403). Enterprise plans have it.", client.team, path
        )
        return None


def _progress(resource: str, team: str, inc: int, total: int | None = None, inc_total: int | None = None) -> None:
    """Count work done on the running pipeline's collector (a no-op with dlt's null collector)."""
    try:
        collector = dlt.current.pipeline().collector
    except Exception:  # no active pipeline (the source used on its own)
        return
    collector.update(f"{resource} [{team}]", inc=inc, total=total, inc_total=inc_total)
