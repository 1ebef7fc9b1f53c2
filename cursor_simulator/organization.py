"""A simulated Cursor organization (reference §8): several served teams under one Organization API key, and the
contract pool their usage draws from.

    teams = [TeamSpec(api_key=KEY_A, seed=1, domain="a.io"), TeamSpec(api_key=KEY_B, seed=2, domain="b.io")]
    org = OrgSpec(api_key=ORG_KEY, teams=tuple(t.resolved_team_id for t in teams), pool_runs_out=20)
    Simulator(teams, organizations=[org])

An :class:`OrgSpec` is plain data (the command line builds one without the HTTP server); the organization's routes
and its pool are :mod:`.org_routes` and :mod:`.pool`. Keys have the team keys' format (``crsr_``/``key_`` + 64);
a key of the other kind is refused (a team key on ``/organizations/*``, an organization key on ``/teams/*``).
"""

from __future__ import annotations

import random
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from .params import WELL_FORMED_KEY
from .team import TeamSpec

ADMIN_SCOPE = "admin:*"  # grants every route
ORG_SCOPES = (ADMIN_SCOPE, "usage:*", "members:*", "read:*")  # read:* grants no organization route
ROUTE_SCOPES = {  # route name -> the scope it needs besides admin:*
    "org-events": "usage:*",
    "org-daily-usage": "usage:*",
    "org-spend": "usage:*",
    "org-pooled-usage": "usage:*",
    "org-members": "members:*",
}
ORG_ID = "org_"


@dataclass(frozen=True)
class OrgSpec:
    """What a simulated organization looks like.

    ``teams``: the resolved ids of served teams (``TeamSpec.resolved_team_id``); they must share the end date and
    billing-cycle day and be on the enterprise plan. ``organization_id`` defaults to an ``org_...`` id drawn from
    the key. ``scopes``: what the key may read (``admin:*`` everything, ``usage:*`` the usage routes and
    pooled usage, ``members:*`` the members).

    The pool (see :mod:`.pool`): the contract covers ``contract_start`` .. ``contract_end`` (default: the teams'
    first day of data, and a year from it); ``pool_limit_cents`` defaults to twice what the organization would use
    over the whole contract at its average daily usage so far (whole $100s, at least $100). ``pool_runs_out``
    plants the story of a pool projected to run out: the limit is set so that at that average rate the pool runs
    out on that day (a date, or N = N days after the end date), before the contract ends. ``budgets_cents``: per
    team id, its budget limit in cents; None (default) gives every team but the last a budget of its share of the
    seats of the limit, in whole dollars, and the last none (``{}``: no budgets).
    """

    api_key: str
    teams: tuple[int, ...]
    organization_id: str | None = None
    scopes: tuple[str, ...] = (ADMIN_SCOPE,)
    pool_limit_cents: int | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    budgets_cents: Mapping[int, int] | None = None
    pool_runs_out: date | int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "teams", tuple(self.teams))
        object.__setattr__(self, "scopes", tuple(self.scopes))
        if not WELL_FORMED_KEY.match(self.api_key):
            raise ValueError("an Organization API key is crsr_ or key_ and 64 letters or digits, as a team key")
        if not self.teams or len(set(self.teams)) != len(self.teams):
            raise ValueError("an organization needs one or more teams, each once")
        unknown = [s for s in self.scopes if s not in ORG_SCOPES]
        if unknown:
            raise ValueError(f"unknown scope {unknown[0]!r}; choose from {', '.join(ORG_SCOPES)}")
        if self.organization_id is not None and not self.organization_id.startswith(ORG_ID):
            raise ValueError("an organization id starts with org_")
        if self.pool_limit_cents is not None and self.pool_runs_out is not None:
            raise ValueError("give the pool a limit or a day it runs out, not both")
        if self.pool_limit_cents is not None and not self.pool_limit_cents > 0:
            raise ValueError("the pool's limit must be more than 0 cents")
        if isinstance(self.pool_runs_out, int) and self.pool_runs_out < 1:
            raise ValueError("a pool that runs out N days after the end date needs N >= 1")
        if self.contract_start and self.contract_end and self.contract_end < self.contract_start:
            raise ValueError("the contract must end on or after its start")
        if any(cents < 0 for cents in (self.budgets_cents or {}).values()):
            raise ValueError("a team's budget limit is 0 cents or more")

    @property
    def resolved_organization_id(self) -> str:
        """The organization's public id: the given one, or ``org_`` and 24 characters drawn from the key."""
        if self.organization_id:
            return self.organization_id
        rng = random.Random(f"organization|{self.api_key}")
        return ORG_ID + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(24))

    def grants(self, route: str) -> str | None:
        """None when the key's scopes allow ``route``, else the scope it lacks."""
        needed = ROUTE_SCOPES[route]
        return None if ADMIN_SCOPE in self.scopes or needed in self.scopes else needed


def organization_of(
    team_keys: Sequence[str], org_key: str, seed: int = 7, pool_runs_out: date | int | None = None, **team_fields
) -> tuple[list[TeamSpec], OrgSpec]:
    """One team per key under one organization key: the first team is the ``TeamSpec`` of ``seed`` and
    ``team_fields`` (as it would be served alone, with its scenarios), the k-th (from 0) has seed ``seed + k``,
    domain ``team<k+1>.<domain>`` and no scenarios."""
    domain = team_fields.pop("domain", "acme.io")
    scenarios = team_fields.pop("scenarios", ())
    teams = [
        TeamSpec(
            api_key=key,
            seed=seed + k,
            domain=domain if k == 0 else f"team{k + 1}.{domain}",
            scenarios=scenarios if k == 0 else (),
            **team_fields,
        )
        for k, key in enumerate(team_keys)
    ]
    org = OrgSpec(api_key=org_key, teams=tuple(t.resolved_team_id for t in teams), pool_runs_out=pool_runs_out)
    return teams, org
