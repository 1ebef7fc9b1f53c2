"""Apache Superset 6.1 over the PostgreSQL warehouse, looked at as a person would: the warehouse filled by the
simulator, extract and transform; the read-only reader role; Superset set up by bi/superset/bootstrap.sh (its own
CLI imports the dashboards as code); every chart's data from Superset's API equal to the marts to the cent; the
overview dashboard opened in headless Chromium (Debian's chromium), its DOM and its pixels.

Set CURSOR_SPEND_UPDATE_SCREENSHOTS=1 to also write the screenshot to docs/superset-overview.png.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal

import psycopg2
import pytest

from tests.bi import warehouse
from tests.bi.compare import assert_equal_to_the_cent, keyed, normal, same_to_the_cent
from tests.bi.superset import READER, REPO, Superset, create_reader, install
from tests.e2e.test_demo import CHROMIUM_FLAGS, png_stats

pytestmark = pytest.mark.slow

OVERVIEW = "cursor-spend-overview"
THIS_MONTH = "(select usage_month from marts.rpt_cursor_monthly_spend where team = '*' and is_current_month)"
MONTH = "from marts.rpt_cursor_monthly_spend where team = '*' and is_current_month"
# Each chart's figures as the marts hold them: (query, number of key columns, or None when the order is the chart's).
EXPECTED = {
    "Total this month": (f"select total_usd {MONTH}", None),
    "Seats this month (estimated)": (f"select seats_usd {MONTH}", None),
    "On-demand this month": (f"select on_demand_usd {MONTH}", None),
    "Included usage value this month": (f"select included_value_usd {MONTH}", None),
    "Daily spend by charge type": (
        "select usage_date, seats_usd, on_demand_usd from marts.rpt_cursor_daily_spend where team = '*'",
        1,
    ),
    "Top users this month": (
        "select rank, user_email, usage_value_usd, included_value_usd, on_demand_usd, request_count "
        f"from marts.rpt_cursor_top_users where team = '*' and usage_month = {THIS_MONTH} and rank <= 10 "
        "order by rank",
        None,
    ),
    "Top models this month": (
        "select rank, model, usage_value_usd, request_count from marts.rpt_cursor_top_models "
        f"where team = '*' and usage_month = {THIS_MONTH} and rank <= 10 order by rank",
        None,
    ),
    "Idle paid seats": (
        "select team, user_email, role, last_active_date, days_since_last_active, seat_cost_this_month_usd "
        "from marts.rpt_cursor_idle_seats order by seat_cost_this_month_usd desc, user_email",
        None,
    ),
    "Budgets this month": (
        "select budget_name, scope, scope_value, basis, budget_usd, spend_to_date_usd, percent_used, "
        "projected_total_usd, status from marts.rpt_cursor_budget_status where is_current_period "
        "order by percent_used desc, scope_value",
        None,
    ),
    "Team budget burn-up": (
        "select usage_date, budget_name, scope_value, cumulative_usd, budget_usd from marts.rpt_cursor_budget_burnup "
        "where scope = 'team' and period_start = (select max(period_start) from marts.rpt_cursor_budget_burnup)",
        3,
    ),
    "Open alerts": (
        "select alert_date, kind, scope, scope_value, amount_usd, threshold_usd, message from marts.rpt_cursor_alerts "
        "order by alert_date desc, kind, scope_value, threshold_usd",
        None,
    ),
    "Chargeback by billing group": (
        "select usage_month, team, billing_group, seats_usd, on_demand_usd, total_usd, included_value_usd, users, "
        "seat_holders from marts.rpt_cursor_chargeback_monthly "
        "order by usage_month desc, team, total_usd desc, billing_group",
        None,
    ),
    "Monthly cost by billing group": (
        "select usage_month, team, billing_group, total_usd from marts.rpt_cursor_chargeback_monthly",
        3,
    ),
}


@pytest.fixture(scope="module")
def superset(tmp_path_factory: pytest.TempPathFactory, postgres_server):
    """A PostgreSQL warehouse, its reader role, and Superset over it (stopped after the module)."""
    folder = tmp_path_factory.mktemp("superset")
    owner_url = postgres_server.database()
    reader_uri = create_reader(owner_url)  # the role first, as docker-compose's warehouse-reader makes it
    settings = warehouse.build(folder, owner_url, reader_roles=(READER,))  # every build grants it the marts
    venv, seconds = install()
    print(f"Superset's venv {venv}: " + (f"installed in {seconds:.1f} s" if seconds else "cached"))
    (folder / "home").mkdir()
    server = Superset(venv, folder / "home", reader_uri)
    try:
        server.bootstrap()
        yield settings, server.start(), reader_uri
    finally:
        server.stop()


def test_the_reader_role_selects_the_marts_and_nothing_else(superset):
    _, _, reader_uri = superset
    con = psycopg2.connect(reader_uri.replace("+psycopg2", ""))
    try:
        con.autocommit = True
        cursor = con.cursor()
        cursor.execute("select count(*) from marts.rpt_cursor_monthly_spend")
        assert cursor.fetchone()[0] > 0
        cursor.execute("show timezone")
        assert cursor.fetchone()[0] == "UTC"
        for refused in (
            "select count(*) from cursor_raw.usage_events",
            "select count(*) from staging.stg_cursor__usage_events",
            "select count(*) from intermediate.int_seat_months_held",
            "create table marts.scratch (x int)",
            "delete from marts.rpt_cursor_monthly_spend",
            "create schema scratch",
        ):
            with pytest.raises(psycopg2.Error) as error:
                cursor.execute(refused)
            assert error.value.pgcode in ("42501", "25006"), (refused, error.value.pgerror)  # privilege, read-only
    finally:
        con.close()


def _chart_rows(result: dict) -> list[list]:
    """A chart's rows in its column order; temporal columns (epoch milliseconds) as UTC days."""
    temporal = [kind == 2 for kind in result["coltypes"]]
    return [
        [
            datetime.fromtimestamp(row[name] / 1000, UTC).date() if is_day and row[name] is not None else row[name]
            for name, is_day in zip(result["colnames"], temporal, strict=True)
        ]
        for row in result["data"]
    ]


def test_every_chart_shows_the_marts_figures_through_superset_api(superset):
    settings, server, _ = superset
    charts = server.get("/api/v1/chart/?q=(page_size:100)")["result"]
    assert sorted(chart["slice_name"] for chart in charts) == sorted(EXPECTED)
    for chart in charts:
        result = server.get(f"/api/v1/chart/{chart['id']}/data/")["result"][0]  # the chart's saved query
        sql, keys = EXPECTED[chart["slice_name"]]
        got, expected = _chart_rows(result), warehouse.rows(settings, sql)
        assert got, chart["slice_name"]
        if keys is None:  # the chart's order is the mart's
            assert len(got) == len(expected), chart["slice_name"]
            for got_row, expected_row in zip(got, expected, strict=True):
                same = all(same_to_the_cent(a, b) for a, b in zip(got_row, expected_row, strict=True))
                assert same, (chart["slice_name"], got_row, expected_row)
        else:
            assert_equal_to_the_cent(keyed(got, keys), keyed(expected, keys))


def _chromium(*args: str, profile) -> subprocess.CompletedProcess:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium is required: `make test` installs it (apt-get install chromium)"
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1400,1500",
               "--virtual-time-budget=30000", *args]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_the_overview_dashboard_renders_its_charts_in_headless_chromium(superset, tmp_path):
    settings, server, _ = superset
    page = f"{server.url}/superset/dashboard/{OVERVIEW}/?standalone=1"
    dom = _chromium("--dump-dom", page, profile=tmp_path / "profile").stdout
    for title in ("Total this month", "Daily spend by charge type", "Top users this month", "Top models this month",
                  "Idle paid seats"):  # fmt: skip
        assert title in dom, f"{title!r} is not on the page"
    total, top_user, idle_user = (
        warehouse.rows(settings, f"select total_usd {MONTH}")[0][0],
        warehouse.rows(
            settings,
            f"select user_email from marts.rpt_cursor_top_users where team = '*' "
            f"and usage_month = {THIS_MONTH} and rank = 1",
        )[0][0],  # fmt: skip
        warehouse.rows(settings, "select min(user_email) from marts.rpt_cursor_idle_seats")[0][0],
    )
    assert f"${normal(total).quantize(Decimal('0.01')):,}" in dom  # the big number, as the mart says
    assert top_user in dom and idle_user in dom
    assert 'type="password"' not in dom, "a login page, not the dashboard"
    for error in ("Unexpected error", "An error occurred", "No results were returned", "Network error"):
        assert error not in dom, error

    shot = tmp_path / "superset-overview.png"
    _chromium(f"--screenshot={shot}", page, profile=tmp_path / "profile")
    login = tmp_path / "login.png"
    _chromium(f"--screenshot={login}", f"{server.url}/login/", profile=tmp_path / "login-profile")
    width, height, inked, colours = png_stats(shot)
    *_, login_inked, login_colours = png_stats(login)
    print(f"overview: {inked:.1%} drawn, {colours} colours; login page: {login_inked:.1%}, {login_colours}")
    assert (width, height) == (1400, 1500)
    assert inked > 0.05 and colours >= 8, "the dashboard's charts did not draw"
    assert inked > 3 * login_inked  # the pixel check tells the dashboard from a login page
    if os.environ.get("CURSOR_SPEND_UPDATE_SCREENSHOTS"):
        shutil.copyfile(shot, REPO / "docs" / "superset-overview.png")
