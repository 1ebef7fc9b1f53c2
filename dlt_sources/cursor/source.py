"""dlt source for the Cursor Admin API: members, daily usage, usage events, spend, audit logs, billing groups; and
(on Enterprise plans) the AI Code Tracking and Analytics APIs' commits, line ranges, adoption and Bugbot reviews,
whose resources are in :mod:`.ai_code`.

Loads incrementally: each windowed resource reads, per team, from its own last loaded day minus a lookback
(Cursor changes recent costs) up to the requested end (never past the last complete UTC day), in windows of at
most 30 days with inclusive bounds that never overlap (:mod:`.windows`, the days kept in :mod:`.state`). Every row
carries its team label, and every table merges on a natural key, so re-reading a window changes nothing. History
the API forgets is kept: members as an scd2 history, spend as dated snapshots, billing groups with their members'
join and leave times for every billing cycle a window overlaps (:mod:`.cycles`). The tables are defined in
:mod:`.schema`, the rows made in :mod:`.records`, the pages read in :mod:`.paging`; progress is counted on the
running pipeline's collector (:mod:`.progress`). The resources run side by side, and each reads its teams side by
side, each team within its own rate limits (:mod:`.reading`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import dlt
import pyarrow as pa
from dlt.common.typing import TDataItem
from dlt.sources import DltResource

from . import records, schema, settings
from .ai_code import ai_code_resources
from .client import CursorClient
from .cycles import CycleGroups
from .errors import CursorResponseError
from .keys import OrgKey
from .organization import OrgTeamClient, organization_teams, pool_rows, pooled_usage
from .paging import enterprise_only, last_page, pages, windowed_post
from .progress import count
from .reading import or_empty_table, side_by_side
from .state import mark_loaded
from .windows import Request, capped_end, chunks

EVENT_SCHEMA = schema.arrow_schema(schema.USAGE_EVENTS).append(pa.field("_dlt_load_id", pa.string()))
EVENTS_PER_TABLE = 10_000  # dlt's work per Arrow table is mostly per table, not per row
Clients = dict[str, CursorClient | OrgTeamClient]  # team label -> its client


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
    organization: OrgKey | None = None,
) -> tuple[DltResource, ...]:
    """The Cursor Admin API (and the AI Code Tracking and Analytics APIs) of one or more teams, and of every team
    of an organization.

    Args:
        teams: team label -> Admin API key.
        organization: an Organization API key and its organization: its teams (each labelled by its team id,
            except those ``teams`` has a key for: see :mod:`.organization`) and its contract pool.
        base_url: the API's base URL (the simulator's, in the demo and tests).
        start_date, end_date: an explicit window (UTC days, inclusive) to backfill; by default from each
            resource's last loaded day minus ``lookback_days`` (or ``initial_days`` back on a first run) to
            yesterday. An end after yesterday is capped at yesterday (the last complete day).
        request_log_dir: where every process's clients log their recent requests, per team, so one run's
            requests count against the next's rate limit.
    """
    team_clients = {
        label: client_factory(
            key, label, base_url, rate_limit_window=rate_limit_window, request_log_dir=request_log_dir
        )
        for label, key in teams.items()
    }
    clients: Clients = dict(team_clients)
    pool: dict = {}
    if organization is not None:
        org = client_factory(
            organization.api_key,
            organization.organization_id,
            base_url,
            rate_limit_window=rate_limit_window,
            request_log_dir=request_log_dir,
            kind="organization",
        )
        pool = pooled_usage(org, organization.organization_id)
        org_clients, labels = organization_teams(org, organization, pool, team_clients)
        clients |= org_clients
        pool |= {"organization_id": organization.organization_id, "labels": labels}
    request = Request(start_date, capped_end(end_date), lookback_days, initial_days)
    groups = CycleGroups(clients, request)
    return (
        members(clients),
        daily_usage(clients, request),
        usage_events(clients, request),
        spend_snapshots(clients),
        audit_logs(clients, request),
        billing_groups(groups),
        billing_group_members(groups),
        pooled_usage_snapshots(pool),
        *ai_code_resources(team_clients, request),  # the Organization API has no AI Code Tracking or Analytics
    )


@dlt.resource(**schema.MEMBERS.resource())
def members(clients: Clients) -> Iterator[TDataItem]:
    """The current roster; dlt's scd2 strategy dates joins and departures from the run that sees them."""

    def read(label: str, client: CursorClient) -> Iterator[list[dict]]:
        roster = client.get(settings.MEMBERS_PATH).get("teamMembers")
        if not isinstance(roster, list):
            raise CursorResponseError(f"team {label!r}: /teams/members has no teamMembers list")
        count("members", label, 1, 1)
        yield [records.member_row(r, label) for r in roster]

    yield from side_by_side(clients, read)


@dlt.resource(**schema.DAILY_USAGE.resource())
def daily_usage(clients: Clients, request: Request) -> Iterator[TDataItem]:
    """Per member and day, for every member with a membership (the paginated all-members mode)."""
    extracted_at = datetime.now(UTC)

    def read(label: str, client: CursorClient) -> Iterator[list[dict]]:
        start, end = request.window(label)
        ranges = chunks(start, end)
        for lo, hi in ranges:
            fetch = windowed_post(client, settings.DAILY_USAGE_PATH, lo, hi, settings.DAILY_USAGE_PAGE_SIZE)
            for _, answer in pages(fetch):
                rows = [records.daily_row(r, label, extracted_at) for r in answer.get("data") or []]
                if rows:
                    yield rows
            count("daily_usage", label, 1, len(ranges))
        mark_loaded(label, end)

    yield from or_empty_table(side_by_side(clients, read))


@dlt.resource(**schema.USAGE_EVENTS.resource())
def usage_events(clients: Clients, request: Request) -> Iterator[TDataItem]:
    """Every request event, all pages at the maximum page size, window by window. Each next page is fetched
    while this one is turned into columns; they reach dlt as Arrow tables of up to EVENTS_PER_TABLE rows, all
    with the declared columns, stamped with the load id as dlt stamps the rows of the other tables."""
    load_id = dlt.current.load_package_state()["load_id"]
    extracted_at = datetime.now(UTC)

    def read(label: str, client: CursorClient) -> Iterator[pa.Table]:
        start, end = request.window(label)
        for lo, hi in chunks(start, end):
            yield from _event_tables(client, label, lo, hi, load_id, extracted_at)
        mark_loaded(label, end)

    # none: the table with its declared columns (dlt's marker would add a _dlt_id Arrow loads lack)
    yield from or_empty_table(side_by_side(clients, read), EVENT_SCHEMA.empty_table())


def _event_tables(
    client: CursorClient, label: str, lo: int, hi: int, load_id: str, extracted_at: datetime
) -> Iterator[pa.Table]:
    """One window's events as Arrow tables; never an empty one."""
    seen = records.EventCounts()
    tables: list[pa.Table] = []
    fetch = windowed_post(client, settings.USAGE_EVENTS_PATH, lo, hi, settings.EVENTS_PAGE_SIZE)
    for page, answer in pages(fetch):
        events = answer.get("usageEvents")
        if not isinstance(events, list):
            raise CursorResponseError(f"team {label!r}: usage events page has no usageEvents list")
        if page == 1:
            count("usage_events", label, 0, inc_total=int(answer.get("totalUsageEventsCount") or 0))
        if not events:
            continue
        columns = records.event_columns(events, label, extracted_at, seen)
        columns["_dlt_load_id"] = [load_id] * len(events)
        tables.append(records.as_table(columns, EVENT_SCHEMA))
        count("usage_events", label, len(events))
        if sum(table.num_rows for table in tables) >= EVENTS_PER_TABLE:
            yield pa.concat_tables(tables, promote_options="default")
            tables = []
    if tables:
        yield pa.concat_tables(tables, promote_options="default")


@dlt.resource(**schema.SPEND_SNAPSHOTS.resource())
def spend_snapshots(clients: Clients) -> Iterator[TDataItem]:
    """The current cycle's spend per member; the API forgets past cycles, so each run keeps a dated copy."""
    snapshot_at = datetime.now(UTC)

    def read(label: str, client: CursorClient) -> Iterator[list[dict]]:
        def fetch(page: int) -> dict:
            return client.post(settings.SPEND_PATH, {"page": page, "pageSize": settings.SPEND_PAGE_SIZE})

        for _, answer in pages(fetch):
            cycle_ms = answer.get("subscriptionCycleStart")
            if not isinstance(cycle_ms, int):
                raise CursorResponseError(f"team {label!r}: /teams/spend has no subscriptionCycleStart")
            cycle = datetime.fromtimestamp(cycle_ms / 1000, tz=UTC).date()
            yield records.spend_rows(answer.get("teamMemberSpend") or [], label, cycle, snapshot_at)
            count("spend_snapshots", label, 1, last_page(answer))

    yield from side_by_side(clients, read)


@dlt.resource(**schema.AUDIT_LOGS.resource())
def audit_logs(clients: Clients, request: Request) -> Iterator[TDataItem]:
    """Joins, removals, logins and settings changes (Enterprise plans; other plans get the empty table)."""

    def read(label: str, client: CursorClient) -> Iterator[list[dict]]:
        start, end = request.window(label)
        for lo, hi in chunks(start, end):

            def fetch(page: int, lo: int = lo, hi: int = hi) -> dict:
                params = {"startTime": str(lo), "endTime": str(hi), "page": page, "pageSize": settings.AUDIT_PAGE_SIZE}
                return client.get(settings.AUDIT_LOGS_PATH, params=params)

            answers = enterprise_only(client, settings.AUDIT_LOGS_PATH, lambda fetch=fetch: list(pages(fetch)))
            if answers is None:
                break
            rows = [records.audit_row(r, label) for _, answer in answers for r in answer.get("events") or []]
            if rows:
                yield rows
        mark_loaded(label, end)

    yield from or_empty_table(side_by_side(clients, read))


@dlt.resource(**schema.BILLING_GROUPS.resource())
def billing_groups(groups: CycleGroups) -> Iterator[TDataItem]:
    """Billing groups of the cycles of the window (Enterprise plans)."""
    yield from or_empty_table(side_by_side(groups.clients, lambda label, _: groups.rows(label, 0)))


@dlt.resource(**schema.BILLING_GROUP_MEMBERS.resource())
def billing_group_members(groups: CycleGroups) -> Iterator[TDataItem]:
    """Who is and was in each billing group in the cycles of the window, with the times they joined and left."""
    yield from or_empty_table(side_by_side(groups.clients, lambda label, _: groups.rows(label, 1)))


@dlt.resource(**schema.POOLED_USAGE.resource())
def pooled_usage_snapshots(pool: dict) -> Iterator[TDataItem]:
    """The organization's contract pool as of this run, per team (none without an organization key); the API
    answers only the present, so each run keeps a dated copy."""
    if not pool:
        yield dlt.mark.materialize_table_schema()
        return
    yield pool_rows(pool, pool["organization_id"], pool["labels"], datetime.now(UTC))
