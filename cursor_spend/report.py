"""The spend report: one self-contained HTML file (inline SVG charts from pygal, inline CSS, no script, no
network) built from the marts of a warehouse.

Charts show dollars rounded for display; the tables print the marts' exact values to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pygal
from jinja2 import Environment
from markupsafe import Markup
from pygal.style import Style

from . import __version__
from .config import Settings
from .marts import budgets, spend
from .marts.budgets import BudgetStatus, BurnupDay
from .marts.reader import open_reader
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
    return kind(title=title, **(defaults | config))


def _daily_chart(
    kind: type, title: str, days: list[date], rows: list[tuple], labels: dict | None = None, **config
) -> str:
    """One series per name in ``rows`` of (day, name, value), a point per day (0 where a day has none).
    ``labels`` (name -> label) fixes the series and their order; else the largest series comes first."""
    values: dict[str, dict[date, float]] = defaultdict(dict)
    for day, name, value in rows:
        values[name][day] = float(value)
    chart = _chart(kind, title, **config)
    chart.x_labels = [f"{day:%m-%d}" for day in days]
    chart.x_labels_major = chart.x_labels[:: max(1, len(days) // 12)]
    chart.show_minor_x_labels = False
    labels = labels or {name: name for name in sorted(values, key=lambda n: -sum(values[n].values()))}
    for name, label in labels.items():
        chart.add(label, [values[name].get(day, 0.0) for day in days])
    return chart.render(is_unicode=True)


def _series(days: list[DaySpend], columns: dict[str, str]) -> list[tuple]:
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


def build_report(settings: Settings, summary: Summary) -> str:
    """The report's HTML for the warehouse of ``settings``."""
    with open_reader(settings.warehouse) as reader:
        days = spend.daily_spend(reader)
        charts = {
            "daily": _daily_spend_chart(days),
            "models": _model_chart(spend.daily_model_spend(reader), days),
            "users": _top_users_chart(spend.top_users(reader, summary.month_start, TOP_USERS)),
            "seats": _seat_chart(days),
        }
        cycle = _cycle_rows(spend.current_cycle_spend(reader))
        in_force = budgets.current_budgets(reader)
        burnups = [_burnup_chart(budget, budgets.burnup(reader, budget)) for budget in in_force[:BURNUP_CHARTS]]
        anomalies = budgets.anomalies(reader, ANOMALIES)
    template = Environment(autoescape=True).from_string(TEMPLATE)
    return template.render(
        s=summary,
        usd=usd,
        charts={name: Markup(svg) for name, svg in charts.items()},
        cycle=cycle,
        budgets=in_force,
        burnups=[Markup(svg) for svg in burnups],
        anomalies=anomalies,
        first_day=days[0].usage_date,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        source=settings.warehouse,
    )


def write_report(settings: Settings, output: Path, summary: Summary) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(f".{output.name}.tmp")
    temporary.write_text(build_report(settings, summary), encoding="utf-8")
    temporary.replace(output)
    return output


TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Cursor spend {{ s.month_start.strftime('%B %Y') }} - cursor-spend</title>
<style>
  body { font-family: system-ui, sans-serif; color: #222; margin: 2rem auto; max-width: 1000px; padding: 0 1rem; }
  h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; padding-bottom: 0.3rem; }
  .muted { color: #666; font-size: 0.9rem; }
  .cards { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1.5rem 0; }
  .card { flex: 1 1 200px; border: 1px solid #ddd; border-radius: 8px; padding: 0.8rem 1rem; }
  .card .value { font-size: 1.6rem; font-weight: 600; } .card .label { color: #555; font-size: 0.9rem; }
  table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
  th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #eee; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .bar { background: #eee; width: 120px; height: 0.7rem; border-radius: 3px; display: inline-block; }
  .bar span { background: #e15759; height: 100%; display: block; border-radius: 3px; }
  svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>Cursor spend, {{ s.month_start.strftime('%B %Y') }}</h1>
<p class="muted">Teams: {{ s.teams | join(', ') }}. Month to date {{ s.month_start }} to {{ s.as_of }} (UTC); charts
cover {{ first_day }} to {{ s.as_of }}. Generated {{ generated }} by cursor-spend {{ version }} from {{ source }}.</p>

<div class="cards">
  <div class="card"><div class="value">{{ usd(s.total_usd) }}</div><div class="label">Total this month
    (seats + on-demand)</div></div>
  <div class="card"><div class="value">{{ usd(s.seats_usd) }}</div><div class="label">Seats (estimated,
    {{ s.paid_seats }} paid)</div></div>
  <div class="card"><div class="value">{{ usd(s.on_demand_usd) }}</div><div class="label">On-demand usage</div></div>
  <div class="card"><div class="value">{{ usd(s.included_value_usd) }}</div><div class="label">Included usage
    value (covered by seats)</div></div>
  <div class="card"><div class="value">{{ s.idle_seats | length }}</div><div class="label">Idle paid seats,
    {{ usd(s.idle_cost_usd) }} this month</div></div>
</div>

<h2>Budgets and forecast</h2>
{% if budgets %}
<table>
  <tr><th>Budget</th><th>Scope</th><th class="num">Budget</th><th class="num">Spent</th><th class="num">Used</th>
      <th class="num">Projected</th><th>Exceeded / projected on</th><th>Status</th></tr>
  {% for b in budgets %}
  <tr><td>{{ b.budget_name }}</td><td>{{ b.scope }} {{ b.scope_value }}</td><td class="num">{{ usd(b.budget_usd) }}</td>
      <td class="num">{{ usd(b.spend_to_date_usd) }}</td><td class="num">{{ '%.0f' % b.percent_used }}%</td>
      <td class="num">{{ usd(b.projected_total_usd) if b.projected_total_usd is not none else '-' }}</td>
      <td>{{ b.exceeded_on or b.projected_exceeded_on or '' }}</td><td>{{ b.status | replace('_', ' ') }}</td></tr>
  {% endfor %}
</table>
{% for svg in burnups %}{{ svg }}{% endfor %}
<p class="muted">Budgets are edited in dbt_project/seeds/budgets.csv. A projection adds the average weekday and weekend
day of the last 28 days for each day left in the month; budgets on "all" spend count the estimated seat cost.</p>
{% else %}<p>No budget in force this month (dbt_project/seeds/budgets.csv).</p>{% endif %}

<h2>Anomalies</h2>
{% if anomalies %}
<table>
  <tr><th>Day</th><th>User</th><th class="num">Usage</th><th class="num">Their median day</th>
      <th class="num">Score</th><th class="num">x team median</th><th>Compared with</th></tr>
  {% for day, team, email, used, median, score, multiple, compared, provisional in anomalies %}
  <tr><td>{{ day }}{% if provisional %} (provisional){% endif %}</td><td>{{ email }}</td>
      <td class="num">{{ usd(used) }}</td><td class="num">{{ '$%.2f' % median if median is not none else '-' }}</td>
      <td class="num">{{ '%.1f' % score if score is not none else '-' }}</td>
      <td class="num">{{ '%.1f' % multiple if multiple is not none else '-' }}</td>
      <td>{{ compared | replace('_', ' ') }}</td></tr>
  {% endfor %}
</table>
<p class="muted">A day is an anomaly when it stands far above the user's own last 28 days (modified z-score on the
median absolute deviation) and at least a dollar floor above their median day (dbt vars anomaly_*).</p>
{% else %}<p>No anomalous user-day in the scored days.</p>{% endif %}

<h2>Daily spend</h2>
{{ charts.daily }}
<p class="muted">Seat cost is an estimate: monthly seat price / days in the month for each paid member-day.
Included value is what the included usage would cost at list price; it is covered by the seats.</p>

<h2>Spend by model</h2>
{{ charts.models }}

<h2>Top users</h2>
{{ charts.users }}

<h2>Seat utilisation</h2>
{{ charts.seats }}
<h3>Idle paid seats</h3>
{% if s.idle_seats %}
<table>
  <tr><th>User</th><th class="num">Days since last active</th><th class="num">Seat cost this month</th></tr>
  {% for email, days, cost in s.idle_seats %}
  <tr><td>{{ email }}</td><td class="num">{{ days if days is not none else 'never' }}</td>
      <td class="num">{{ usd(cost) }}</td></tr>
  {% endfor %}
</table>
{% else %}<p>Every paid seat was used in the idle window.</p>{% endif %}

<h2>Included vs on-demand per user, current billing cycle</h2>
<table>
  <tr><th>User</th><th>Cycle</th><th class="num">Included</th><th class="num">On-demand</th>
      <th class="num">Limit</th><th class="num">Remaining</th><th>On-demand vs limit</th></tr>
  {% for row in cycle %}
  <tr><td>{{ row.email }}</td><td>{{ row.cycle }}</td><td class="num">{{ row.included }}</td>
      <td class="num">{{ row.on_demand }}</td><td class="num">{{ row.limit }}</td>
      <td class="num">{{ row.remaining }}</td>
      <td>{% if row.used_pct is not none %}<span class="bar"><span style="width: {{ row.used_pct }}%"></span></span>
          {{ row.used_pct }}%{% endif %}</td></tr>
  {% endfor %}
</table>
</body>
</html>
"""
