"""The simulator's ASGI app: Basic auth, plans, per-team rate limits, faults, and the endpoints.

Control routes under ``/_simulator/`` (not part of the real API) let tests and benchmarks switch faults,
simulate a late change of yesterday's costs, read request statistics and list the planted scenarios over HTTP.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import math
import re
import threading
import time
from collections import Counter, defaultdict, deque

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import faults as fault_kinds
from .audit import audit_logs
from .endpoints import BadRequest, TeamEndpoints
from .faults import Fault, FaultBoard
from .options import SimulatorOptions
from .team import TeamSpec
from .usage import TeamUsage

WELL_FORMED_KEY = re.compile(r"^(key|crsr)_[A-Za-z0-9]{64}$")
RATE_LIMITS = {"admin": 20, "events": 60}  # requests per window, per team (reference §1.4)
ENTERPRISE_ONLY = ("audit-logs", "groups")


def _json(status: int, body: dict, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def _error(status: int, reason: str, message: str, headers: dict | None = None) -> Response:
    return _json(status, {"error": reason, "message": message}, headers)


class RateLimiter:
    """At most ``RATE_LIMITS[group]`` requests per team and route group in a window: fixed windows, like the real
    API's "reset every minute", or a sliding window over the last ``window_seconds``."""

    def __init__(self, window_seconds: float, mode: str = "fixed") -> None:
        self.window = window_seconds
        self.mode = mode
        self._counts: Counter = Counter()
        self._recent: dict[tuple[int, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, team: int, group: str) -> float | None:
        """None when allowed (and counted), else the seconds until a request would be allowed again."""
        now = time.monotonic()
        with self._lock:
            return self._fixed(team, group, now) if self.mode == "fixed" else self._sliding(team, group, now)

    def _fixed(self, team: int, group: str, now: float) -> float | None:
        window = math.floor(now / self.window)
        key = (team, group, window)
        if self._counts[key] >= RATE_LIMITS[group]:
            return (window + 1) * self.window - now
        self._counts[key] += 1
        return None

    def _sliding(self, team: int, group: str, now: float) -> float | None:
        recent = self._recent[(team, group)]
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(recent) >= RATE_LIMITS[group]:
            return recent[0] + self.window - now  # until the oldest request leaves the window
        recent.append(now)
        return None


class Simulator:
    """One or more simulated teams behind one base URL; the team is chosen by the API key."""

    def __init__(self, teams: list[TeamSpec], options: SimulatorOptions | None = None) -> None:
        self.options = options or SimulatorOptions()
        self.teams = {spec.api_key: TeamUsage(spec) for spec in teams}
        self._endpoints = {key: TeamEndpoints(usage, self.options) for key, usage in self.teams.items()}
        self.faults = FaultBoard(self.options.faults)
        self.limiter = RateLimiter(self.options.window_seconds, self.options.rate_limit_mode)
        self.stats: Counter = Counter()
        self._stats_lock = threading.Lock()
        self.app = Starlette(routes=self._routes())

    # -- in-process helpers for tests ------------------------------------------------------------------------

    def team(self, api_key: str | None = None) -> TeamUsage:
        return self.teams[api_key] if api_key else next(iter(self.teams.values()))

    def set_late_change(self, enabled: bool) -> None:
        for usage in self.teams.values():
            usage.late_change = enabled

    def count(self, route: str | None = None, status: int | None = None) -> int:
        with self._stats_lock:
            return sum(
                n
                for (r, s), n in self.stats.items()
                if (route is None or r == route) and (status is None or s == status)
            )

    # -- HTTP ------------------------------------------------------------------------------------------------

    def _routes(self) -> list[Route]:
        api = [
            ("/teams/members", "GET", "members"),
            ("/teams/daily-usage-data", "POST", "daily-usage"),
            ("/teams/spend", "POST", "spend"),
            ("/teams/filtered-usage-events", "POST", "events"),
            ("/teams/audit-logs", "GET", "audit-logs"),
            ("/teams/groups", "GET", "groups"),
        ]
        routes = [Route(path, self._handler(name), methods=[method]) for path, method, name in api]
        routes += [
            Route("/_simulator/faults", self._set_faults, methods=["POST", "DELETE"]),
            Route("/_simulator/late-change", self._late_change, methods=["POST"]),
            Route("/_simulator/stats", self._stats, methods=["GET"]),
            Route("/_simulator/scenarios", self._scenarios, methods=["GET"]),
        ]
        return routes

    def _handler(self, route: str):
        async def handle(request: Request) -> Response:
            response = await self._respond(route, request)
            with self._stats_lock:
                self.stats[(route, response.status_code)] += 1
            return response

        return handle

    def _authenticate(self, request: Request) -> tuple[TeamUsage | None, Response | None]:
        header = request.headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic" or not encoded:
            return None, _error(401, "Unauthorized", "Invalid API key")
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None, _error(401, "Unauthorized", "Invalid API key")
        usage = self.teams.get(user)
        if usage is None or password:
            message = "Invalid Team API Key" if WELL_FORMED_KEY.match(user) else "Invalid API key"
            return None, _error(401, "Unauthorized", message)
        return usage, None

    def _plan_error(self, usage: TeamUsage, route: str) -> Response | None:
        plan = usage.spec.plan
        if plan == "personal":
            return _error(404, "Not Found", "Team not found")
        if plan == "no-admin-api" or (plan == "business" and route in ENTERPRISE_ONLY):
            return _error(403, "Forbidden", "Enterprise access required")
        return None

    async def _respond(self, route: str, request: Request) -> Response:
        usage, failure = self._authenticate(request)
        if failure is not None:
            return failure
        failure = self._plan_error(usage, route)
        if failure is not None:
            return failure
        if self.options.rate_limits:
            wait = self.limiter.check(usage.spec.resolved_team_id, "events" if route == "events" else "admin")
            if wait is not None:
                headers = {"Retry-After": str(max(1, math.ceil(wait)))} if self.options.retry_after else None
                return _error(429, "Too Many Requests", "Rate limit exceeded. Please try again later.", headers)
        hits = self.faults.take(route)
        for fault in hits:
            if fault.kind == "5xx":
                return _error(fault.status, "Internal Server Error", "An unexpected error occurred")
            if fault.kind == "429":
                headers = {"Retry-After": str(math.ceil(fault.delay))} if fault.delay else None
                return _error(429, "Too Many Requests", "Rate limit exceeded. Please try again later.", headers)
            if fault.kind in ("slow", "timeout"):
                await asyncio.sleep(fault.delay if fault.delay is not None else (0.5 if fault.kind == "slow" else 30))
            if fault.kind == "malformed":
                return Response("<html><body>502 Bad Gateway</body></html>", 200, media_type="application/json")
        try:
            body = await self._body(route, usage, request)
        except BadRequest as exc:
            return _error(400, "Bad Request", str(exc))
        for fault in hits:
            if fault.kind == "extra_fields":
                body = fault_kinds.add_extra_fields(body, route)
            elif fault.kind == "type_change":
                body = fault_kinds.change_field_type(body, route)
            elif fault.kind == "legacy_v1":
                body = fault_kinds.legacy_v1(body, route)
        payload = orjson.dumps(body)
        if any(f.kind == "truncated" for f in hits):
            payload = payload[: len(payload) // 2]
        return Response(payload, 200, media_type="application/json")

    async def _body(self, route: str, usage: TeamUsage, request: Request) -> dict:
        endpoints = self._endpoints[usage.spec.api_key]
        if route == "members":
            if usage.spec.plan == "empty-team":
                return {"teamMembers": []}
            return endpoints.members(self.options.include_removed_members)
        if route == "audit-logs":
            return audit_logs(usage, dict(request.query_params))
        if route == "groups":
            return endpoints.groups(request.query_params.get("billingCycle"))
        raw = await request.body()
        try:
            body = orjson.loads(raw) if raw else {}
        except orjson.JSONDecodeError as exc:
            raise BadRequest("Request body must be JSON") from exc
        if not isinstance(body, dict):
            raise BadRequest("Request body must be a JSON object")
        handler = {
            "daily-usage": endpoints.daily_usage,
            "spend": endpoints.spend,
            "events": endpoints.usage_events,
        }
        return handler[route](body)

    # -- control routes --------------------------------------------------------------------------------------

    async def _set_faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.faults.replace([])
            return _json(200, {"faults": []})
        try:
            specs = orjson.loads(await request.body()).get("faults", [])
            faults = [Fault(**spec) for spec in specs]
        except (orjson.JSONDecodeError, TypeError, ValueError, AttributeError) as exc:
            return _error(400, "Bad Request", f"faults must be a list of fault objects: {exc}")
        self.faults.replace(faults)
        return _json(200, {"faults": specs})

    async def _late_change(self, request: Request) -> Response:
        raw = await request.body()
        enabled = bool(orjson.loads(raw).get("enabled", True)) if raw else True
        self.set_late_change(enabled)
        return _json(200, {"lateChange": enabled})

    async def _stats(self, request: Request) -> Response:
        with self._stats_lock:
            rows = [{"route": r, "status": s, "count": n} for (r, s), n in sorted(self.stats.items())]
        return _json(200, {"requests": rows})

    async def _scenarios(self, request: Request) -> Response:
        rows = [
            {"teamId": usage.spec.resolved_team_id} | planted.as_json()
            for usage in self.teams.values()
            for planted in usage.planted
        ]
        return _json(200, {"scenarios": rows})
