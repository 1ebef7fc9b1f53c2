"""The contract pool of a simulated organization (``POST /organizations/pooled-usage``) and its ground truth per day.

What counts as used (a simulator decision; the reference is silent): every cent charged to the organization's teams
since the contract started, included usage and on-demand alike, i.e. the sum of ``chargedCents`` of the teams' usage
events from 00:00 UTC of the contract's first day through the day asked for (errored, aborted and free events are
charged 0). So the pool's used cents as of a day are what a client can sum from the organization's (or the teams')
usage events, exactly: each event's cents have 6 decimals, and the pool sums them in integer micro-cents.
``remainingCents`` = ``limitCents`` - ``usedCents``, never below 0. Each team's ``usedCents`` is its share of the
same sum, so the teams add up to the pool exactly.

The limit: ``OrgSpec.pool_limit_cents``, or derived from the average daily use so far (used through the end date /
days since the contract start): by default twice the projected use over the whole contract, in whole $100s (at
least $100); with ``pool_runs_out`` (the planted story), the projected use through that day (whole cents, rounded
down), so that at that average rate the pool runs out on that day and not the day before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from .organization import OrgSpec
from .params import iso
from .usage import TeamUsage

MICRO = 1_000_000
DEFAULT_HEADROOM = 2  # a pool without a planted story lasts this many times the projected use of the contract


def _cents(micro: int) -> Decimal:
    return Decimal(micro).scaleb(-6)


@dataclass(frozen=True)
class TeamPool:
    """A team's part of the pool on a day: its used cents and its budget limit (None: no budget)."""

    team_id: int
    used_cents: Decimal
    budget_limit_cents: int | None

    def as_json(self) -> dict:
        row: dict = {"teamId": self.team_id, "usedCents": float(self.used_cents)}
        if self.budget_limit_cents is not None:
            row["budgetLimitCents"] = self.budget_limit_cents
        return row


@dataclass(frozen=True)
class PoolDay:
    """The pool as of the end of ``day`` (UTC): exact cents; ``teams`` in team-id order."""

    day: date
    limit_cents: int
    used_cents: Decimal
    remaining_cents: Decimal
    contract_start: date
    contract_end: date
    teams: tuple[TeamPool, ...]

    def as_json(self) -> dict:
        """The ``pooled-usage`` response (contract dates as ISO instants at 00:00 UTC of the first and last day)."""
        pool = {
            "limitCents": self.limit_cents,
            "usedCents": float(self.used_cents),
            "remainingCents": float(self.remaining_cents),
            "contractStartDate": iso(self.contract_start),
            "contractEndDate": iso(self.contract_end),
        }
        return {"pool": pool, "teams": [team.as_json() for team in self.teams]}


@dataclass(frozen=True)
class PoolRunsOut:
    """The planted story: at ``daily_cents`` a day (the average since the contract start) the pool of
    ``limit_cents`` runs out on ``day``, before the contract ends on ``contract_end``."""

    day: date
    daily_cents: Decimal
    limit_cents: int
    contract_end: date


class Pool:
    """The ground truth of an organization's pool: its limit, contract window, team budgets and use per day."""

    def __init__(self, spec: OrgSpec, teams: list[TeamUsage]) -> None:
        self.spec = spec
        self.teams = teams
        self.end_date = teams[0].spec.end_date
        self.contract_start = spec.contract_start or min(t.spec.start_date for t in teams)
        self.contract_end = spec.contract_end or _a_year_on(self.contract_start)
        if not self.contract_start <= self.end_date <= self.contract_end:
            raise ValueError(f"the contract ({self.contract_start}..{self.contract_end}) must hold {self.end_date}")
        self.runs_out_day = _runs_out_day(spec.pool_runs_out, self.end_date)
        if self.runs_out_day is not None and not self.end_date < self.runs_out_day < self.contract_end:
            raise ValueError(f"the pool must run out after {self.end_date} and before {self.contract_end}")
        unknown = set(spec.budgets_cents or {}) - set(spec.teams)
        if unknown:
            raise ValueError(f"budgets for teams {sorted(unknown)} that are not in the organization")
        self._micro: dict[tuple[int, date, bool], int] = {}

    # -- the limit, the budgets, the story --------------------------------------------------------------------

    @cached_property
    def _used_by_end(self) -> int:
        """Micro-cents used from the contract start through the end date (without the late change)."""
        return sum(self._used_micro(self.end_date, late=False).values())

    @cached_property
    def _daily_rate(self) -> Fraction:
        """Average micro-cents a day from the contract start through the end date (without the late change)."""
        return Fraction(self._used_by_end, (self.end_date - self.contract_start).days + 1)

    @cached_property
    def limit_cents(self) -> int:
        """The given limit, or one derived from the average daily use (see the module docstring)."""
        if self.spec.pool_limit_cents is not None:
            return self.spec.pool_limit_cents
        used = self._used_by_end
        if self.runs_out_day is None:
            projected = used + self._daily_rate * (self.contract_end - self.end_date).days
            return max(10_000, math.ceil(DEFAULT_HEADROOM * projected / MICRO / 10_000) * 10_000)
        if self._daily_rate < MICRO:
            raise ValueError("the organization uses less than a cent a day: its pool cannot run out")
        return math.floor((used + self._daily_rate * (self.runs_out_day - self.end_date).days) / MICRO)

    @cached_property
    def budgets(self) -> dict[int, int]:
        """Budget limit in cents per team id (teams without a budget left out)."""
        if self.spec.budgets_cents is not None:
            return dict(self.spec.budgets_cents)
        seats = sum(t.spec.members for t in self.teams)
        return {
            t.spec.resolved_team_id: self.limit_cents * t.spec.members // seats // 100 * 100 for t in self.teams[:-1]
        }

    @property
    def runs_out(self) -> PoolRunsOut | None:
        """The planted story (None without ``pool_runs_out``)."""
        if self.runs_out_day is None:
            return None
        rate = _cents(round(self._daily_rate))
        return PoolRunsOut(self.runs_out_day, rate, self.limit_cents, self.contract_end)

    # -- use per day --------------------------------------------------------------------------------------------

    def _day_micro(self, team: TeamUsage, day: date, late: bool) -> int:
        key = (team.spec.resolved_team_id, day, late and day == self.end_date)  # the late change hits the last day
        if key not in self._micro:
            self._micro[key] = team.charged_micro(day, key[2])
        return self._micro[key]

    def _used_micro(self, day: date, late: bool | None = None) -> dict[int, int]:
        """Micro-cents used per team id from the contract start through ``day`` (``late`` None: as served now)."""
        days = [self.contract_start + timedelta(days=k) for k in range((day - self.contract_start).days + 1)]
        return {
            team.spec.resolved_team_id: sum(
                self._day_micro(team, d, team.late_change if late is None else late) for d in days
            )
            for team in self.teams
        }

    def on(self, day: date) -> PoolDay:
        """The pool as of the end of ``day`` (a contract day up to the end date), as served now."""
        if not self.contract_start <= day <= self.end_date:
            raise ValueError(f"the pool has days {self.contract_start}..{self.end_date}, not {day}")
        used = self._used_micro(day)
        total = sum(used.values())
        teams = tuple(TeamPool(tid, _cents(micro), self.budgets.get(tid)) for tid, micro in used.items())
        remaining = max(Decimal(self.limit_cents) - _cents(total), Decimal(0))
        return PoolDay(day, self.limit_cents, _cents(total), remaining, self.contract_start, self.contract_end, teams)

    def days(self) -> list[PoolDay]:
        """The pool as of the end of every day from the contract start through the end date."""
        span = (self.end_date - self.contract_start).days + 1
        return [self.on(self.contract_start + timedelta(days=k)) for k in range(span)]


def _a_year_on(start: date) -> date:
    """The last day of a year-long contract from ``start``."""
    try:
        return start.replace(year=start.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


def _runs_out_day(runs_out: date | int | None, end_date: date) -> date | None:
    if runs_out is None or isinstance(runs_out, date):
        return runs_out
    return end_date + timedelta(days=runs_out)
