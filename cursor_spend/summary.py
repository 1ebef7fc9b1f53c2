"""The month's answer in a few lines: what Cursor cost, who and which models spent it, which repositories it went
to, which seats sit idle, and the alerts nobody was sent yet.

Everything is selected from the marts of a built warehouse, DuckDB or PostgreSQL, by the read side
(:mod:`cursor_spend.marts`); the figures are defined in dbt (README "Tables"): ``rpt_cursor_monthly_spend`` (seats,
on-demand, total, included value, paid and idle seats), ``rpt_cursor_top_users``, ``rpt_cursor_top_models``,
``rpt_cursor_idle_seats``, ``rpt_cursor_repo_costs_monthly`` and ``rpt_cursor_user_value_monthly`` (what the spend
bought; one line says so on a plan without the AI Code Tracking API), ``rpt_cursor_contract_pool_forecast`` (an
organization's pool) and ``rpt_cursor_alerts`` (those no channel took yet: the ones to act on first, most severe
first, then how many informational ones go in the daily digest). "This month" is the mart's current month (the UTC
month of the newest usage day), all teams together (team ``'*'``). Text from the warehouse is printed as text, never
as markup, on one line (:func:`cursor_spend.printable.one_line`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .alerts.messages import alert_line
from .config import Settings
from .errors import MartsError, WarehouseError
from .marts import ai_code, pool, require_marts, spend, tables
from .marts.ai_code import RepoCost, UserValue
from .marts.alerts import DIGEST, SEND, Alert, open_alerts, read
from .marts.reader import Reader, open_reader
from .marts.spend import IdleSeat, MonthSpend, TopModel, TopUser
from .printable import one_line

TOP = 5


@dataclass(frozen=True)
class Summary:
    month: MonthSpend  # this month's money and seats
    teams: list[str]
    top_users: list[TopUser]
    top_models: list[TopModel]
    idle_seats: list[IdleSeat]
    has_ai_code: bool = False  # the warehouse holds AI Code Tracking data (an Enterprise plan's)
    top_repositories: list[RepoCost] = field(default_factory=list)  # this month's, costliest first
    unattributed: RepoCost | None = None  # this month's usage that reached no commit
    seats_without_ai_commits: list[UserValue] = field(default_factory=list)  # this month's, largest usage first
    pools: list[pool.ContractPool] = field(default_factory=list)  # the organizations' contract pools
    open_alerts: list[Alert] = field(default_factory=list)  # alerts no channel has taken yet, most severe first
    table_rows: dict[str, int] = field(default_factory=dict)  # schema.table -> rows


def summarize(settings: Settings) -> Summary | None:
    """This month's figures, or None when the marts hold no usage at all (e.g. a first window without usage)."""
    warehouse = settings.warehouse
    try:
        with open_reader(warehouse) as reader:
            require_marts(reader, str(warehouse))
            return _summary(reader)
    except WarehouseError as exc:
        raise MartsError(str(exc)) from None


def _summary(reader: Reader) -> Summary | None:
    month = spend.current_month(reader)
    if month is None:
        return None
    current, ledger = read(reader)
    has_ai_code = ai_code.has_ai_code(reader)
    bought = _spend_bought(reader, month.usage_month) if has_ai_code else {}
    return Summary(
        month=month,
        teams=spend.teams(reader),
        top_users=spend.top_users(reader, month.usage_month, TOP),
        top_models=spend.top_models(reader, month.usage_month, TOP),
        idle_seats=spend.idle_seats(reader),
        has_ai_code=has_ai_code,
        **bought,
        pools=pool.contract_pools(reader),
        open_alerts=open_alerts(current, ledger, []),
        table_rows=tables.table_rows(reader),
    )


def _spend_bought(reader: Reader, month: date) -> dict:
    """The month's top repositories, its unattributed usage and its paid seats without AI commits."""
    return {
        "top_repositories": ai_code.top_repositories(reader, month, TOP),
        "unattributed": ai_code.unattributed(reader, month),
        "seats_without_ai_commits": ai_code.seats_without_ai_commits(reader, month),
    }


def usd(value: Decimal) -> str:
    return f"${value.quantize(Decimal('0.01')):,}"


def print_summary(summary: Summary | None, console: Console | None = None) -> None:
    console = console or Console()
    s = summary
    if s is None:
        console.print("No usage in the warehouse yet: the days loaded so far had none. The marts are built (empty).")
        return
    m = s.month
    teams = ", ".join(s.teams)
    console.rule(_text(f"Cursor spend {m.usage_month:%B %Y}, {m.usage_month} to {m.as_of_date} (UTC), {teams}"))
    money = Table(show_header=False, box=None, padding=(0, 2))
    money.add_row("Seats (estimated)", usd(m.seats_usd), f"{m.paid_seats} paid seats held on {m.as_of_date}")
    money.add_row("On-demand usage", usd(m.on_demand_usd), "billed beyond the plan's included usage")
    money.add_row("[bold]Total[/bold]", f"[bold]{usd(m.total_usd)}[/bold]", "seats + on-demand, month to date")
    money.add_row("Included usage value", usd(m.included_value_usd), "covered by the seats, not billed again")
    console.print(money)

    users = Table(title=f"Top {TOP} users this month", title_justify="left")
    for column in ("user", "usage value", "on-demand", "requests"):
        users.add_column(column, justify="left" if column == "user" else "right")
    for user in s.top_users:
        email, requests = _text(user.user_email), f"{user.request_count:,}"
        users.add_row(email, usd(user.usage_value_usd), usd(user.on_demand_usd), requests)
    models = Table(title=f"Top {TOP} models this month", title_justify="left")
    for column in ("model", "usage value", "requests"):
        models.add_column(column, justify="left" if column == "model" else "right")
    for model, value, requests in s.top_models:
        models.add_row(_text(model), usd(value), f"{requests:,}")
    console.print(users, models)
    _print_repositories(s, console)

    console.print(
        _text(
            f"Idle paid seats (no usage in the idle window): {len(s.idle_seats)} of {m.paid_seats}, "
            f"costing {usd(m.idle_seat_cost_usd)} this month"
            + (": " + ", ".join(email for email, *_ in s.idle_seats[:TOP]) if s.idle_seats else "")
            + (", ..." if len(s.idle_seats) > TOP else "")
        )
    )
    for contract in s.pools:
        console.print(_text(contract.line()))
    _print_alerts(s.open_alerts, console)
    console.print("Rows per table: " + ", ".join(f"{name} {rows:,}" for name, rows in s.table_rows.items()))


def _print_repositories(s: Summary, console: Console) -> None:
    """This month's costliest repositories, the usage that reached no commit, and who pays without AI commits."""
    if not s.has_ai_code:
        console.print("What the spend bought: no AI code data (Cursor's AI Code Tracking API is Enterprise-only).")
        return
    repositories = Table(title=f"Top {TOP} repositories this month (usage value)", title_justify="left")
    for column in ("repository", "linked", "allocated", "cost", "commits", "AI lines", "per 1,000 AI lines"):
        repositories.add_column(column, justify="left" if column == "repository" else "right")
    for r in s.top_repositories:
        per_1000 = usd(r.cost_per_1000_ai_lines_usd) if r.cost_per_1000_ai_lines_usd is not None else "-"
        repositories.add_row(
            _text(r.repository), usd(r.linked_cost_usd), usd(r.allocated_cost_usd), usd(r.cost_usd),
            f"{r.commit_count:,}", f"{r.ai_lines_added:,}", per_1000,
        )  # fmt: skip
    console.print(repositories)
    if s.unattributed is not None:
        console.print(f"Unattributed (usage that reached no commit): {usd(s.unattributed.cost_usd)}")
    if seats := s.seats_without_ai_commits:
        top = seats[0]
        console.print(
            _text(
                f"Paid seats without AI commits this month: {len(seats)}; the largest usage: {top.user_email} "
                f"({usd(top.usage_value_usd)} usage value, {usd(top.total_cost_usd)} seat + on-demand)"
            )
        )


def _print_alerts(alerts: list[Alert], console: Console) -> None:
    """The alerts to act on (delivered one by one) first, then how many informational ones the digest carries."""
    actionable = [alert for alert in alerts if alert.delivery == SEND]
    digested = Counter(alert.kind for alert in alerts if alert.delivery == DIGEST)
    if actionable:
        severities = ", ".join(f"{n} {severity}" for severity, n in Counter(a.severity for a in actionable).items())
        console.print(
            f"Alerts to act on: {len(actionable)} ({severities}), not sent yet "
            "(`cursor-spend alerts` lists them, `--send` delivers them)"
        )
        for alert in actionable[:TOP]:
            console.print(_text("  " + alert_line(alert)), overflow="fold")
        if len(actionable) > TOP:
            console.print(f"  ... and {len(actionable) - TOP} more")
    if digested:
        kinds = ", ".join(f"{n} {kind}" for kind, n in digested.most_common())
        console.print(
            f"Informational alerts: {digested.total()} ({kinds}), not one message each: "
            "they go in one daily digest per channel"
        )


def _text(value: str) -> Text:
    """Text from the warehouse as printed: on one line, never read as rich markup."""
    return Text(one_line(value))
