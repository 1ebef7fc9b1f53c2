"""Benchmark 1, API efficiency: a 30-day backfill under the documented rate limits (with a shortened window)
against the minimum the data and the limits allow.

The minimum is counted from the simulator's own data, not from what the client did: per route, the pages
needed at the documented page sizes for the backfill's 30-day windows (at least one request per window), plus
the key check; the AI Code Tracking and Analytics routes (an Enterprise team) included. The minimum wall time is
the issue's: requests / allowed rate, per route group, the largest.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from cursor_simulator import SimulatorOptions, TeamSpec
from cursor_simulator.audit import audit_logs
from cursor_simulator.endpoints import TeamEndpoints
from cursor_simulator.limits import limit_group
from cursor_simulator.usage import DAY_MS, TeamUsage, day_start_ms, ms_to_day
from cursor_spend import load
from dlt_sources.cursor.client import CursorClient
from dlt_sources.cursor.settings import RETENTION_DAYS, route_group

from .report import Figure, Result
from .scales import Scale
from .served import API_KEY, served_requests, settings_for, simulator_process

# The documented limits per window and page sizes (shared/reference/cursor-admin-api.md §1.4, §2, §9), stated here
# rather than read from the client, so a client that shrinks its pages shows up as extra requests.
LIMITS = {"admin": 20, "events": 60, "ai-code-commits": 20, "ai-code-commit-details": 20, "analytics-team": 100,
          "analytics-by-user": 50}  # fmt: skip
PAGE_SIZES = {"events": 1000, "daily-usage": 1000, "audit-logs": 500, "spend": 100,  # spend: max undocumented
              "ai-code-commits": 1000, "analytics-by-user": 500, "analytics-bugbot-reviews": 250}  # fmt: skip
COMMIT_HASHES = 100  # commit hashes per commit-detail request (reference §9)
TEAM_METRICS = ("dau", "agent-edits", "tabs", "models")  # one request per 30 days each: the team-level routes
MAX_RANGE_DAYS = 30


def windows(start: date, end: date) -> list[tuple[int, int]]:
    """The fewest windows the API accepts (at most 30 days each) as inclusive epoch-ms bounds."""
    out = []
    while start <= end:
        last = min(end, start + timedelta(days=MAX_RANGE_DAYS - 1))
        out.append((day_start_ms(start), day_start_ms(last) + DAY_MS - 1))
        start = last + timedelta(days=1)
    return out


def minimum_requests(spec: TeamSpec) -> tuple[Counter, int]:
    """Route -> the fewest requests a backfill of the whole spec needs, and the events it holds."""
    usage = TeamUsage(spec)
    endpoints = TeamEndpoints(usage)
    needed: Counter = Counter({"members": 2, "groups": 1})  # the key check and the roster; one groups call
    events, hashes = 0, set()
    for lo, hi in windows(spec.start_date, spec.end_date):
        page = {"startDate": lo, "endDate": hi, "page": 1}
        answer = endpoints.usage_events(page | {"pageSize": PAGE_SIZES["events"]})
        events += answer["totalUsageEventsCount"]
        needed["events"] += max(1, answer["pagination"]["numPages"])
        daily = endpoints.daily_usage(page | {"pageSize": PAGE_SIZES["daily-usage"]})
        needed["daily-usage"] += max(1, daily["pagination"]["totalPages"])
        audit = audit_logs(usage, {"startTime": str(lo), "endTime": str(hi), "pageSize": PAGE_SIZES["audit-logs"]})
        needed["audit-logs"] += max(1, audit["pagination"]["totalPages"])
        if spec.plan == "enterprise":
            needed += ai_code_minimum(usage, ms_to_day(lo), ms_to_day(hi), hashes)
    needed["ai-code-commit-details"] = math.ceil(len(hashes) / COMMIT_HASHES)  # the load's commits, 100 a request
    needed["spend"] = max(1, endpoints.spend({"page": 1, "pageSize": PAGE_SIZES["spend"]})["totalPages"])
    return needed, events


def ai_code_minimum(usage: TeamUsage, first: date, last: date, hashes: set[str]) -> Counter:
    """Route -> the fewest requests for one window of the AI Code Tracking and Analytics routes: the commit listing's
    pages (the hashes listed are added to ``hashes``), one request per team-level metric, the by-user and Bugbot
    pages."""
    code, days = usage.ai_code, {"startDate": first.isoformat(), "endDate": last.isoformat()}
    instants = {"startDate": f"{first}T00:00:00.000Z", "endDate": f"{last}T23:59:59.999Z"}
    needed, page, pages = Counter(), 1, 1
    while page <= pages:
        answer = code.routes.commits(instants | {"page": page, "pageSize": PAGE_SIZES["ai-code-commits"]})
        hashes |= {item["commitHash"] for item in answer["items"]}
        pages, page = math.ceil(answer["totalCount"] / answer["pageSize"]), page + 1
    needed["ai-code-commits"] = max(1, pages)
    needed.update({f"analytics-{metric}": 1 for metric in TEAM_METRICS})
    for metric in ("agent-edits", "tabs"):
        answer = code.analytics.by_user(metric, days | {"page": 1, "pageSize": PAGE_SIZES["analytics-by-user"]})
        needed[f"analytics-by-user-{metric}"] = max(1, answer["pagination"]["totalPages"])
    reviews = code.bugbot.reviews(days | {"page": 1, "pageSize": PAGE_SIZES["analytics-bugbot-reviews"]})
    needed["analytics-bugbot-reviews"] = max(1, reviews["pagination"]["totalPages"])
    return needed


def group_seconds(spans: list[tuple[float, float, str]]) -> dict[str, float]:
    """Limit group -> seconds from its first request to its last response (the groups are read side by side)."""
    bounds: dict[str, tuple[float, float]] = {}
    for begin, end, path in spans:
        first, last = bounds.get(route_group(path), (begin, end))
        bounds[route_group(path)] = (min(first, begin), max(last, end))
    return {group: round(last - first, 2) for group, (first, last) in sorted(bounds.items())}


def minimum_seconds(requests: Counter, window: float) -> float:
    """Requests / allowed rate, per route group; the groups have separate limits, so the largest counts."""
    groups: Counter = Counter()
    for route, count in requests.items():
        groups[limit_group(route)] += count
    return max(count / LIMITS[group] for group, count in groups.items()) * window


class _TimedClient(CursorClient):
    """The source's client, noting when each request began and ended (limiter waits included), and how long
    its rate limiters made it wait."""

    spans: list[tuple[float, float, str]] = []
    waited: Counter = Counter()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for group, limiter in self.limiters.items():
            limiter.acquire = self._counting(limiter.acquire, group)

    def _counting(self, acquire, group: str):
        def counted(*args, **kwargs) -> float:
            seconds = acquire(*args, **kwargs)
            self.waited[group] += seconds
            return seconds

        return counted

    def request(self, method: str, path: str, **kwargs) -> dict:
        started = time.perf_counter()
        try:
            return super().request(method, path, **kwargs)
        finally:
            self.spans.append((started, time.perf_counter(), path))


def run(scale: Scale, workdir: Path, shared: dict) -> Result:
    window = scale.api_window_seconds
    spec = TeamSpec(
        api_key=API_KEY,
        members=scale.api_members,
        days=scale.api_days,
        end_date=scale.end_date,
        events_per_active_day=scale.api_events_per_active_day,
        retention_days=max(RETENTION_DAYS, scale.api_days),
    )
    clients: list[_TimedClient] = []

    def client_factory(*args, **kwargs) -> CursorClient:
        clients.append(_TimedClient(*args, **kwargs))
        return clients[-1]

    _TimedClient.spans, _TimedClient.waited = [], Counter()
    options = SimulatorOptions(rate_limits=True, window_seconds=window)
    with simulator_process(spec, options) as base_url:
        settings = settings_for(base_url, workdir / "api" / "cursor_spend.duckdb", rate_limit_window=window)
        started = time.perf_counter()
        rows = load.load(settings, spec.start_date, spec.end_date, client_factory=client_factory)
        wall = time.perf_counter() - started
        served = served_requests(base_url)
    spans = sorted(_TimedClient.spans)
    api_seconds = max(end for _, end, _ in spans) - spans[0][0]
    in_requests = sum(end - begin for begin, end, _ in spans)
    needed, events = minimum_requests(spec)
    made = Counter()
    for (route, _status), n in served.items():
        made[route] += n
    throttled = sum(n for (_route, status), n in served.items() if status == 429)
    floor = minimum_seconds(needed, window)
    extra = 100 * (sum(made.values()) - sum(needed.values())) / sum(needed.values())
    result = Result(
        name="api",
        title="1. API efficiency",
        parameters={
            "members": spec.members,
            "days": spec.days,
            "events_per_active_day": spec.events_per_active_day,
            "window_seconds": window,
            "limits_per_window": LIMITS,
            "page_sizes": PAGE_SIZES,
        },
    )
    result.figures = {
        "events": Figure("usage events backfilled", rows.get("usage_events", 0)),
        "requests_made": Figure("requests made", sum(made.values())),
        "requests_minimum": Figure("requests needed at least", sum(needed.values())),
        "extra_requests_pct": Figure("extra requests", extra, "%", "≤ 2%", extra <= 2),
        "responses_429": Figure("429 responses", throttled, "", "0", throttled == 0),
        "api_seconds": Figure("API time, first to last request of the extract", api_seconds, "s"),
        "minimum_seconds": Figure("minimum API time (requests / allowed rate)", floor, "s"),
        "api_vs_minimum": Figure("API time / minimum", api_seconds / floor, "x", "≤ 1.10x", api_seconds / floor <= 1.1),
        "wall_seconds": Figure("whole backfill (check, extract, normalize, load)", wall, "s"),
    }
    result.details = {
        "events_served": events,
        "requests_by_route": {route: {"made": made[route], "minimum": needed[route]} for route in sorted(needed)},
        "client_requests_sent": sum(c.requests_sent for c in clients),
        "client_429s": sum(c.responses_429 for c in clients),
        "served": {f"{route} {status}": n for (route, status), n in sorted(served.items())},
        "rows_loaded": rows,
        "burst_floor_seconds": (math.ceil(needed["events"] / LIMITS["events"]) - 1) * window,
        "limiter_wait_seconds": dict(_TimedClient.waited),
        "seconds_in_requests": in_requests,  # limiter waits and HTTP round trips, summed over the routes read at once
        "api_seconds_by_group": group_seconds(spans),  # each limit group's first request to its last response
        "last_requests": [
            (round(b - spans[0][0], 2), round(e - spans[0][0], 2), route_group(p)) for b, e, p in spans[-5:]
        ],
    }
    result.notes = [
        f"API efficiency: {spec.members} members, {spec.days} days, {events:,} events, the documented limits (20 admin "
        "and 60 usage-events requests per window; 20 per AI Code Tracking route, 100 team-level and 50 by-user "
        f"Analytics) with the window shortened to {window:g} s. The API time runs "
        "from the extract's first request to its last response; the key check's one request before it is counted "
        "in the requests. The limits allow a first window's requests at once, so a run can end up to one window "
        "under requests / rate."
    ]
    if rows.get("usage_events") != events:
        result.error = f"loaded {rows.get('usage_events')} usage events, the simulator served {events}"
    return result
