"""What the spend bought, as the summary and the report show it: repositories by cost, adoption beside spend, and the
paid seats whose usage reached no AI commit.

Each row type names the columns it selects (see the marts' documentation for each column; the rule of linked,
allocated and unattributed costs: docs/tables.md, ``rpt_cursor_commit_costs``). Rows of all teams together have team
``'*'``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from . import ALL_TEAMS, MARTS_SCHEMA
from .reader import Reader


class RepoCost(NamedTuple):
    """A row of ``rpt_cursor_repo_costs_monthly``."""

    repository: str
    linked_cost_usd: Decimal
    allocated_cost_usd: Decimal
    unattributed_cost_usd: Decimal
    cost_usd: Decimal
    commit_count: int
    ai_lines_added: int
    cost_per_1000_ai_lines_usd: Decimal | None


class AdoptionDay(NamedTuple):
    """A row of ``rpt_cursor_adoption_daily``."""

    usage_date: date
    paid_seats: int
    cursor_dau: int
    active_users: int
    cost_per_1000_accepted_lines_usd: Decimal | None
    cost_per_1000_committed_ai_lines_usd: Decimal | None


class UserValue(NamedTuple):
    """A row of ``rpt_cursor_user_value_monthly``."""

    team: str
    user_email: str
    usage_value_usd: Decimal
    total_cost_usd: Decimal
    active_days: int
    accepted_agent_lines: int
    accepted_tab_lines: int


def has_ai_code(reader: Reader) -> bool:
    """Whether the warehouse holds any commit of the AI Code Tracking API (an Enterprise plan's)."""
    return reader.first(f"select count(*) from {MARTS_SCHEMA}.fct_cursor_ai_commits")[0] > 0


def top_repositories(reader: Reader, month: date, top: int) -> list[RepoCost]:
    """The month's ``top`` repositories by cost (linked + allocated), all teams together, the costliest first."""
    return reader.select(
        RepoCost,
        f"from {MARTS_SCHEMA}.rpt_cursor_repo_costs_monthly where team = ? and usage_month = ? "
        "and not is_unattributed order by cost_usd desc, repository limit ?",
        ALL_TEAMS, month, top,
    )  # fmt: skip


def unattributed(reader: Reader, month: date) -> RepoCost | None:
    """The month's usage that reached no commit, all teams together (the '(unattributed)' row)."""
    rows = reader.select(
        RepoCost,
        f"from {MARTS_SCHEMA}.rpt_cursor_repo_costs_monthly where team = ? and usage_month = ? and is_unattributed",
        ALL_TEAMS, month,
    )  # fmt: skip
    return rows[0] if rows else None


def adoption(reader: Reader) -> list[AdoptionDay]:
    """Every day's seats, active people and cost per 1,000 AI lines, all teams together, oldest first."""
    return reader.select(
        AdoptionDay, f"from {MARTS_SCHEMA}.rpt_cursor_adoption_daily where team = ? order by usage_date", ALL_TEAMS
    )


def seats_without_ai_commits(reader: Reader, month: date) -> list[UserValue]:
    """The month's paid seats that committed no AI line (``pays_without_ai_commits``), the largest usage first."""
    return reader.select(
        UserValue,
        f"from {MARTS_SCHEMA}.rpt_cursor_user_value_monthly where usage_month = ? and pays_without_ai_commits "
        "order by usage_value_usd desc, total_cost_usd desc, team, user_email",
        month,
    )
