"""Resources of the Enterprise-only AI Code Tracking and Analytics APIs (reference §9): the commits the AI helped
write and their AI-written line ranges, Cursor's own daily adoption figures (active people, agent edits, tabs,
models, per team and per user) and Bugbot's reviews of pull requests.

Read as the Admin API's windowed resources are (:mod:`.source`): per team, from each resource's own last loaded
day minus the lookback, 30 days a request, the days kept in dlt's state, every table merged on its natural key so
re-reading a window (a rerun, a backfill, the lookback) changes nothing. A plan without these APIs (403) skips
them with one warning per route (the line ranges go with the commits, the bugs with the reviews) and loads nothing
else differently; a team without the limited-alpha commit-detail route (404) skips the line ranges with one
warning, and the marts then allocate every cost. Commit details are read for the distinct commits of the window,
``MAX_COMMIT_HASHES`` a request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Generic, TypeVar

import dlt
from dlt.common.typing import TDataItem
from dlt.sources import DltResource

from . import ai_code_records as records
from . import ai_code_schema as schema
from . import settings
from .client import CursorClient
from .paging import enterprise_only, pages
from .progress import count
from .reading import Once, in_pieces, or_empty_table, side_by_side
from .state import mark_loaded
from .windows import Request, day_chunks

T = TypeVar("T")
Clients = dict[str, CursorClient]
# team, client, first and last day -> the rows (None: none), or an iterator of lists of rows, yielded as they come
Read = Callable[[str, CursorClient, date, date], list[dict] | Iterator[list[dict]] | None]
DETAILS_ROUTE = settings.AI_COMMIT_DETAILS_PATH + ":hash"  # as warnings name it
NO_ALPHA = {404: "the team has no access to this limited-alpha route (404): costs are allocated, none is linked."}


def ai_code_resources(clients: Clients, request: Request) -> tuple[DltResource, ...]:
    """The resources of the AI Code Tracking and Analytics APIs, for :func:`.source.cursor_source`."""
    commits: Shared[list[dict]] = Shared(_commits)
    reviews: Shared[list[dict]] = Shared(_reviews)
    return (
        ai_commits(clients, request, commits),
        ai_commit_ranges(clients, request, commits),
        analytics_dau(clients, request),
        analytics_agent_edits(clients, request),
        analytics_tabs(clients, request),
        analytics_models(clients, request),
        analytics_user_agent_edits(clients, request),
        analytics_user_tabs(clients, request),
        bugbot_reviews(clients, request, reviews),
        bugbot_bugs(clients, request, reviews),
    )


@dlt.resource(**schema.AI_COMMITS.resource())
def ai_commits(clients: Clients, request: Request, commits: Shared[list[dict]]) -> Iterator[TDataItem]:
    """Every listing of the window's commits (an amended commit's two listings too: the marts count it once)."""
    yield from _per_team("ai_commits", clients, request, commits.get)


@dlt.resource(**schema.AI_COMMIT_RANGES.resource())
def ai_commit_ranges(clients: Clients, request: Request, commits: Shared[list[dict]]) -> Iterator[TDataItem]:
    """The AI-written line ranges of the window's commits, each with the conversation that wrote it."""

    def read(team: str, client: CursorClient, start: date, end: date) -> Iterator[list[dict]]:
        """One detail request's ranges at a time: a big team's window has hundreds of thousands."""
        listed = commits.get(team, client, start, end)  # None: the plan has no AI Code Tracking (warned once)
        hashes = list(dict.fromkeys(row["commit_hash"] for row in listed or []))  # as listed: by time, day by day
        for k in range(0, len(hashes), settings.MAX_COMMIT_HASHES):
            path = settings.AI_COMMIT_DETAILS_PATH + ",".join(hashes[k : k + settings.MAX_COMMIT_HASHES])
            answer = enterprise_only(client, DETAILS_ROUTE, lambda p=path: client.get(p), NO_ALPHA)
            if answer is None:
                return
            yield records.range_rows(answer, team)

    yield from _per_team("ai_commit_ranges", clients, request, read)


def _team_metric(metric: str, rows: records.Rows) -> Read:
    path = settings.ANALYTICS_TEAM_PATH + metric
    return lambda team, client, start, end: read_window(client, path, start, end, rows)


def _by_user(metric: str, rows: records.Rows) -> Read:
    path, size = settings.ANALYTICS_BY_USER_PATH + metric, settings.BY_USER_PAGE_SIZE
    return lambda team, client, start, end: read_window(client, path, start, end, rows, page_size=size)


@dlt.resource(**schema.ANALYTICS_DAU.resource())
def analytics_dau(clients: Clients, request: Request) -> Iterator[TDataItem]:
    """Cursor's own count of the team's active people per day (and of those on the CLI, cloud agents, Bugbot)."""
    read = _team_metric("dau", records.team_rows(schema.ANALYTICS_DAU))
    yield from _per_team("analytics_dau", clients, request, read)


@dlt.resource(**schema.ANALYTICS_AGENT_EDITS.resource())
def analytics_agent_edits(clients: Clients, request: Request) -> Iterator[TDataItem]:
    """The team's agent edits per day: diffs and lines suggested, accepted and rejected."""
    read = _team_metric("agent-edits", records.team_rows(schema.ANALYTICS_AGENT_EDITS))
    yield from _per_team("analytics_agent_edits", clients, request, read)


@dlt.resource(**schema.ANALYTICS_TABS.resource())
def analytics_tabs(clients: Clients, request: Request) -> Iterator[TDataItem]:
    """The team's tab completions per day: suggestions and lines accepted and rejected."""
    read = _team_metric("tabs", records.team_rows(schema.ANALYTICS_TABS))
    yield from _per_team("analytics_tabs", clients, request, read)


@dlt.resource(**schema.ANALYTICS_MODELS.resource())
def analytics_models(clients: Clients, request: Request) -> Iterator[TDataItem]:
    """The team's messages and people per model and day."""
    yield from _per_team("analytics_models", clients, request, _team_metric("models", records.model_rows))


@dlt.resource(**schema.ANALYTICS_USER_AGENT_EDITS.resource())
def analytics_user_agent_edits(clients: Clients, request: Request) -> Iterator[TDataItem]:
    """Each person's agent edits per day they were active."""
    read = _by_user("agent-edits", records.user_rows(schema.ANALYTICS_USER_AGENT_EDITS))
    yield from _per_team("analytics_user_agent_edits", clients, request, read)


@dlt.resource(**schema.ANALYTICS_USER_TABS.resource())
def analytics_user_tabs(clients: Clients, request: Request) -> Iterator[TDataItem]:
    """Each person's tab completions per day they were active."""
    read = _by_user("tabs", records.user_rows(schema.ANALYTICS_USER_TABS))
    yield from _per_team("analytics_user_tabs", clients, request, read)


@dlt.resource(**schema.BUGBOT_REVIEWS.resource())
def bugbot_reviews(clients: Clients, request: Request, reviews: Shared[list[dict]]) -> Iterator[TDataItem]:
    """Bugbot's reviews of pull requests, with what each cost when Bugbot is billed separately."""

    def read(team: str, client: CursorClient, start: date, end: date) -> list[dict] | None:
        answers = reviews.get(team, client, start, end)
        return None if answers is None else records.review_rows(answers, team)

    yield from _per_team("bugbot_reviews", clients, request, read)


@dlt.resource(**schema.BUGBOT_BUGS.resource())
def bugbot_bugs(clients: Clients, request: Request, reviews: Shared[list[dict]]) -> Iterator[TDataItem]:
    """The bugs Bugbot found in each review, with how each was resolved."""

    def read(team: str, client: CursorClient, start: date, end: date) -> list[dict] | None:
        answers = reviews.get(team, client, start, end)
        return None if answers is None else records.bug_rows(answers, team)

    yield from _per_team("bugbot_bugs", clients, request, read)


# -- reading ---------------------------------------------------------------------------------------------------


def _per_team(name: str, clients: Clients, request: Request, read: Read) -> Iterator[TDataItem]:
    """Each team's rows of its window (the calling resource's state), then the window marked loaded, the teams
    side by side; the empty table when no team has any (a plan without the API, a window without data)."""

    def team_rows(team: str, client: CursorClient) -> Iterator[list[dict]]:
        start, end = request.window(team)
        rows = read(team, client, start, end)
        for some in rows if isinstance(rows, Iterator) else [rows]:
            yield from in_pieces(some or [])
        count(name, team, 1, 1)
        mark_loaded(team, end)

    yield from or_empty_table(side_by_side(clients, team_rows))


def read_window(
    client: CursorClient, path: str, start: date, end: date, rows: records.Rows, page_size: int | None = None,
    dates: Callable[[date, date], dict] | None = None,
) -> list[dict] | None:  # fmt: skip
    """The rows of every page of ``path`` over the days ``start`` .. ``end``, 30 days a request; None (with one
    warning) when the plan does not include the route. ``dates`` gives a request's date parameters (default: the
    Analytics API's days)."""
    out = []
    for first, last in day_chunks(start, end):
        params = (dates or _days)(first, last)

        def fetch(page: int, params: dict = params) -> dict:
            return client.get(path, params=params | ({"page": page, "pageSize": page_size} if page_size else {}))

        def read(fetch: Callable[[int], dict] = fetch) -> list[dict]:  # each answer dropped once it is rows
            return [row for _, answer in pages(fetch) for row in rows(answer, client.team)]

        some = enterprise_only(client, path, read)
        if some is None:
            return None
        out += some
    return out


def _days(first: date, last: date) -> dict:
    """The Analytics API's dates: UTC days, both inclusive."""
    return {"startDate": first.isoformat(), "endDate": last.isoformat()}


def _instants(first: date, last: date) -> dict:
    """The AI Code Tracking API's dates: instants, 00:00:00.000 UTC of the first day to 23:59:59.999 of the last."""
    return {"startDate": f"{first.isoformat()}T00:00:00.000Z", "endDate": f"{last.isoformat()}T23:59:59.999Z"}


def _commits(client: CursorClient, start: date, end: date) -> list[dict] | None:
    extracted_at = datetime.now(UTC)

    def rows(answer: dict, team: str) -> list[dict]:
        return records.commit_rows(answer, team, extracted_at)

    return read_window(client, settings.AI_COMMITS_PATH, start, end, rows, settings.AI_COMMITS_PAGE_SIZE, _instants)


def _reviews(client: CursorClient, start: date, end: date) -> list[dict] | None:
    """Bugbot reviews as the API lists them (the review and bug tables both read them)."""
    path = settings.ANALYTICS_TEAM_PATH + "bugbot-reviews"
    return read_window(client, path, start, end, lambda answer, _: answer.get("data") or [], settings.BUGBOT_PAGE_SIZE)


class Shared(Generic[T]):
    """What one fetch of a team's window gives two resources (commits and their line ranges, Bugbot reviews and their
    bugs): fetched once, by whichever resource asks first, for each (team, window)."""

    def __init__(self, fetch: Callable[[CursorClient, date, date], T | None]) -> None:
        self.fetch = fetch
        self._answers: Once[T | None] = Once()

    def get(self, team: str, client: CursorClient, start: date, end: date) -> T | None:
        return self._answers.get((team, start, end), lambda: self.fetch(client, start, end))
