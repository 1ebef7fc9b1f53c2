"""Per-team rate limits, by route group (reference §1.4): 20 requests a minute on the admin routes together, 60 on
the events route, 20 on each AI Code Tracking route, 100 on the team-level Analytics routes together (Bugbot reviews
included) and 50 on the by-user Analytics routes together. ETag hits (304) are not counted.

An organization key has limits of its own, apart from its teams' (a simulator decision: the reference gives the
numbers, not whose they are): 60 a minute on ``/organizations/filtered-usage-events`` and 20 on the other
organization routes together (the reference's "Org usage routes 20 req/min": daily usage, spend, members and
pooled usage)."""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, defaultdict, deque

RATE_LIMITS = {
    "admin": 20, "events": 60, "ai-code-commits": 20, "ai-code-changes": 20, "ai-code-commit-details": 20,
    "analytics-team": 100, "analytics-by-user": 50, "org-events": 60, "org-usage": 20,
}  # fmt: skip


def limit_group(route: str) -> str:
    """The group of a route (route names as in the statistics and faults: ``events``, ``ai-code-commits``,
    ``analytics-dau``, ``analytics-by-user-tabs``...)."""
    if route in RATE_LIMITS:
        return route
    if route.startswith("org-"):
        return "org-usage"
    if route.startswith("analytics-by-user-"):
        return "analytics-by-user"
    return "analytics-team" if route.startswith("analytics-") else "admin"


class RateLimiter:
    """At most ``RATE_LIMITS[group]`` requests per team and route group in a window: fixed windows, like the real
    API's "reset every minute", or a sliding window over the last ``window_seconds``."""

    def __init__(self, window_seconds: float, mode: str = "fixed") -> None:
        self.window = window_seconds
        self.mode = mode
        self._counts: Counter = Counter()
        self._recent: dict[tuple[int | str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, team: int | str, group: str) -> float | None:
        """None when allowed (and counted), else the seconds until a request would be allowed again. ``team``: a
        team id, or an organization id for the organization routes."""
        now = time.monotonic()
        with self._lock:
            return self._fixed(team, group, now) if self.mode == "fixed" else self._sliding(team, group, now)

    def _fixed(self, team: int | str, group: str, now: float) -> float | None:
        window = math.floor(now / self.window)
        key = (team, group, window)
        if self._counts[key] >= RATE_LIMITS[group]:
            return (window + 1) * self.window - now
        self._counts[key] += 1
        return None

    def _sliding(self, team: int | str, group: str, now: float) -> float | None:
        recent = self._recent[(team, group)]
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(recent) >= RATE_LIMITS[group]:
            return recent[0] + self.window - now  # until the oldest request leaves the window
        recent.append(now)
        return None
