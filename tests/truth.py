"""What the marts must hold, computed from the simulator's own model (its ground truth) or restated from the raw
tables (the cost of AI code), and the marts as built.

Every end-to-end check compares the two: the dbt tests over a raw warehouse, the CLI and the Airflow runs over a
real extract, and the demo's summary.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

from cursor_simulator.pool import Pool
from cursor_simulator.pricing import money
from cursor_simulator.usage import DAY_MS, TeamUsage, cycle_start, day_start_ms, ms_to_day
from cursor_spend.config import DEFAULT_DUCKDB_MEMORY_LIMIT
from cursor_spend.marts.reader import open_reader
from cursor_spend.warehouse import Warehouse

PLACEHOLDER = "unknown (removed member)"  # the user of events that carry no email
PAID_ROLES = ("owner", "member")
CENT = Decimal("0.01")


def charge_type(kind: str) -> str:
    if kind == "Usage-based":
        return "on_demand"
    return "included" if kind.startswith("Included in ") else "not_charged"


def cents(value: float | int) -> Decimal:
    """A money value exactly as the API printed it (floats round-trip through repr)."""
    return Decimal(repr(value))


def expected_usage_costs(usage: TeamUsage, start: date, end: date) -> dict[tuple, list]:
    """(user email, model, charge type, UTC day) -> [request count, billed USD, list USD] of the days start..end."""
    out: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for _, event in usage.events_in(day_start_ms(start), day_start_ms(end) + DAY_MS - 1):
        kind = charge_type(event["kind"])
        key = (event.get("userEmail", PLACEHOLDER).lower(), event["model"], kind, ms_to_day(int(event["timestamp"])))
        cost = cents(event["chargedCents"]) * CENT
        row = out[key]
        row[0] += 1
        row[1] += cost if kind == "on_demand" else 0
        row[2] += cost
    return dict(out)


def seat_cost_through(price: Decimal, day: date) -> Decimal:
    """A seat's cost from the first of the month through ``day``: price x day of month / days in the month, rounded
    half-up to 9 decimals (restated from macros/pricing.sql)."""
    return (price * day.day / calendar.monthrange(day.year, day.month)[1]).quantize(Decimal("1e-9"), ROUND_HALF_UP)


def seat_day_cost(price: Decimal, day: date) -> Decimal:
    """A seat-day's share of the monthly price: the cost through the day less the cost through the day before (0
    before the first), so a whole month sums to the price exactly."""
    before = seat_cost_through(price, day - timedelta(days=1)) if day.day > 1 else Decimal(0)
    return seat_cost_through(price, day) - before


def expected_seat_costs(usage: TeamUsage, start: date, end: date, price: Decimal) -> dict[tuple, Decimal]:
    """(email, day) -> the seat-day cost (:func:`seat_day_cost`)."""
    out = {}
    day = start
    while day <= end:
        daily = seat_day_cost(price, day)
        for member in usage.humans:
            if member.is_member_on(day) and member.role in PAID_ROLES:
                out[(member.email, day)] = daily
        day += timedelta(days=1)
    return out


def expected_idle_seats(usage: TeamUsage, as_of: date, idle_days: int = 14) -> set[str]:
    """Emails of paid seats held on ``as_of`` with no usage event in the ``idle_days`` days up to it."""
    window = day_start_ms(as_of - timedelta(days=idle_days - 1)), day_start_ms(as_of) + DAY_MS - 1
    active = {member.email for member, _ in usage.events_in(*window)}
    return {
        m.email for m in usage.current_members() if m.role in PAID_ROLES and m.email not in active and m.joined <= as_of
    }


def warehouse_of(where: Path | Warehouse) -> Warehouse:
    return where if isinstance(where, Warehouse) else Warehouse(where, DEFAULT_DUCKDB_MEMORY_LIMIT)


def query(where: Path | Warehouse, sql: str) -> list[tuple]:
    """Rows of a select on a DuckDB file (by its path) or any warehouse, through the product's reading layer."""
    with open_reader(warehouse_of(where)) as reader:
        return reader.rows(sql)


def _of_team(team: str | None) -> str:
    return f" and team = '{team}'" if team else ""


def mart_usage_costs(where: Path | Warehouse, team: str | None = None) -> dict[tuple, list]:
    """The usage costs of fct_cursor_costs_daily (of one team, or all), keyed as :func:`expected_usage_costs`."""
    rows = query(
        where,
        "select user_email, model, charge_type, usage_date, request_count, billed_cost_usd, list_cost_usd "
        "from marts.fct_cursor_costs_daily where charge_type != 'seat'" + _of_team(team),
    )
    return {(email, model, kind, day): [n, billed, listed] for email, model, kind, day, n, billed, listed in rows}


def mart_seat_costs(where: Path | Warehouse, team: str | None = None) -> dict[tuple, Decimal]:
    rows = query(
        where,
        "select user_email, usage_date, billed_cost_usd from marts.fct_cursor_costs_daily "
        "where charge_type = 'seat' and model = 'n/a' and is_estimated" + _of_team(team),
    )
    return {(email, day): cost for email, day, cost in rows}


POOL_MARTS = {"rpt_cursor_contract_pool_daily", "rpt_cursor_contract_pool_forecast"}  # empty without an org key
POOL_COLUMNS = (
    "usage_date, team_id, limit_usd, pool_used_usd, pool_remaining_usd, contract_start, contract_end, team_used_usd, "
    "team_budget_usd"
)


def expected_pool_days(pool: Pool) -> list[tuple]:
    """The simulator's contract pool per day and team, as rpt_cursor_contract_pool_daily's POOL_COLUMNS."""
    return [
        (day.day, team.team_id, day.limit_cents * CENT, day.used_cents * CENT, day.remaining_cents * CENT,
         day.contract_start, day.contract_end, team.used_cents * CENT,
         None if team.budget_limit_cents is None else team.budget_limit_cents * CENT)
        for day in pool.days()
        for team in day.teams
    ]  # fmt: skip


def mart_pool_days(where: Path | Warehouse) -> list[tuple]:
    sql = f"select {POOL_COLUMNS} from marts.rpt_cursor_contract_pool_daily order by usage_date, team_id"
    return [tuple(normal(value) for value in row) for row in query(where, sql)]


def normal(value):
    if isinstance(value, Decimal):
        return value.normalize() if value else Decimal(0)
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)  # PostgreSQL answers in the session's zone
    return value


def all_marts(where: Path | Warehouse, skip: tuple[str, ...] = ("source_loaded_at",)) -> dict[str, list[tuple]]:
    """Every mart, every row (sorted), values normalised so DuckDB and PostgreSQL compare (Decimal scale, float
    noise, instants in UTC); the columns in ``skip`` (load times) are left out."""
    with open_reader(warehouse_of(where)) as reader:
        out = {}
        for name in reader.tables("marts"):
            columns, rows = reader.columns(f"select * from marts.{name}")
            keep = [i for i, column in enumerate(columns) if column not in skip]
            out[name] = sorted((tuple(normal(row[i]) for i in keep) for row in rows), key=repr)
        return out


def expected_cycle_spend(usage: TeamUsage) -> dict[int, tuple[float, float, int]]:
    """Per member index: (on-demand cents, all cents, on-demand requests) of the current cycle, recomputed straight
    from every served event of the cycle: the definition ``/teams/spend`` answers from its per-day totals."""
    start = max(cycle_start(usage.spec.end_date, usage.spec.cycle_day), usage.spec.start_date)
    totals: dict[int, list] = {}
    for member, event in usage.events_in(day_start_ms(start), day_start_ms(usage.spec.end_date) + DAY_MS - 1):
        row = totals.setdefault(member.index, [0.0, 0.0, 0])
        row[1] += event["chargedCents"]
        if event["kind"] == "Usage-based":
            row[0] += event["chargedCents"]
            row[2] += 1
    return {i: (money(a), money(b), n) for i, (a, b, n) in totals.items()}


class MemberDay(NamedTuple):
    """One member's served usage on one UTC day, in cents as the API prints them."""

    overall_cents: Decimal
    on_demand_cents: Decimal
    included_requests: int
    on_demand_requests: int


def member_days(usage: TeamUsage, member_index: int, start: date, end: date) -> dict[date, MemberDay]:
    """The days start..end on which one member (e.g. a planted scenario's ``member_index``) has usage events."""
    out: dict[date, list] = defaultdict(lambda: [Decimal(0), Decimal(0), 0, 0])
    span = day_start_ms(start), day_start_ms(end) + DAY_MS - 1
    for _, event in usage.events_in(*span, match=lambda m: m.index == member_index):
        row = out[ms_to_day(int(event["timestamp"]))]
        row[0] += cents(event["chargedCents"])
        kind = charge_type(event["kind"])
        row[1] += cents(event["chargedCents"]) if kind == "on_demand" else 0
        row[2] += kind == "included"
        row[3] += kind == "on_demand"
    return {day: MemberDay(*row) for day, row in sorted(out.items())}


def first_day_reaching(days: dict[date, MemberDay], amount_cents: Decimal, on_demand: bool = True) -> date | None:
    """The first day on which the running total of ``days`` (on-demand, or all charges) reaches ``amount_cents``."""
    total = Decimal(0)
    for day, row in sorted(days.items()):
        total += row.on_demand_cents if on_demand else row.overall_cents
        if total >= amount_cents:
            return day
    return None


def projected_crossing(
    daily: dict[date, Decimal], to_date: Decimal, target: Decimal, as_of: date, last_day: date, trailing: int = 28
) -> date | None:
    """The forecasts' method (int_forecast_rates), restated from the simulator's data: the average of a weekday and
    of a weekend day over the ``trailing`` days up to ``as_of`` (from the series' first day, days without usage as
    0), each day after ``as_of`` projected at its class's rate; the first day ``to_date`` plus the projection
    reaches ``target`` (None if not by ``last_day``). Every day is a loaded day here."""
    first = min(daily) if daily else as_of
    window = [as_of - timedelta(days=n) for n in range(trailing) if as_of - timedelta(days=n) >= first]
    sums, counts = {True: Decimal(0), False: Decimal(0)}, {True: 0, False: 0}
    for day in window:
        weekend = day.weekday() >= 5
        sums[weekend] += daily.get(day, Decimal(0))
        counts[weekend] += 1
    rates = {k: sums[k] / counts[k] if counts[k] else None for k in sums}
    rates = {k: v if v is not None else rates[not k] for k, v in rates.items()}
    total, day = to_date, as_of
    while day < last_day:
        day += timedelta(days=1)
        total += rates[day.weekday() >= 5]
        if total >= target:
            return day
    return None


# -- What the AI code cost: the attribution rule restated from the raw tables -----------------------------------

NO_REPOSITORY = "(no repository)"


class Attributed(NamedTuple):
    """Exact dollars (fractions) of linked, allocated and unattributed usage value, with the billed counterparts."""

    commits: dict[tuple[str, str], list[Fraction]]  # (team, hash) -> [linked, allocated, linked billed, alloc. billed]
    repositories: dict[tuple[str, str, str], list[Fraction]]  # (team, 'YYYY-MM', repository) -> the same four
    unattributed: dict[tuple[str, str], list[Fraction]]  # (team, 'YYYY-MM') -> [usage, billed]
    usage: dict[tuple[str, str], list[Fraction]]  # (team, 'YYYY-MM') -> [usage, billed] of every event


def restated_ai_code_costs(where: Path | Warehouse, attribution_days: int = 7) -> Attributed:
    """The rule of README "What the spend bought" restated in Python from the raw tables (cursor_raw), in exact
    fractions: each event's value (chargedCents / 100; billed when on demand) goes to the commits its conversation
    wrote ranges in, by lines (end - start + 1); else, the author's usage of a UTC day goes to their commits of the
    first day on or after it, at most ``attribution_days`` later, by AI lines (equally when none); else nowhere. An
    amended commit's first listing is the commit; a commit's day is commitTs's, else createdAt's."""
    commits = _first_listings(where)
    by_author_day: dict[tuple, list] = defaultdict(list)
    for (team, hash_text), (email, day, repo, ai_lines) in sorted(commits.items()):
        by_author_day[(team, email, day)].append((hash_text, repo, ai_lines))
    lines: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for team, hash_text, conversation, count in query(
        where,
        "select team, lower(commit_hash), conversation_id, end_line - start_line + 1 from cursor_raw.ai_commit_ranges "
        "where conversation_id is not null",
    ):
        if (team, hash_text) in commits:
            lines[(team, conversation)][hash_text] += count
    out = Attributed(defaultdict(lambda: [Fraction(0)] * 4), defaultdict(lambda: [Fraction(0)] * 4),
                     defaultdict(lambda: [Fraction(0)] * 2), defaultdict(lambda: [Fraction(0)] * 2))  # fmt: skip
    unlinked: dict[tuple, list[Fraction]] = defaultdict(lambda: [Fraction(0)] * 2)
    events = "select team, timestamp_ms, lower(user_email), conversation_id, charged_cents, kind from cursor_raw."
    for team, ms, email, conversation, charged, kind in query(where, events + "usage_events"):
        value = Fraction(charged or 0) / 100
        amounts, day = (value, value if charge_type(kind) == "on_demand" else Fraction(0)), ms_to_day(ms)
        _add(out.usage[(team, f"{day:%Y-%m}")], amounts)
        written = lines.get((team, conversation))
        if not written:
            _add(unlinked[(team, email, day)], amounts)
            continue
        for hash_text, count in written.items():
            share = Fraction(count, sum(written.values()))
            _credit(out, team, hash_text, commits[(team, hash_text)][2], day, 0, amounts, share)
    for (team, email, day), amounts in unlinked.items():
        made = next((by_author_day[(team, email, day + timedelta(days=k))] for k in range(attribution_days + 1)
                     if email and (team, email, day + timedelta(days=k)) in by_author_day), None)  # fmt: skip
        if made is None:
            _add(out.unattributed[(team, f"{day:%Y-%m}")], amounts)
            continue
        weights = [ai_lines for _, _, ai_lines in made] if any(ai for _, _, ai in made) else [1] * len(made)
        for (hash_text, repo, _), weight in zip(made, weights, strict=True):
            _credit(out, team, hash_text, repo, day, 1, amounts, Fraction(weight, sum(weights)))
    return out


def _first_listings(where: Path | Warehouse) -> dict[tuple[str, str], tuple]:
    """(team, hash) -> (author, UTC day, repository, AI lines) of each commit's first listing."""
    rows = query(
        where,
        "select team, lower(commit_hash), created_at, commit_ts, lower(user_email), repo_name, "
        "coalesce(tab_lines_added, 0) + coalesce(composer_lines_added, 0) from cursor_raw.ai_commits",
    )
    out: dict[tuple[str, str], tuple] = {}
    for team, hash_text, created, committed, email, repo, ai_lines in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
        day = (committed or created).astimezone(UTC).date()
        out.setdefault((team, hash_text), (email, day, repo or NO_REPOSITORY, ai_lines))
    return out


def _add(total: list[Fraction], amounts: tuple[Fraction, Fraction]) -> None:
    total[0] += amounts[0]
    total[1] += amounts[1]


def _credit(out: Attributed, team: str, hash_text: str, repo: str, day: date, method: int, amounts, share) -> None:
    """Credit ``share`` of ``amounts`` to a commit and its repository-month, linked (method 0) or allocated (1)."""
    for figures in (out.commits[(team, hash_text)], out.repositories[(team, f"{day:%Y-%m}", repo)]):
        figures[method] += amounts[0] * share
        figures[2 + method] += amounts[1] * share
