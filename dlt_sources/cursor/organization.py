"""An Organization API key (reference §8): every team of an organization read through the organization's routes,
each team as if with its own key (labelled by its team id), and the organization's contract pool.

The organization's teams are the ones its pooled usage lists. A team that also has its own key is read with that
key only, under that key's label (the team key wins: it also reads the audit log and billing groups, which the
Organization API lacks, and keeps the history its label already has); a team key's team id is the ``teamId`` its
audit log answers with. So no team is loaded twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from . import schema, settings
from .client import CursorClient
from .errors import CursorAPIError, CursorConfigurationError, CursorResponseError, CursorRouteMissing
from .keys import OrgKey
from .records import check_fields, require

log = logging.getLogger(__name__)
POOL_FIELDS = schema.POOLED_USAGE.fields("pool")
POOL_TEAM_FIELDS = schema.POOLED_USAGE.fields()
ROWS = ("teamMembers", "data", "usageEvents", "teamMemberSpend")  # the row lists of the team routes' answers


class OrgTeamClient:
    """One team of the organization as a team's client: the team routes' requests, sent to the organization's
    routes for this team (``teamIds: [id]``), and their answers without the rows' ``teamId``. The Organization API
    has no audit-log and billing-group routes: those answer as a plan without them does (403), so the team is
    loaded without them (a warning says so)."""

    def __init__(self, org: CursorClient, organization_id: str, team_id: int, label: str) -> None:
        self.org, self.organization_id, self.team_id, self.team = org, organization_id, team_id, label
        self.who = f"team {label!r} (organization {organization_id})"

    def get(self, path: str, params: dict | None = None) -> dict:
        if path != settings.MEMBERS_PATH:
            raise self._unavailable(path)
        asked = (params or {}) | {"organizationId": self.organization_id, "teamIds": str(self.team_id)}
        return _without_team(self.org.get(settings.ORG_MEMBERS_PATH, params=asked))

    def post(self, path: str, body: dict) -> dict:
        if path not in settings.ORG_ROUTES:
            raise self._unavailable(path)
        asked = body | {"organizationId": self.organization_id, "teamIds": [self.team_id]}
        return _without_team(self.org.post(settings.ORG_ROUTES[path], asked))

    def _unavailable(self, path: str) -> CursorRouteMissing:
        why = f"the Organization API has no {path}; give the team its own key (CURSOR_API_KEYS) to load it"
        return CursorRouteMissing(self.who, why)

    def close(self) -> None:
        """The organization's client is shared by its teams and closed with the source."""

    def __enter__(self) -> OrgTeamClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _without_team(answer: dict) -> dict:
    for name in ROWS:
        for row in answer.get(name) or []:
            if isinstance(row, dict):
                row.pop("teamId", None)
    return answer


def pooled_usage(org: CursorClient, organization_id: str) -> dict:
    """The organization's pool now: ``{"pool": {...}, "teams": [{"teamId", "usedCents", "budgetLimitCents"?}]}``."""
    answer = org.post(settings.ORG_POOLED_USAGE_PATH, {"organizationId": organization_id})
    if not isinstance(answer.get("pool"), dict) or not isinstance(answer.get("teams"), list):
        raise CursorResponseError(f"{org.who}: {settings.ORG_POOLED_USAGE_PATH} has no pool object or teams list")
    return answer


def team_id_of(client: CursorClient) -> int | None:
    """The team id of a team key (its audit log's ``params.teamId``); None where the plan has no audit log (such a
    team is in no organization: the Organization API is Enterprise only)."""
    now = datetime.now(UTC)
    window = {"startTime": str(int((now - timedelta(days=1)).timestamp() * 1000)), "page": 1, "pageSize": 1}
    try:
        answer = client.get(settings.AUDIT_LOGS_PATH, params=window | {"endTime": str(int(now.timestamp() * 1000))})
    except CursorConfigurationError as exc:
        if exc.status == 403:
            return None
        raise
    team_id = (answer.get("params") or {}).get("teamId")
    return team_id if isinstance(team_id, int) else None


def organization_teams(
    org: CursorClient, key: OrgKey, pool: dict, team_clients: dict
) -> tuple[dict[str, OrgTeamClient], dict[int, str]]:
    """The clients of the organization's teams that no team key reads, by label, and every team's label by id."""
    keyed = {team_id_of(client): label for label, client in team_clients.items()} if team_clients else {}
    labels: dict[int, str] = {}
    clients: dict[str, OrgTeamClient] = {}
    for team in pool["teams"]:
        team_id = team.get("teamId")
        if not isinstance(team_id, int):
            raise CursorResponseError(f"{org.who}: a team of the pooled usage has no numeric teamId")
        if team_id in keyed:
            log.info("team %s of organization %s is read with its own key (team %r)", team_id, key.organization_id,
                     keyed[team_id])  # fmt: skip
            labels[team_id] = keyed[team_id]
            continue
        labels[team_id] = str(team_id)
        if labels[team_id] in team_clients:
            raise CursorConfigurationError(
                f"team label {labels[team_id]!r} is a team key's label and the id of another team of organization "
                f"{key.organization_id}; fix: give that team key another label in CURSOR_API_KEYS"
            )
        clients[labels[team_id]] = OrgTeamClient(org, key.organization_id, team_id, labels[team_id])
    return clients, labels


def pool_rows(answer: dict, organization_id: str, labels: dict[int, str], snapshot_at: datetime) -> list[dict]:
    """One row per team of a pooled-usage answer, each with the pool's figures (``schema.POOLED_USAGE``)."""
    what = "pooled usage"
    pool = answer["pool"]
    check_fields(pool, POOL_FIELDS, what, organization_id)
    require(pool, ("limitCents", "usedCents"), what, organization_id)
    figures = {
        "organization_id": organization_id,
        "snapshot_date": snapshot_at.date(),
        "snapshot_at": snapshot_at,
        "limit_cents": pool["limitCents"],
        "used_cents": pool["usedCents"],
        "remaining_cents": pool.get("remainingCents"),
        "contract_start": _day(pool.get("contractStartDate")),
        "contract_end": _day(pool.get("contractEndDate")),
    }
    rows = []
    for team in answer["teams"]:
        check_fields(team, POOL_TEAM_FIELDS, "team of the pooled usage", organization_id)
        require(team, ("teamId", "usedCents"), "team of the pooled usage", organization_id)
        rows.append(
            figures
            | {
                "team_id": team["teamId"],
                "team": labels.get(team["teamId"], str(team["teamId"])),
                "team_used_cents": team["usedCents"],
                "budget_limit_cents": team.get("budgetLimitCents"),
            }
        )
    return rows


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def key_of_other_kind(client: CursorClient, refused: CursorAPIError) -> CursorConfigurationError | None:
    """For a key refused with 401: the one-line error when it is a key of the other kind (a team key given as the
    organization's, or an Organization API key given as a team's), else None."""
    if refused.status != 401:
        return None
    if client.kind == "organization":
        probe = lambda: client.get(settings.MEMBERS_PATH)  # noqa: E731 - a team key reads the team routes
        mistake = (
            f"{client.who}: this is a team's Admin API key, not an Organization API key (it reads "
            f"{settings.MEMBERS_PATH}). Fix: set it as CURSOR_API_KEY (or in CURSOR_API_KEYS) and CURSOR_ORG_API_KEY "
            "to an Organization API key (organization admins create it with the scope admin:*)."
        )
    else:
        probe = lambda: client.post(settings.ORG_POOLED_USAGE_PATH, {})  # noqa: E731 - an org key passes auth
        mistake = (
            f"{client.who}: this is an Organization API key, not a team's Admin API key (the team routes refuse it). "
            "Fix: set it as CURSOR_ORG_API_KEY, with CURSOR_ORG_ID its organization's id (org_...)."
        )
    try:
        probe()
    except CursorAPIError as exc:
        if exc.status in (None, 401):
            return None
    return CursorConfigurationError(mistake, 401)


def check_organization(org: CursorClient, key: OrgKey) -> dict[str, int]:
    """Validate the Organization API key (its kind, its organization, the scopes usage:* and members:*); returns
    the member count of each team the organization reads, labelled by team id."""
    try:
        pool = pooled_usage(org, key.organization_id)
        roster = org.get(settings.ORG_MEMBERS_PATH, params={"organizationId": key.organization_id})["teamMembers"]
    except CursorConfigurationError as exc:
        raise key_of_other_kind(org, exc) or exc from None
    sizes = {str(team["teamId"]): 0 for team in pool["teams"]}
    for member in roster:
        sizes[str(member.get("teamId"))] = sizes.get(str(member.get("teamId")), 0) + 1
    return sizes
