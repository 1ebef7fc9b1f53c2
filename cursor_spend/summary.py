"""The month's answer in a few lines: what Cursor cost, who and which models spent it, which seats sit idle.

Everything is read from the marts of a built warehouse (read-only, so a BI tool may hold it too). "This month"
is the calendar month (UTC) of the newest day in ``marts.fct_cursor_costs_daily``, up to that day.

- seats: sum of ``billed_cost_usd`` of the seat rows (the estimate: monthly price / days in month per paid
  seat-day);
- on-demand: sum of ``billed_cost_usd`` of the on_demand rows (chargedCents x 0.01 of chargeable events);
- total = seats + on-demand, what the team pays for the month so far;
- included value: sum of ``list_cost_usd`` of the included rows, the usage the seats' allowance covered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from .warehouse import is_lock_error, locked_message

TOP = 5
# A fact row's spend: what the team pays (seat and on-demand rows), or the value the allowance covered (included).
SPEND_USD = "case when charge_type = 'included' then list_cost_usd else billed_cost_usd end"


class SummaryError(Exception):
    """The warehouse cannot be summarised (missing, locked, not built); the message says what to do."""


@dataclass(frozen=True)
class Summary:
    month_start: date
    as_of: date
    teams: list[str]
    seats_usd: Decimal
    on_demand_usd: Decimal
    included_value_usd: Decimal
    paid_seats: int  # paid seats held on the newest day
    active_seats: int  # of those, seats with any usage in the last idle-days window
    top_users: list[tuple[str, Decimal, Decimal, int]]  # email, usage value, on-demand, requests
    top_models: list[tuple[str, Decimal, int]]  # model, usage value, requests
    idle_seats: list[tuple[str, int | None, Decimal]]  # email, days since last active, seat cost this month
    table_rows: dict[str, int] = field(default_factory=dict)  # schema.table -> rows

    @property
    def total_usd(self) -> Decimal:
        return self.seats_usd + self.on_demand_usd

    @property
    def idle_cost_usd(self) -> Decimal:
        return sum((cost for *_, cost in self.idle_seats), Decimal(0))


def connect(duckdb_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a built warehouse, or a SummaryError that says what to run."""
    if not duckdb_path.exists():
        raise SummaryError(f"no warehouse at {duckdb_path}; run `cursor-spend run` (or `make demo`) first")
    try:
        con = duckdb.connect(str(duckdb_path), read_only=True)
    except duckdb.IOException as exc:
        raise SummaryError(locked_message(duckdb_path) if is_lock_error(str(exc)) else str(exc)) from exc
    tables = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
    if "fct_cursor_costs_daily" not in tables:
        con.close()
        raise SummaryError(f"{duckdb_path} has no marts yet; run `cursor-spend transform` first")
    return con


def summarize(duckdb_path: Path) -> Summary:
    with connect(duckdb_path) as con:
        as_of = con.execute("select max(usage_date) from marts.fct_cursor_costs_daily").fetchone()[0]
        if as_of is None:
            raise SummaryError(f"{duckdb_path} holds no usage yet; extract a window with data first")
        month = [as_of.replace(day=1), as_of]
        in_month = "from marts.fct_cursor_costs_daily where usage_date between ? and ?"
        by_type = dict(
            con.execute(
                f"select charge_type, sum({SPEND_USD}) {in_month} group by charge_type",
                month,
            ).fetchall()
        )
        top_users = con.execute(
            "select user_email, sum(list_cost_usd), sum(billed_cost_usd), sum(request_count) "
            f"{in_month} and charge_type != 'seat' group by user_email order by 2 desc, 1 limit {TOP}",
            month,
        ).fetchall()
        top_models = con.execute(
            f"select model, sum(list_cost_usd), sum(request_count) {in_month} and charge_type != 'seat' "
            f"group by model order by 2 desc, 1 limit {TOP}",
            month,
        ).fetchall()
        idle = con.execute(
            "select user_email, days_since_last_active, seat_cost_this_month_usd from marts.rpt_cursor_idle_seats "
            "order by seat_cost_this_month_usd desc, user_email"
        ).fetchall()
        paid_seats = con.execute(
            "select count(*) from marts.fct_cursor_seats_daily where usage_date = ? and is_paid_seat "
            "and not is_unassigned_commitment",
            [as_of],
        ).fetchone()[0]
        teams = con.execute("select list(distinct team order by team) from marts.dim_cursor_users").fetchone()[0]
        table_rows = {
            f"{schema}.{name}": con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE' "
                "and table_schema in ('cursor_raw', 'marts') and table_name not like '\\_dlt%' escape '\\' "
                "order by 1, 2"
            ).fetchall()
        }
    zero = Decimal(0)
    return Summary(
        month_start=month[0],
        as_of=as_of,
        teams=teams,
        seats_usd=by_type.get("seat") or zero,
        on_demand_usd=by_type.get("on_demand") or zero,
        included_value_usd=by_type.get("included") or zero,
        paid_seats=paid_seats,
        active_seats=paid_seats - len(idle),
        top_users=top_users,
        top_models=top_models,
        idle_seats=idle,
        table_rows=table_rows,
    )


def usd(value: Decimal) -> str:
    return f"${value.quantize(Decimal('0.01')):,}"


def print_summary(summary: Summary, console: Console | None = None) -> None:
    console = console or Console()
    s = summary
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
    console.print("Rows per table:")
    for name, rows in s.table_rows.items():
        console.print(f"  {name:<40} {rows:>10,}")
