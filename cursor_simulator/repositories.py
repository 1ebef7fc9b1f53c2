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
    """4 to 10 repositories (more for bigger teams), deterministic for the spec, then the repositories that a
    ``migration`` scenario names and the team does not have yet."""
    org = spec.domain.split(".")[0]
    count = min(len(_SERVICES), max(4, 3 + spec.members // 15))
    services = random.Random(f"{spec.seed}|repositories").sample(_SERVICES, count)
    repos = [f"{org}/{service}" for service in services]
    for scenario in spec.scenarios:
        if scenario.kind == "migration" and isinstance(scenario.repo, str) and scenario.repo not in repos:
            repos.append(scenario.repo)
    return tuple(repos)
