"""Budgets, their burn-up and spend anomalies, as the report shows them (budgets are edited in
``dbt_project/seeds/budgets.csv``; forecasts and anomalies are defined by the marts and their dbt vars)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from . import MARTS_SCHEMA
from .reader import Reader

WATCHED = ("exceeded", "projected_to_exceed")  # budget statuses worth showing beside the team budgets


class BudgetStatus(NamedTuple):
    """A row of ``rpt_cursor_budget_status``."""

    budget_name: str
    scope: str
    scope_value: str
    basis: str
    period_start: date
    budget_usd: Decimal
    spend_to_date_usd: Decimal
    percent_used: Decimal
    projected_total_usd: Decimal | None
    exceeded_on: date | None
    projected_exceeded_on: date | None
    status: str


class BurnupDay(NamedTuple):
    """A row of ``rpt_cursor_budget_burnup``."""

    usage_date: date
    cumulative_usd: Decimal | None
    is_projected: bool
    as_of_date: date


class Anomaly(NamedTuple):
    """A row of ``rpt_cursor_spend_anomalies``."""

    usage_date: date
    team: str
    user_email: str
    usage_usd: Decimal
    baseline_median_usd: Decimal | None
    modified_z_score: float | None
    team_multiple: float | None
    compared_with: str
    is_provisional: bool


def current_budgets(reader: Reader) -> list[BudgetStatus]:
    """This month's budgets: every team budget, and the budgets of groups and users exceeded or projected to be,
    the most pressing first."""
    return reader.select(
        BudgetStatus,
        f"from {MARTS_SCHEMA}.rpt_cursor_budget_status "
        "where is_current_period and (scope = 'team' or status in (?, ?)) "
        "order by case status when ? then 0 when ? then 1 else 2 end, percent_used desc, budget_name, scope_value",
        *WATCHED, *WATCHED,
    )  # fmt: skip


def burnup(reader: Reader, budget: BudgetStatus) -> list[BurnupDay]:
    """A budget's cumulative spend of its period, day by day: actual to the as-of day, then the projection."""
    return reader.select(
        BurnupDay,
        f"from {MARTS_SCHEMA}.rpt_cursor_budget_burnup where budget_name = ? and scope_value = ? and period_start = ? "
        "order by usage_date",
        budget.budget_name, budget.scope_value, budget.period_start,
    )  # fmt: skip


def anomalies(reader: Reader, limit: int) -> list[Anomaly]:
    """The newest ``limit`` anomalous user-days, the largest first within a day."""
    return reader.select(
        Anomaly,
        f"from {MARTS_SCHEMA}.rpt_cursor_spend_anomalies where is_anomaly order by usage_date desc, usage_usd desc "
        "limit ?",
        limit,
    )
