"""Control routes under ``/_simulator/`` (not part of the real API, no auth): switch faults, simulate a late change
of the last day's costs, read request statistics, list the planted scenarios, read the ground truth of the AI
code's cost (``GET /_simulator/ai-code/costs``, see :mod:`.analytics.costs`) and of the organizations' pools per
day (``GET /_simulator/organizations``, see :mod:`.pool`)."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction
from typing import TYPE_CHECKING

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .analytics.costs import AiCodeCosts, Amounts, Costs
from .faults import Fault
from .responses import error, json_response

if TYPE_CHECKING:
    from .app import Simulator
    from .org_routes import Organization


def dollars(value: Fraction) -> str:
    """An exact amount as a decimal string with 12 places (half to even)."""
    with localcontext() as context:
        context.prec = 60
        return format((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("1e-12")), "f")


def _costs(costs: Costs) -> dict:
    linked, allocated, total = costs.linked, costs.allocated, costs.total
    return {
        "linkedCostUsd": dollars(linked.usage), "allocatedCostUsd": dollars(allocated.usage),
        "costUsd": dollars(total.usage), "linkedBilledCostUsd": dollars(linked.billed),
        "allocatedBilledCostUsd": dollars(allocated.billed), "billedCostUsd": dollars(total.billed),
    }  # fmt: skip


def _amounts(amounts: Amounts) -> dict:
    return {"costUsd": dollars(amounts.usage), "billedCostUsd": dollars(amounts.billed)}


def costs_json(team_id: int, costs: AiCodeCosts) -> dict:
    return {
        "teamId": team_id,
        "linked": costs.linked,
        "attributionDays": costs.attribution_days,
        "commits": [{"commitHash": h} | _costs(c) for h, c in sorted(costs.commits.items())],
        "repositories": [
            {"month": month, "repoName": repo} | _costs(c) for (month, repo), c in sorted(costs.repositories.items())
        ],
        "unattributed": [{"month": month} | _amounts(a) for month, a in sorted(costs.unattributed.items())],
        "usage": [{"month": month} | _amounts(a) for month, a in sorted(costs.usage.items())],
    }


def organization_json(org: Organization) -> dict:
    """An organization's teams, its planted pool story and its pool as of the end of each contract day so far (the
    pooled-usage shape, exact cents with 6 decimals, with the ``day``)."""
    story = org.pool.runs_out
    return {
        "organizationId": org.id,
        "teamIds": list(org.endpoints),
        "scopes": list(org.spec.scopes),
        "poolRunsOut": None
        if story is None
        else {"day": story.day.isoformat(), "dailyCents": float(story.daily_cents), "limitCents": story.limit_cents},
        "days": [{"day": pool.day.isoformat()} | pool.as_json() for pool in org.pool.days()],
    }


def control_routes(simulator: Simulator) -> list[Route]:
    async def set_faults(request: Request) -> Response:
        if request.method == "DELETE":
            simulator.faults.replace([])
            return json_response(200, {"faults": []})
        try:
            specs = orjson.loads(await request.body()).get("faults", [])
            faults = [Fault(**spec) for spec in specs]
        except (orjson.JSONDecodeError, TypeError, ValueError, AttributeError) as exc:
            return error(400, "Bad Request", f"faults must be a list of fault objects: {exc}")
        simulator.faults.replace(faults)
        return json_response(200, {"faults": specs})

    async def late_change(request: Request) -> Response:
        raw = await request.body()
        enabled = bool(orjson.loads(raw).get("enabled", True)) if raw else True
        simulator.set_late_change(enabled)
        return json_response(200, {"lateChange": enabled})

    async def stats(request: Request) -> Response:
        return json_response(200, {"requests": simulator.stats_rows()})

    async def scenarios(request: Request) -> Response:
        rows = [
            {"teamId": usage.spec.resolved_team_id} | planted.as_json()
            for usage in simulator.teams.values()
            for planted in usage.planted
        ]
        return json_response(200, {"scenarios": rows})

    async def ai_code_costs(request: Request) -> Response:
        """``?attributionDays=7&linked=true|false`` (default: linked when the commit-detail route is on)."""
        params = request.query_params
        linked = params.get("linked", str(simulator.options.commit_details)).lower() in ("true", "1")
        try:
            days = int(params.get("attributionDays", 7))
        except ValueError:
            return error(400, "Bad Request", "attributionDays must be a number")
        teams = [
            costs_json(usage.spec.resolved_team_id, usage.ai_code.costs(linked, days))
            for usage in simulator.teams.values()
        ]
        return json_response(200, {"teams": teams})

    async def organizations(request: Request) -> Response:
        rows = [organization_json(org) for org in simulator.organizations.values()]
        return json_response(200, {"organizations": rows})

    return [
        Route("/_simulator/organizations", organizations, methods=["GET"]),
        Route("/_simulator/faults", set_faults, methods=["POST", "DELETE"]),
        Route("/_simulator/late-change", late_change, methods=["POST"]),
        Route("/_simulator/stats", stats, methods=["GET"]),
        Route("/_simulator/scenarios", scenarios, methods=["GET"]),
        Route("/_simulator/ai-code/costs", ai_code_costs, methods=["GET"]),
    ]
