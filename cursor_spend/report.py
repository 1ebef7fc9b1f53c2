"""The spend report: one self-contained HTML file (inline SVG charts from pygal, inline CSS, no script, no
network) built from the marts of a warehouse, in the Jinja template ``templates/report.html``.

Charts show dollars rounded for display; the tables print the marts' exact values to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pygal
from jinja2 import Environment, PackageLoader
from markupsafe import Markup
from pygal.style import Style

from . import __version__
from .config import Settings
from .files import output_path, write_atomically
from .marts import ai_code, budgets, spend
from .marts.ai_code import AdoptionDay, RepoCost
from .marts.budgets import BudgetStatus, BurnupDay
from .marts.reader import Reader, open_reader
from .marts.spend import CycleSpend, DaySpend, ModelDay, TopUser
from .summary import Summary, usd

COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f")
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#333",
    foreground_strong="#111",
    foreground_subtle="#ddd",
    font_family="system-ui, sans-serif",
    colors=COLORS,
)
TOP_USERS = 15
FIX = "give --output a writable folder"
TEMPLATES = Environment(loader=PackageLoader("cursor_spend"), autoescape=True)  # cursor_spend/templates/


def _without_scripts(root):
    """A pygal xml filter: the chart without its <script> elements (its tooltip config; the report runs no script)."""
    for parent in list(root.iter()):
        for child in list(parent):
            if str(child.tag).endswith("script"):
                parent.remove(child)
    return root


def _chart(kind: type, title: str, **config) -> pygal.Graph:
    defaults = {
        "style": STYLE,
        "js": [],  # pygal links its tooltip script from a CDN by default: the report must open offline
        "disable_xml_declaration": True,
        "width": 960,
        "height": 380,
        "legend_at_bottom": True,
        "truncate_legend": -1,
        "truncate_label": -1,
        "value_formatter": lambda v: f"${v:,.2f}",
    }
    chart = kind(title=title, **(defaults | config))
    chart.add_xml_filter(_without_scripts)  # pygal configures its tooltip script in each chart
    return chart


def _daily_chart(
    kind: type, title: str, days: list[date], rows: list[tuple], labels: dict | None = None, **config
) -> str:
    """One series per name in ``rows`` of (day, name, value), a point per day (0 where a day has none; a gap where
    the value is None and ``allow_interruptions`` is set). ``labels`` (name -> label) fixes the series and their
    order; else the largest series comes first."""
    values: dict[str, dict[date, float | None]] = defaultdict(dict)
    missing = None if config.get("allow_interruptions") else 0.0
    for day, name, value in rows:
        values[name][day] = missing if value is None else float(value)
    chart = _chart(kind, title, **config)
    chart.x_labels = [f"{day:%m-%d}" for day in days]
    chart.x_labels_major = chart.x_labels[:: max(1, len(days) // 12)]
    chart.show_minor_x_labels = False
    labels = labels or {name: name for name in sorted(values, key=lambda n: -sum(values[n].values()))}
    for name, label in labels.items():
        chart.add(label, [values[name].get(day, missing) for day in days])
    return chart.render(is_unicode=True)


def _series(days: list[DaySpend] | list[AdoptionDay], columns: dict[str, str]) -> list[tuple]:
    """(day, column, value) of each day and column."""
    return [(day.usage_date, name, getattr(day, name)) for day in days for name in columns]


def _daily_spend_chart(days: list[DaySpend]) -> str:
    columns = {"seats_usd": "Seats (estimated)", "on_demand_usd": "On-demand", "included_value_usd": "Included value"}
    dates = [day.usage_date for day in days]
    return _daily_chart(pygal.StackedBar, "Daily spend by charge type (USD)", dates, _series(days, columns), columns)


def _model_chart(rows: list[ModelDay], days: list[DaySpend]) -> str:
    dates = [day.usage_date for day in days]
    return _daily_chart(pygal.StackedBar, "Usage value by model per day (USD, list price)", dates, rows)


def _top_users_chart(users: list[TopUser]) -> str:
    users = users[::-1]  # bars draw bottom-up: top user last
    chart = _chart(pygal.HorizontalStackedBar, f"Top {TOP_USERS} users this month (USD)", height=520)
    chart.x_labels = [user.user_email for user in users]
    chart.add("Included value", [float(user.included_value_usd) for user in users])
    chart.add("On-demand", [float(user.on_demand_usd) for user in users])
    return chart.render(is_unicode=True)


def _seat_chart(days: list[DaySpend]) -> str:
    columns = {"paid_seats": "Paid seats", "active_seats": "Active that day"}
    title = "Seat utilisation: paid seats and seats used that day"
    dates, count = [day.usage_date for day in days], lambda v: f"{v:,.0f}"
    return _daily_chart(pygal.Line, title, dates, _series(days, columns), columns, value_formatter=count)


TOP_REPOSITORIES = 10
SEATS_WITHOUT_AI_COMMITS = 10


def _repositories_chart(repositories: list[RepoCost], unattributed: RepoCost | None) -> str:
    """The month's costliest repositories, linked and allocated stacked, and the usage that reached no commit."""
    rows = ([unattributed] if unattributed else []) + repositories[::-1]  # bars draw bottom-up: costliest last
    chart = _chart(pygal.HorizontalStackedBar, f"Top {TOP_REPOSITORIES} repositories this month (USD, usage value)")
    chart.x_labels = [row.repository for row in rows]
    chart.add("Linked", [float(row.linked_cost_usd) for row in rows])
    chart.add("Allocated", [float(row.allocated_cost_usd) for row in rows])
    chart.add("Unattributed", [float(row.unattributed_cost_usd) for row in rows])
    return chart.render(is_unicode=True)


def _per_1000_lines_chart(days: list[AdoptionDay]) -> str:
    columns = {
        "cost_per_1000_accepted_lines_usd": "Per 1,000 accepted AI lines",
        "cost_per_1000_committed_ai_lines_usd": "Per 1,000 committed AI lines",
    }
    title = "Spend per 1,000 AI lines (USD: seats + on-demand; log scale; a gap: none that day)"
    dates, series = [day.usage_date for day in days], _series(days, columns)
    return _daily_chart(pygal.Line, title, dates, series, columns, allow_interruptions=True, logarithmic=True)


def _people_chart(days: list[AdoptionDay]) -> str:
    columns = {"paid_seats": "Paid seats", "cursor_dau": "Active (Cursor's DAU)", "active_users": "Active (usage)"}
    dates, count = [day.usage_date for day in days], lambda v: f"{v:,.0f}"
    return _daily_chart(pygal.Line, "Active people vs paid seats", dates, _series(days, columns), columns,
                        value_formatter=count)  # fmt: skip


def _cycle_rows(rows: list[CycleSpend]) -> list[dict]:
    out = []
    for row in rows:
        limit, on_demand, remaining = row.spend_limit_usd, row.on_demand_spend_usd, row.spend_limit_remaining_usd
        used = None if not limit else min(Decimal(1), on_demand / limit)  # the bar's width
        out.append(
            {
                "team": row.team,
                "cycle": row.cycle_start,
                "email": row.user_email,
                "included": usd(row.included_spend_usd),
                "on_demand": usd(on_demand),
                "limit": usd(limit) if limit is not None else "none",
                "remaining": usd(remaining) if remaining is not None else "",
                "used_pct": None if used is None else round(float(used) * 100, 1),
            }
        )
    return out


BURNUP_CHARTS = 6
ANOMALIES = 25


def _burnup_chart(budget: BudgetStatus, rows: list[BurnupDay]) -> str:
    """Cumulative spend of the month against the budget: actual to the as-of day, then the projection."""
    basis = "seats (estimated) + on-demand" if budget.basis == "all" else "on-demand"
    title = f"{budget.budget_name}: {budget.scope} {budget.scope_value}, {basis} (USD)"
    chart = _chart(pygal.Line, title, height=300, show_dots=False, allow_interruptions=True)
    chart.x_labels = [f"{day.usage_date:%d}" for day in rows]
    value = lambda v: None if v is None else float(v)  # noqa: E731
    chart.add("Actual", [value(day.cumulative_usd) if not day.is_projected else None for day in rows])
    chart.add(
        "Projected",
        [value(day.cumulative_usd) if day.is_projected or day.usage_date == day.as_of_date else None for day in rows],
    )
    chart.add("Budget", [float(budget.budget_usd)] * len(rows))
    return chart.render(is_unicode=True)


def _spend_bought(reader: Reader, summary: Summary) -> dict:
    """The section "What the spend bought": its charts and the month's paid seats without AI commits."""
    month = summary.month.usage_month
    repositories = ai_code.top_repositories(reader, month, TOP_REPOSITORIES)
    days = ai_code.adoption(reader)
    charts = {
        "repositories": _repositories_chart(repositories, summary.unattributed),
        "per_1000_lines": _per_1000_lines_chart(days),
        "people": _people_chart(days),
    }
    return {
        "charts": {name: Markup(svg) for name, svg in charts.items()},
        "repositories": repositories,
        "seats": summary.seats_without_ai_commits[:SEATS_WITHOUT_AI_COMMITS],
    }


def build_report(settings: Settings, summary: Summary) -> str:
    """The report's HTML for the warehouse of ``settings``."""
    with open_reader(settings.warehouse) as reader:
        days = spend.daily_spend(reader)
        charts = {
            "daily": _daily_spend_chart(days),
            "models": _model_chart(spend.daily_model_spend(reader), days),
            "users": _top_users_chart(spend.top_users(reader, summary.month.usage_month, TOP_USERS)),
            "seats": _seat_chart(days),
        }
        cycle = _cycle_rows(spend.current_cycle_spend(reader))
        in_force = budgets.current_budgets(reader)
        burnups = [_burnup_chart(budget, budgets.burnup(reader, budget)) for budget in in_force[:BURNUP_CHARTS]]
        anomalies = budgets.anomalies(reader, ANOMALIES)
        bought = _spend_bought(reader, summary) if summary.has_ai_code else None
    return TEMPLATES.get_template("report.html").render(
        s=summary,
        usd=usd,
        charts={name: Markup(svg) for name, svg in charts.items()},
        cycle=cycle,
        budgets=in_force,
        burnups=[Markup(svg) for svg in burnups],
        anomalies=anomalies,
        bought=bought,
        first_day=days[0].usage_date,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        source=settings.warehouse,
    )


def write_report(settings: Settings, output: str | Path | None, summary: Summary) -> Path:
    """The report, to ``output`` (a file or a folder; default beside the warehouse), atomically."""
    html = build_report(settings, summary)
    path = output_path(output, settings.report_path)
    return write_atomically(path, lambda temporary: temporary.write_text(html, encoding="utf-8"), FIX)
