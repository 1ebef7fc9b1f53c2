"""The month's answer in a few lines: what Cursor cost, who and which models spent it, which seats sit idle, and
the alerts nobody was sent yet.

Everything is selected from the marts of a built warehouse, DuckDB or PostgreSQL, by the read side
(:mod:`cursor_spend.marts`); the figures are defined in dbt (README "Tables"): ``rpt_cursor_monthly_spend`` (seats,
on-demand, total, included value, paid and idle seats), ``rpt_cursor_top_users``, ``rpt_cursor_top_models``,
``rpt_cursor_idle_seats`` and ``rpt_cursor_alerts`` (those no channel took yet). "This month" is the mart's
current month (the UTC month of the newest usage day), all teams together (team ``'*'``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from rich.console import Console
from rich.table import Table

from .config import Settings
from .errors import MartsError, WarehouseError
from .marts import require_marts, spend, tables
from .marts.alerts import Alert, open_alerts, read
from .marts.reader import Reader, open_reader
from .marts.spend import IdleSeat, MonthSpend, TopModel, TopUser

TOP = 5


@dataclass(frozen=True)
class Summary:
    month: MonthSpend  # this month's money and seats
    teams: list[str]
    top_users: list[TopUser]
    top_models: list[TopModel]
    idle_seats: list[IdleSeat]
    open_alerts: list[Alert] = field(default_factory=list)  # alerts no channel has taken yet, most pressing first
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
    return Summary(
        month=month,
        teams=spend.teams(reader),
        top_users=spend.top_users(reader, month.usage_month, TOP),
        top_models=spend.top_models(reader, month.usage_month, TOP),
        idle_seats=spend.idle_seats(reader),
        open_alerts=open_alerts(current, ledger, []),
        table_rows=tables.table_rows(reader),
    )


def usd(value: Decimal) -> str:
    return f"${value.quantize(Decimal('0.01')):,}"


def print_summary(summary: Summary | None, console: Console | None = None) -> None:
    console = console or Console()
    s = summary
    if s is None:
        console.print("No usage in the warehouse yet: the days loaded so far had none. The marts are built (empty).")
        return
    m = s.month
    console.rule(f"Cursor spend {m.usage_month:%B %Y}, {m.usage_month} to {m.as_of_date} (UTC), {', '.join(s.teams)}")
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
        users.add_row(user.user_email, usd(user.usage_value_usd), usd(user.on_demand_usd), f"{user.request_count:,}")
    models = Table(title=f"Top {TOP} models this month", title_justify="left")
    for column in ("model", "usage value", "requests"):
        models.add_column(column, justify="left" if column == "model" else "right")
    for model, value, requests in s.top_models:
        models.add_row(model, usd(value), f"{requests:,}")
    console.print(users, models)

    console.print(
        f"Idle paid seats (no usage in the idle window): {len(s.idle_seats)} of {m.paid_seats}, "
        f"costing {usd(m.idle_seat_cost_usd)} this month"
        + (": " + ", ".join(email for email, *_ in s.idle_seats[:TOP]) if s.idle_seats else "")
        + (", ..." if len(s.idle_seats) > TOP else "")
    )
    if s.open_alerts:
        console.print(f"Open alerts: {len(s.open_alerts)} (`cursor-spend alerts` lists them, `--send` delivers them)")
        for alert in s.open_alerts[:TOP]:
            console.print("  " + alert_line(alert), overflow="fold")
        if len(s.open_alerts) > TOP:
            console.print(f"  ... and {len(s.open_alerts) - TOP} more")
    console.print("Rows per table: " + ", ".join(f"{name} {rows:,}" for name, rows in s.table_rows.items()))


def alert_line(alert: Alert, taken_by: Sequence[str] = ()) -> str:
    """An alert in one line for a terminal: day, kind, message, and the channels that took it."""
    where = f" [sent: {', '.join(taken_by)}]" if taken_by else ""
    return f"{alert.alert_date} {alert.kind}: {alert.message}{where}"
