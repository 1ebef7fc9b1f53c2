"""The simulator's ASGI app: Basic auth, plans, per-team rate limits, faults, ETags, and the endpoints; the
Organization API's keys, scopes and limits (its routes' bodies are :mod:`.org_routes`).

Control routes under ``/_simulator/`` (not part of the real API) are in :mod:`.control`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import math
import threading
from collections import Counter
from collections.abc import Sequence

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import faults as fault_kinds
from .audit import audit_logs
from .control import control_routes
from .endpoints import BadRequest, TeamEndpoints
from .faults import FaultBoard
from .limits import RateLimiter, limit_group
from .options import SimulatorOptions
from .org_routes import Organization, OrgRefusal, from_query, serve_organizations
from .organization import OrgSpec
from .params import WELL_FORMED_KEY, json_object
from .responses import CACHE_CONTROL, RATE_LIMITED, code_error, error, etag_of, json_response, matches
from .team import TeamSpec
from .usage import TeamUsage

ENTERPRISE_ONLY = ("audit-logs", "groups")  # and every Analytics and AI Code Tracking route
API = (  # path, method, route name (in statistics and faults)
    ("/teams/members", "GET", "members"),
    ("/teams/daily-usage-data", "POST", "daily-usage"),
    ("/teams/spend", "POST", "spend"),
    ("/teams/filtered-usage-events", "POST", "events"),
    ("/teams/audit-logs", "GET", "audit-logs"),
    ("/teams/groups", "GET", "groups"),
    ("/analytics/ai-code/commits", "GET", "ai-code-commits"),
    ("/analytics/ai-code/changes", "GET", "ai-code-changes"),
    ("/analytics/ai-code/commits/{hashes}", "GET", "ai-code-commit-details"),
    *((f"/analytics/team/{m}", "GET", f"analytics-{m}") for m in ("dau", "agent-edits", "tabs", "models")),
    ("/analytics/team/bugbot-reviews", "GET", "analytics-bugbot-reviews"),
    *((f"/analytics/by-user/{m}", "GET", f"analytics-by-user-{m}") for m in ("agent-edits", "tabs")),
    ("/organizations/members", "GET", "org-members"),
    ("/organizations/daily-usage-data", "POST", "org-daily-usage"),
    ("/organizations/spend", "POST", "org-spend"),
    ("/organizations/filtered-usage-events", "POST", "org-events"),
    ("/organizations/pooled-usage", "POST", "org-pooled-usage"),
)
INVALID_ORG_KEY = "Invalid Organization API Key"


def _analytics(route: str) -> bool:
    """The Analytics and AI Code Tracking routes: Enterprise only, with ETags, Bearer tokens accepted."""
    return route.startswith(("analytics-", "ai-code-"))


class Simulator:
    """One or more simulated teams behind one base URL, and organizations of some of them; the team or
    organization is chosen by the API key."""

    def __init__(
        self, teams: list[TeamSpec], options: SimulatorOptions | None = None, organizations: Sequence[OrgSpec] = ()
    ) -> None:
        self.options = options or SimulatorOptions()
        self.teams = {spec.api_key: TeamUsage(spec) for spec in teams}
        self._endpoints = {key: TeamEndpoints(usage, self.options) for key, usage in self.teams.items()}
        self.organizations = serve_organizations(organizations, list(self._endpoints.values()))
        self._organization_ids = {org.id for org in self.organizations.values()}
        self.faults = FaultBoard(self.options.faults)
        self.limiter = RateLimiter(self.options.window_seconds, self.options.rate_limit_mode)
        self.stats: Counter = Counter()
        self._stats_lock = threading.Lock()
        routes = [Route(path, self._handler(name), methods=[method]) for path, method, name in API]
        self.app = Starlette(routes=routes + control_routes(self))

    # -- in-process helpers for tests ------------------------------------------------------------------------

    def team(self, api_key: str | None = None) -> TeamUsage:
        return self.teams[api_key] if api_key else next(iter(self.teams.values()))

    def organization(self, api_key: str | None = None) -> Organization:
        """A served organization (by its key; the first by default): ``.pool`` is its pool's ground truth."""
        return self.organizations[api_key] if api_key else next(iter(self.organizations.values()))

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

    def stats_rows(self) -> list[dict]:
        with self._stats_lock:
            return [{"route": r, "status": s, "count": n} for (r, s), n in sorted(self.stats.items())]

    # -- HTTP ------------------------------------------------------------------------------------------------

    def _handler(self, route: str):
        async def handle(request: Request) -> Response:
            response = await self._respond(route, request)
            with self._stats_lock:
                self.stats[(route, response.status_code)] += 1
            return response

        return handle

    def _authenticate(self, request: Request, route: str) -> tuple[TeamUsage | Organization | None, Response | None]:
        """The team (or, on an organization route, the organization) the key is for, or the 401 answer. A key of
        the other kind is refused as any unknown key."""
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        user, password = None, ""
        if scheme.lower() == "bearer" and _analytics(route):  # as the docs' caching example sends it
            user = encoded
        elif scheme.lower() == "basic" and encoded:
            try:
                user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                pass
        if route.startswith("org-"):
            organization = None if password else self.organizations.get(user)
            return (organization, None) if organization else (None, code_error(401, INVALID_ORG_KEY))
        if user is None:
            return None, error(401, "Unauthorized", "Invalid API key")
        usage = self.teams.get(user)
        if usage is None or password:
            message = "Invalid Team API Key" if WELL_FORMED_KEY.match(user) else "Invalid API key"
            return None, error(401, "Unauthorized", message)
        return usage, None

    def _refusal(self, caller: TeamUsage | Organization, route: str) -> Response | None:
        """What a team whose plan (or alpha access) lacks the route gets, or an organization key without the
        route's scope."""
        if isinstance(caller, Organization):
            missing = caller.spec.grants(route)
            return code_error(401, f"Organization API key missing required scope: {missing}") if missing else None
        plan = caller.spec.plan
        if plan == "personal":
            return error(404, "Not Found", "Team not found")
        if plan == "no-admin-api" or (plan == "business" and (route in ENTERPRISE_ONLY or _analytics(route))):
            return error(403, "Forbidden", "Enterprise access required")
        if route == "ai-code-commit-details" and not self.options.commit_details:
            return error(404, "Not Found", "Resource not found")  # a limited-alpha route the team was not given
        return None

    def _limited(self, caller: TeamUsage | Organization, route: str) -> Response | None:
        if not self.options.rate_limits:
            return None
        owner = caller.id if isinstance(caller, Organization) else caller.spec.resolved_team_id
        wait = self.limiter.check(owner, limit_group(route))
        if wait is None:
            return None
        headers = {"Retry-After": str(max(1, math.ceil(wait)))} if self.options.retry_after else None
        return error(429, "Too Many Requests", RATE_LIMITED, headers)

    async def _respond(self, route: str, request: Request) -> Response:
        usage, failure = self._authenticate(request, route)
        failure = failure or self._refusal(usage, route)
        if failure is not None:
            return failure
        cached = _analytics(route)  # counted after the body: a 304 does not count against the limit
        failure = None if cached else self._limited(usage, route)
        if failure is not None:
            return failure
        hits = self.faults.take(route)
        for fault in hits:
            if fault.kind == "5xx":
                return error(fault.status, "Internal Server Error", "An unexpected error occurred")
            if fault.kind == "429":
                headers = {"Retry-After": str(math.ceil(fault.delay))} if fault.delay else None
                return error(429, "Too Many Requests", RATE_LIMITED, headers)
            if fault.kind in ("slow", "timeout"):
                await asyncio.sleep(fault.delay if fault.delay is not None else (0.5 if fault.kind == "slow" else 30))
            if fault.kind == "malformed":
                return Response("<html><body>502 Bad Gateway</body></html>", 200, media_type="application/json")
        try:
            body = await self._body(route, usage, request)
        except BadRequest as exc:
            return (self._limited(usage, route) if cached else None) or error(400, "Bad Request", str(exc))
        except OrgRefusal as exc:
            return json_response(exc.status, exc.body)
        for fault in hits:
            if fault.kind in ("extra_fields", "type_change", "legacy_v1"):
                body = fault_kinds.CHANGES[fault.kind](body, route)
        payload = orjson.dumps(body)
        headers = None
        if cached:
            headers = {"ETag": etag_of(payload), "Cache-Control": CACHE_CONTROL}
            if matches(request.headers.get("if-none-match"), headers["ETag"]):
                return Response(status_code=304, headers=headers)
            failure = self._limited(usage, route)
            if failure is not None:
                return failure
        if any(f.kind == "truncated" for f in hits):
            payload = payload[: len(payload) // 2]
        return Response(payload, 200, media_type="application/json", headers=headers)

    async def _body(self, route: str, usage: TeamUsage | Organization, request: Request) -> dict:
        params = dict(request.query_params)
        if isinstance(usage, Organization):
            fields = from_query(params) if request.method == "GET" else json_object(await request.body())
            return usage.answer(route, fields, self._organization_ids)
        endpoints = self._endpoints[usage.spec.api_key]
        if route == "members":
            return (
                {"teamMembers": []}
                if usage.spec.plan == "empty-team"
                else endpoints.members(self.options.include_removed_members)
            )
        if route == "audit-logs":
            return audit_logs(usage, params)
        if route == "groups":
            return endpoints.groups(params.get("billingCycle"))
        if _analytics(route):
            return self._analytics_body(route, usage, request, params)
        handler = {"daily-usage": endpoints.daily_usage, "spend": endpoints.spend, "events": endpoints.usage_events}
        return handler[route](json_object(await request.body()))

    @staticmethod
    def _analytics_body(route: str, usage: TeamUsage, request: Request, params: dict) -> dict:
        code = usage.ai_code
        if route == "ai-code-commits":
            return code.routes.commits(params)
        if route == "ai-code-changes":
            return code.routes.changes(params)
        if route == "ai-code-commit-details":
            return code.routes.details(request.path_params["hashes"], params)
        if route == "analytics-bugbot-reviews":
            return code.bugbot.reviews(params)
        if route.startswith("analytics-by-user-"):
            return code.analytics.by_user(route.removeprefix("analytics-by-user-"), params)
        return code.analytics.team(route.removeprefix("analytics-"), params)
