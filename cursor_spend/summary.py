"""The month's answer in a few lines: what Cursor cost, who and which models spent it, which seats sit idle, and
the alerts nobody was sent yet.

Everything is selected from the marts of a built warehouse, DuckDB or PostgreSQL, through the warehouse's
read-only reading layer; the figures are defined in dbt (README "Tables"): ``rpt_cursor_monthly_spend`` (seats,
on-demand, total, included value, paid and idle seats), ``rpt_cursor_top_users``, ``rpt_cursor_top_models``,
``rpt_cursor_idle_seats`` and ``rpt_cursor_alerts`` (those no channel took yet). "This month" is the mart's
current month (the UTC month of the newest usage day), all teams together (team ``'*'``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rich.console import Console
from rich.table import Table

from . import alerts
from .alerts import Alert
from .config import Settings
from .warehouse import Reader, WarehouseError

TOP = 5
ALL_TEAMS = "*"


class SummaryError(Exception):
    """The warehouse cannot be summarised (missing, locked, not built); the message says what to do."""


@dataclass(frozen=True)
class Summary:
    month_start: date
    as_of: date
    teams: list[str]
    seats_usd: Decimal
    on_demand_usd: Decimal
    total_usd: Decimal
    included_value_usd: Decimal
    paid_seats: int  # paid seats held on the newest day
    active_seats: int  # of those, seats with any usage in the idle window
    idle_cost_usd: Decimal
    top_users: list[tuple[str, Decimal, Decimal, int]]  # email, usage value, on-demand, requests
    top_models: list[tuple[str, Decimal, int]]  # model, usage value, requests
    idle_seats: list[tuple[str, int | None, Decimal]]  # email, days since last active, seat cost this month
    open_alerts: list[Alert] = field(default_factory=list)  # alerts no channel has taken yet, most pressing first
    table_rows: dict[str, int] = field(default_factory=dict)  # schema.table -> rows


def require_marts(reader: Reader, warehouse: str) -> None:
    """Say what to run when the warehouse has no marts yet (and whether it has raw data to build them from)."""
    if reader.has_table("marts", "rpt_cursor_monthly_spend"):
        return
    if reader.has_table("cursor_raw", "usage_events"):
        raise SummaryError(f"the {warehouse} has raw data but no marts yet; run `cursor-spend transform`")
    raise SummaryError(f"the {warehouse} holds no Cursor data yet; run `cursor-spend run` (extract, then transform)")


def summarize(settings: Settings) -> Summary | None:
    """This month's figures, or None when the marts hold no usage at all (e.g. a first window without usage)."""
    warehouse = settings.warehouse
    try:
        with warehouse.reader() as reader:
            require_marts(reader, str(warehouse))
            return _summary(reader)
    except WarehouseError as exc:
        raise SummaryError(str(exc)) from None


def _summary(reader: Reader) -> Summary | None:
    month = reader.first(
        "select usage_month, as_of_date, seats_usd, on_demand_usd, total_usd, included_value_usd, paid_seats, "
        "active_seats, idle_seat_cost_usd from marts.rpt_cursor_monthly_spend where team = ? and is_current_month",
        ALL_TEAMS,
    )
    if month is None:
        return None
    usage_month = month[0]
    top_users = reader.rows(
        "select user_email, usage_value_usd, on_demand_usd, request_count from marts.rpt_cursor_top_users "
        "where team = ? and usage_month = ? and rank <= ? order by rank",
        ALL_TEAMS, usage_month, TOP,
    )  # fmt: skip
    top_models = reader.rows(
        "select model, usage_value_usd, request_count from marts.rpt_cursor_top_models "
        "where team = ? and usage_month = ? and rank <= ? order by rank",
        ALL_TEAMS, usage_month, TOP,
    )  # fmt: skip
    idle = reader.rows(
        "select user_email, days_since_last_active, seat_cost_this_month_usd from marts.rpt_cursor_idle_seats "
        "order by seat_cost_this_month_usd desc, user_email"
    )
    teams = [team for (team,) in reader.rows("select distinct team from marts.dim_cursor_users order by team")]
    current, ledger = alerts.read(reader)
    return Summary(
        month_start=usage_month,
        as_of=month[1],
        teams=teams,
        seats_usd=month[2],
        on_demand_usd=month[3],
        total_usd=month[4],
        included_value_usd=month[5],
        paid_seats=month[6],
        active_seats=month[7],
        idle_cost_usd=month[8],
        top_users=top_users,
        top_models=top_models,
        idle_seats=idle,
        open_alerts=alerts.open_alerts(current, ledger, []),
        table_rows=_table_rows(reader),
    )


def _table_rows(reader: Reader) -> dict[str, int]:
    return {
        f"{schema}.{name}": reader.first(f'select count(*) from {schema}."{name}"')[0]
        for schema in ("cursor_raw", "marts")
        for name in reader.tables(schema)
        if not name.startswith("_dlt")
    }


def usd(value: Decimal) -> str:
    return f"${value.quantize(Decimal('0.01')):,}"


def print_summary(summary: Summary | None, console: Console | None = None) -> None:
    console = console or Console()
    s = summary
    if s is None:
        console.print("No usage in the warehouse yet: the days loaded so far had none. The marts are built (empty).")
        return
    console.rule(f"Cursor spend {s.month_start:%B %Y}, {s.month_start} to {s.as_of} (UTC), {', '.join(s.teams)}")
    money = Table(show_header=False, box=None, padding=(0, 2))
    money.add_row("Seats (estimated)", usd(s.seats_usd), f"{s.paid_seats} paid seats held on {s.as_of}")
    money.add_row("On-demand usage", usd(s.on_demand_usd), "billed beyond the plan's included usage")
    money.add_row("[bold]Total[/bold]", f"[bold]{usd(s.total_usd)}[/bold]", "seats + on-demand, month to date")
    money.add_row("Included usage value", usd(s.included_value_usd), "covered by the seats, not billed again")
    console.print(money)

    users = Table(title=f"Top {TOP} users this month", title_justify="left")
    for column in ("user", "usage value", "on-demand", "requests"):
        users.add_column(column, justify="left" if column == "user" else "right")
    for email, value, on_demand, requests in s.top_users:
        users.add_row(email, usd(value), usd(on_demand), f"{requests:,}")
    models = Table(title=f"Top {TOP} models this month", title_justify="left")
    for column in ("model", "usage value", "requests"):
        models.add_column(column, justify="left" if column == "model" else "right")
    for model, value, requests in s.top_models:
        models.add_row(model, usd(value), f"{requests:,}")
    console.print(users, models)

    console.print(
        f"Idle paid seats (no usage in the idle window): {len(s.idle_seats)} of {s.paid_seats}, "
        f"costing {usd(s.idle_cost_usd)} this month"
        + (": " + ", ".join(email for email, *_ in s.idle_seats[:TOP]) if s.idle_seats else "")
        + (", ..." if len(s.idle_seats) > TOP else "")
    )
    if s.open_alerts:
        console.print(f"Open alerts: {len(s.open_alerts)} (`cursor-spend alerts` lists them, `--send` delivers them)")
        for alert in s.open_alerts[:TOP]:
            console.print(f"  {alert.alert_date} {alert.kind}: {alert.message}", overflow="fold")
        if len(s.open_alerts) > TOP:
            console.print(f"  ... and {len(s.open_alerts) - TOP} more")
    console.print("Rows per table: " + ", ".join(f"{name} {rows:,}" for name, rows in s.table_rows.items()))
