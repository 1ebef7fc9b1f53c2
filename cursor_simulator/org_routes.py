"""The Organization API of a simulated organization (reference §8), as plain functions from request parameters to
response bodies; HTTP concerns (the key, its scopes, rate limits, faults) live in :mod:`.app`.

Every route names the organization: ``organizationId`` in the body (in the query for ``GET
/organizations/members``). It must be the key's organization: another served organization's id is 403
``{"code":"error","message":"Not authorized"}``, an id no organization has 404 ``{"error":"Organization not
found"}``, none at all a 400.

``POST /organizations/pooled-usage`` (:mod:`.pool`) and ``POST /organizations/filtered-usage-events``
(:mod:`.org_events`) follow the reference. The reference did not read the other bodies in detail; here (a simulator
decision) each is its team route's request and envelope over the selected teams, every row with its ``teamId``,
so a team's rows are its own route's rows:

``GET /organizations/members``        ``{"teamMembers": [...]}``, team by team in team-id order
``POST /organizations/daily-usage-data``  dates as the team route; with ``page`` and ``pageSize`` every member
                                      with a membership in the range, paged by users over the teams in team-id order
                                      (``totalUsers`` counts them all), without only the active rows
``POST /organizations/spend``         the team route's body; the rows of all selected teams sorted together (ties
                                      by team id), one ``subscriptionCycleStart`` (the teams share their cycle)

Teams: ``teamIds`` (a list; comma-separated in a query) and ``teamId`` (one), both optional and combined with AND
(none, or an empty list: every team); one that is not the organization's is a 400 ``Team is not linked to this
organization`` (the organization API's wording for such a team). ``pooled-usage`` always answers for every team.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from .endpoints import TeamEndpoints, daily_request, spend_page, spend_request
from .org_events import OrgEventsRoute
from .organization import OrgSpec
from .params import BadRequest, pagination
from .pool import Pool

NOT_LINKED = "Team is not linked to this organization"
_WHAT = {"teamIds": "a list of team ids", "teamId": "a team id"}


class OrgRefusal(Exception):
    """A request for another organization: the status and body the real API answers with."""

    def __init__(self, status: int, body: dict) -> None:
        super().__init__(body)
        self.status, self.body = status, body


class Organization:
    """A served organization: its spec, its teams' routes in team-id order, its routes and its pool."""

    def __init__(self, spec: OrgSpec, endpoints: dict[int, TeamEndpoints]) -> None:
        self.spec = spec
        self.id = spec.resolved_organization_id
        missing = [t for t in spec.teams if t not in endpoints]
        if missing:
            raise ValueError(f"organization {self.id} names teams {missing} that the simulator does not serve")
        self.endpoints = {team_id: endpoints[team_id] for team_id in sorted(spec.teams)}
        self.teams = [e.usage for e in self.endpoints.values()]
        first = self.teams[0].spec
        for team in self.teams:
            if team.spec.plan != "enterprise":
                raise ValueError(f"team {team.spec.resolved_team_id} is on plan {team.spec.plan}, not enterprise")
            if (team.spec.end_date, team.spec.cycle_day) != (first.end_date, first.cycle_day):
                raise ValueError("an organization's teams share their end date and billing-cycle day")
        self.pool = Pool(spec, self.teams)
        routes = {team_id: e.usage_events for team_id, e in self.endpoints.items()}
        self.events_route = OrgEventsRoute(routes, first.end_date)

    def answer(self, route: str, request: dict, known: set[str]) -> dict:
        """The body of ``route`` (``org-members``, ``org-daily-usage``, ``org-spend``, ``org-events``,
        ``org-pooled-usage``) for a JSON body or query ``request``; ``known``: every served organization's id."""
        self._check_named(request.get("organizationId"), known)
        if route == "org-pooled-usage":
            return self.pool.on(self.pool.end_date).as_json()
        routes = {
            "org-events": self.events_route, "org-members": self.members, "org-daily-usage": self.daily_usage,
            "org-spend": self.spend,
        }  # fmt: skip
        return routes[route](request, self.selected(request))

    def _check_named(self, asked: object, known: set[str]) -> None:
        if asked is None or asked == "":
            raise BadRequest("organizationId is required")
        if not isinstance(asked, str):
            raise BadRequest("organizationId must be a string")
        if asked != self.id:
            if asked in known:
                raise OrgRefusal(403, {"code": "error", "message": "Not authorized"})
            raise OrgRefusal(404, {"error": "Organization not found"})

    def selected(self, request: dict) -> list[int]:
        """The team ids ``teamIds`` and ``teamId`` select, in team-id order."""
        chosen = set(self.endpoints)
        for asked in (_team_ids(request, "teamIds"), _team_ids(request, "teamId")):
            if asked:
                if not set(asked) <= set(self.endpoints):
                    raise BadRequest(NOT_LINKED)
                chosen &= set(asked)
        return sorted(chosen)

    # -- the routes the reference did not read in detail ------------------------------------------------------

    def members(self, request: dict, team_ids: list[int]) -> dict:
        include_removed = next(iter(self.endpoints.values())).options.include_removed_members  # the simulator's
        rows = [
            row | {"teamId": team_id}
            for team_id in team_ids
            for row in self.endpoints[team_id].members(include_removed)["teamMembers"]
        ]
        return {"teamMembers": rows}

    def daily_usage(self, request: dict, team_ids: list[int]) -> dict:
        start, end, page, size = daily_request(request)
        windows = {team_id: self.endpoints[team_id].daily_users(start, end) for team_id in team_ids}
        users = [(team_id, member) for team_id in team_ids for member in windows[team_id][1]]
        out: dict = {"data": [], "period": {"startDate": start, "endDate": end}}
        if page is not None:
            out["pagination"] = pagination(page, size, len(users), "totalUsers")
            users = users[(page - 1) * size : page * size]
        for team_id, group in groupby(users, key=lambda pair: pair[0]):
            members = [member for _, member in group]
            rows = self.endpoints[team_id].daily_rows(members, windows[team_id][0], paginated=page is not None)
            out["data"] += [row | {"teamId": team_id} for row in rows]
        return out

    def spend(self, request: dict, team_ids: list[int]) -> dict:
        page, size, term, sort_by, descending = spend_request(request)
        keyed = []
        for team_id in team_ids:
            team = self.endpoints[team_id]
            key = team.spend_sort_key(sort_by)
            keyed += [(key(row) + (team_id,), row | {"teamId": team_id}) for row in team.spend_rows(term)]
        keyed.sort(key=lambda pair: pair[0], reverse=descending)
        cycle_start = next(iter(self.endpoints.values())).cycle_start_ms()
        return spend_page([row for _, row in keyed], page, size, cycle_start)


def serve_organizations(specs: Sequence[OrgSpec], teams: list[TeamEndpoints]) -> dict[str, Organization]:
    """The organizations by key, checked: keys and ids unique and no team's key, each team in one organization."""
    by_id: dict[int, TeamEndpoints] = {}
    for team in teams:
        by_id.setdefault(team.spec.resolved_team_id, team)
    team_keys = {team.spec.api_key for team in teams}
    organizations: dict[str, Organization] = {}
    seen_teams: set[int] = set()
    for spec in specs:
        if spec.api_key in team_keys or spec.api_key in organizations:
            raise ValueError("an Organization API key must differ from every other key the simulator serves")
        if any(sum(t.spec.resolved_team_id == team_id for t in teams) > 1 for team_id in spec.teams):
            raise ValueError("two served teams share an id an organization names: give them distinct team_id")
        if seen_teams & set(spec.teams):
            raise ValueError(f"teams {sorted(seen_teams & set(spec.teams))} are in two organizations")
        seen_teams |= set(spec.teams)
        organization = Organization(spec, by_id)
        if organization.id in {org.id for org in organizations.values()}:
            raise ValueError(f"two organizations have the id {organization.id}")
        organizations[spec.api_key] = organization
    return organizations


def from_query(params: dict) -> dict:
    """A query (``GET /organizations/members``) as a JSON body: ``teamIds`` comma-separated, ``teamId`` digits."""
    request = dict(params)
    for name in ("teamIds", "teamId"):
        if request.get(name):
            parts = [part.strip() for part in request[name].split(",")]
            if not all(part.isdigit() for part in parts) or (name == "teamId" and len(parts) > 1):
                raise BadRequest(f"{name} must be {_WHAT[name]}")
            request[name] = [int(part) for part in parts] if name == "teamIds" else int(parts[0])
    return request


def _team_ids(request: dict, name: str) -> list[int]:
    """The team ids of ``teamIds`` (a list) or ``teamId`` (one number); none when absent or empty."""
    value = request.get(name)
    values = value if name == "teamIds" else [value]
    if value is None or values == []:
        return []
    if not isinstance(values, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise BadRequest(f"{name} must be {_WHAT[name]}")
    return values
