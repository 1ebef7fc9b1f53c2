"""Spend, seats, users, models and billing cycles, as the summary and the report show them.

Each row type names the columns it selects (see the marts' documentation for each column); "this month" is the
mart's current month (the UTC month of the newest usage day). Rows of all teams together have team ``'*'``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from . import ALL_TEAMS, MARTS_SCHEMA
from .reader import Reader, Row


class MonthSpend(NamedTuple):
    """A row of ``rpt_cursor_monthly_spend``."""

    usage_month: date
    as_of_date: date
    seats_usd: Decimal
    on_demand_usd: Decimal
    total_usd: Decimal
    included_value_usd: Decimal
    paid_seats: int  # paid seats held on the newest day
    active_seats: int  # of those, seats with any usage in the idle window
    idle_seat_cost_usd: Decimal


class TopUser(NamedTuple):
    """A row of ``rpt_cursor_top_users``."""

    user_email: str
    usage_value_usd: Decimal
    included_value_usd: Decimal
    on_demand_usd: Decimal
    request_count: int


class TopModel(NamedTuple):
    """A row of ``rpt_cursor_top_models``."""

    model: str
    usage_value_usd: Decimal
    request_count: int


class IdleSeat(NamedTuple):
    """A row of ``rpt_cursor_idle_seats``."""

    user_email: str
    days_since_last_active: int | None
    seat_cost_this_month_usd: Decimal


class DaySpend(NamedTuple):
    """A row of ``rpt_cursor_daily_spend``."""

    usage_date: date
    seats_usd: Decimal
    on_demand_usd: Decimal
    included_value_usd: Decimal
    paid_seats: int
    active_seats: int


class ModelDay(NamedTuple):
    """A row of ``rpt_cursor_daily_model_spend``."""

    usage_date: date
    model: str
    usage_value_usd: Decimal


class CycleSpend(NamedTuple):
    """A row of ``rpt_cursor_cycle_spend``."""

    team: str
    cycle_start: date
    user_email: str
    included_spend_usd: Decimal
    on_demand_spend_usd: Decimal
    spend_limit_usd: Decimal | None
    spend_limit_remaining_usd: Decimal | None


def current_month(reader: Reader) -> MonthSpend | None:
    """This month, all teams together; None when the marts hold no usage at all."""
    rows = reader.select(
        MonthSpend, f"from {MARTS_SCHEMA}.rpt_cursor_monthly_spend where team = ? and is_current_month", ALL_TEAMS
    )
    return rows[0] if rows else None


def top_users(reader: Reader, month: date, top: int) -> list[TopUser]:
    """The month's ``top`` users by usage value, all teams together, the largest first."""
    return _top(reader, TopUser, "rpt_cursor_top_users", month, top)


def top_models(reader: Reader, month: date, top: int) -> list[TopModel]:
    """The month's ``top`` models by usage value, all teams together, the largest first."""
    return _top(reader, TopModel, "rpt_cursor_top_models", month, top)


def _top(reader: Reader, row: type[Row], mart: str, month: date, top: int) -> list[Row]:
    return reader.select(
        row,
        f"from {MARTS_SCHEMA}.{mart} where team = ? and usage_month = ? and rank <= ? order by rank",
        ALL_TEAMS, month, top,
    )  # fmt: skip


def idle_seats(reader: Reader) -> list[IdleSeat]:
    """Paid seats without usage in the idle window, the costliest first."""
    return reader.select(
        IdleSeat, f"from {MARTS_SCHEMA}.rpt_cursor_idle_seats order by seat_cost_this_month_usd desc, user_email"
    )


def teams(reader: Reader) -> list[str]:
    """The team labels the warehouse holds."""
    return [team for (team,) in reader.rows(f"select distinct team from {MARTS_SCHEMA}.dim_cursor_users order by 1")]


def daily_spend(reader: Reader) -> list[DaySpend]:
    """Every day's spend and seats, all teams together, oldest first."""
    return reader.select(
        DaySpend, f"from {MARTS_SCHEMA}.rpt_cursor_daily_spend where team = ? order by usage_date", ALL_TEAMS
    )


def daily_model_spend(reader: Reader) -> list[ModelDay]:
    """Every day's usage value per model, all teams together."""
    return reader.select(ModelDay, f"from {MARTS_SCHEMA}.rpt_cursor_daily_model_spend where team = ?", ALL_TEAMS)


def current_cycle_spend(reader: Reader) -> list[CycleSpend]:
    """Each user's spend in the current billing cycle, the largest first."""
    return reader.select(
        CycleSpend,
        f"from {MARTS_SCHEMA}.rpt_cursor_cycle_spend where is_current_cycle "
        "order by on_demand_spend_usd + included_spend_usd desc, user_email",
    )
