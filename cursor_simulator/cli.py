"""The simulator's command line: ``cursor-spend simulate`` (and ``python -m cursor_simulator``) serves it over HTTP
in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import secrets
import string
import sys
from datetime import date
from typing import TYPE_CHECKING

from .faults import Fault
from .options import RATE_LIMIT_MODES, SimulatorOptions
from .organization import OrgSpec, organization_of
from .scenarios import Scenario
from .team import PLANS, TeamSpec

if TYPE_CHECKING:
    from .org_routes import Organization


def add_arguments(sim: argparse.ArgumentParser) -> None:
    """The options of ``simulate``: the team, its plan and data, the rate limits, scenarios and faults."""
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8787)
    sim.add_argument("--api-key", help="the key the simulator accepts (default: a new one, printed)")
    sim.add_argument("--members", type=int, default=50, help="team size (default 50)")
    sim.add_argument("--days", type=int, default=30, help="days of usage data (default 30)")
    sim.add_argument("--seed", type=int, default=7, help="random seed; same seed, same data (default 7)")
    sim.add_argument("--end-date", type=date.fromisoformat, help="last day with data (default yesterday, UTC)")
    sim.add_argument(
        "--plan", default="enterprise", choices=PLANS, help="what the team's plan allows (default enterprise)"
    )
    sim.add_argument("--retention-days", type=int, default=90, help="older data comes back empty (default 90)")
    sim.add_argument("--rate-limit-window", type=float, default=60.0, help="seconds per rate-limit window (60)")
    sim.add_argument("--no-rate-limits", action="store_true", help="serve without the documented rate limits")
    sim.add_argument("--no-retry-after", action="store_true", help="send 429s without a Retry-After header")
    sim.add_argument(
        "--rate-limit-mode",
        choices=RATE_LIMIT_MODES,
        default="fixed",
        help="fixed windows (the documented reset every minute) or a sliding window (default fixed)",
    )
    sim.add_argument(
        "--spend-included-field",
        action="store_true",
        help="/teams/spend rows also carry includedSpendCents (an earlier live shape; the docs have no such field)",
    )
    sim.add_argument(
        "--spend-overage-only",
        action="store_true",
        help="/teams/spend's spendCents is the spend above the plan's included amount, 0 within it (a live shape)",
    )
    sim.add_argument(
        "--no-commit-details",
        action="store_true",
        help="turn the limited-alpha commit-detail route (/analytics/ai-code/commits/HASH) off: it answers 404",
    )
    sim.add_argument(
        "--activity",
        type=float,
        default=1.0,
        help="multiplies every member's chance to be active on a day; 0 = an idle team (default 1.0)",
    )
    sim.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="KIND:USER:...",
        help="plant a scenario (repeatable): spike:USER:DAY[:FACTOR], ramp:USER:AMOUNT_DOLLARS[:DAY], "
        "exhaust_included:USER:DAY, group_move:USER:DAY[:GROUP], migration:REPO:DAY[:DAYS] or "
        "no_commits:USER[:FACTOR]; USER = member index or e-mail, REPO = repository name or index, "
        "DAY = YYYY-MM-DD or days before the end date",
    )
    sim.add_argument(
        "--org-teams",
        type=int,
        default=0,
        metavar="N",
        help="serve N teams (seeds SEED..SEED+N-1, each --members and --days) under one Organization API key",
    )
    sim.add_argument("--org-api-key", help="the Organization API key with --org-teams (default: a new one, printed)")
    sim.add_argument(
        "--org-pool-runs-out",
        type=int,
        metavar="DAYS",
        help="with --org-teams: the contract pool's limit makes it run out DAYS days after the end date at the "
        "organization's average daily usage, before the contract ends (the planted pool story)",
    )
    sim.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND[:ROUTE[:COUNT[:AFTER]]]",
        help="inject a fault, e.g. 5xx:events:3 or truncated:events:1:2 (repeatable)",
    )


def run(args: argparse.Namespace) -> int:
    """Serve the team the options describe until interrupted; a scenario or fault that cannot be read or does not
    fit the team is one line on stderr and exit 2."""
    from .app import Simulator  # the HTTP server: only when serving
    from .server import serve_forever

    key = args.api_key or _new_key()
    try:
        team_fields = {
            "members": args.members,
            "days": args.days,
            "plan": args.plan,
            "retention_days": args.retention_days,
            "activity": args.activity,
            "scenarios": tuple(Scenario.parse(text) for text in args.scenario),
        } | ({"end_date": args.end_date} if args.end_date else {})
        teams, organizations = _teams(args, key, team_fields)
        options = SimulatorOptions(
            rate_limits=not args.no_rate_limits,
            window_seconds=args.rate_limit_window,
            retry_after=not args.no_retry_after,
            faults=[Fault.parse(text) for text in args.fault],
            rate_limit_mode=args.rate_limit_mode,
            spend_included_field=args.spend_included_field,
            spend_overage_only=args.spend_overage_only,
            commit_details=not args.no_commit_details,
        )
        simulator = Simulator(teams, options, organizations)
        show_key = not args.org_api_key
        summary = [line for org in simulator.organizations.values() for line in _organization(org, teams, show_key)]
    except ValueError as exc:
        print(f"cursor-spend simulate: {exc}", file=sys.stderr)
        return 2
    base_url = f"http://{args.host}:{args.port}"
    print(f"Cursor Admin API simulator on {base_url}", flush=True)
    spec = teams[0]
    print(f"  team: {spec.members} members, {spec.days} days up to {spec.end_date}, plan {spec.plan}, seed {spec.seed}")
    for planted in simulator.team().planted:
        days = planted.day.isoformat() + (f"..{planted.days[-1]}" if len(planted.days) > 1 else "")
        where = f" of {planted.repo}" if planted.repo else ""
        print(f"  planted: {planted.kind}{where} for {planted.email} on {days}")
    if not args.api_key:
        print(f"  API key: {key}")
    for line in summary:
        print(f"  {line}")
    print(f"  try: curl -u '<key>:' {base_url}/teams/members", flush=True)
    for org in simulator.organizations.values():
        body = f'{{"organizationId":"{org.id}"}}'
        print(f"  try: curl -u '<organization key>:' -d '{body}' {base_url}/organizations/pooled-usage", flush=True)
    serve_forever(simulator, args.host, args.port)
    return 0


def _new_key() -> str:
    return "crsr_" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(64))


def _teams(args: argparse.Namespace, key: str, fields: dict) -> tuple[list[TeamSpec], list[OrgSpec]]:
    """The team the options describe, or with ``--org-teams N`` N teams under one organization key."""
    if args.org_teams < 1:
        if args.org_api_key or args.org_pool_runs_out is not None:
            raise ValueError("--org-api-key and --org-pool-runs-out go with --org-teams N")
        return [TeamSpec(api_key=key, seed=args.seed, **fields)], []
    keys = [key] + [_new_key() for _ in range(args.org_teams - 1)]
    org_key = args.org_api_key or _new_key()
    teams, org = organization_of(keys, org_key, args.seed, args.org_pool_runs_out, **fields)
    return teams, [org]


def _organization(org: Organization, teams: list[TeamSpec], show_key: bool) -> list[str]:
    """What the start-up message says of an organization (deriving its pool: one that cannot run out is refused)."""
    pool = org.pool
    lines = [
        f"organization {org.id}: teams {', '.join(str(t) for t in org.endpoints)}",
        f"pool: {pool.limit_cents / 100:,.2f} dollars, contract {pool.contract_start}..{pool.contract_end}",
    ]
    if pool.runs_out is not None:
        story = pool.runs_out
        lines.append(f"planted: the pool runs out on {story.day} at {story.daily_cents / 100:,.2f} dollars a day")
    if show_key:
        lines.append(f"Organization API key: {org.spec.api_key}")
    return lines + [f"team {t.resolved_team_id} ({t.domain}) API key: {t.api_key}" for t in teams[1:]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cursor-simulator", description="Serve the Cursor Admin API simulator.")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
