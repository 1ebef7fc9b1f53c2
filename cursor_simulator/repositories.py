"""The git repositories of a simulated team (``<org>/<service>``, the org from the team's domain), used by the AI
Code Tracking routes, Bugbot and the audit log."""

from __future__ import annotations

import random

from .team import TeamSpec

_SERVICES = (
    "billing-service", "web-app", "mobile-app", "data-pipeline", "auth-service", "infra", "payments-api",
    "search-service", "design-system", "analytics-etl", "docs", "notifications",
)  # fmt: skip


def team_repositories(spec: TeamSpec) -> tuple[str, ...]:
    """4 to 10 repositories (more for bigger teams), deterministic for the spec."""
    org = spec.domain.split(".")[0]
    count = min(len(_SERVICES), max(4, 3 + spec.members // 15))
    services = random.Random(f"{spec.seed}|repositories").sample(_SERVICES, count)
    return tuple(f"{org}/{service}" for service in services)
