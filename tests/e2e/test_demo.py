"""The newcomer's path: `cursor-spend demo` end to end, its summary against the simulator's ground truth, and its
HTML report rendered by headless Chromium (Debian's `chromium`, installed by `make test` when missing)."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from cursor_simulator.usage import DAY_MS, TeamUsage, day_start_ms
from cursor_spend.alerts.channels import SLACK_ENV, SMTP_ENV, WEBHOOK_ENV
from cursor_spend.cli import main
from cursor_spend.config import load_settings
from cursor_spend.demo import demo_team
from cursor_spend.errors import MartsError
from cursor_spend.summary import summarize, usd
from tests.receivers import smtp_server, webhook
from tests.truth import expected_idle_seats, expected_seat_costs, expected_usage_costs, query

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
    "--enable-logging=stderr", "--v=0",
]  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo run once in an empty folder, as `make demo` runs it: its folder and its terminal output."""
    cwd = tmp_path_factory.mktemp("newcomer")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CURSOR_")} | {"COLUMNS": "120"}
    env["CURSOR_SPEND_DUCKDB"] = str(cwd / "my-real-warehouse.duckdb")  # the demo must not touch it
    demo = [sys.executable, "-m", "cursor_spend.cli", "demo"]
    result = subprocess.run(demo, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert not (cwd / "my-real-warehouse.duckdb").exists()
    return cwd / "demo", result.stdout


def test_demo_summary_equals_the_simulator_ground_truth(demo):
    root, output = demo
    settings = load_settings(env={"CURSOR_SPEND_DUCKDB": str(root / "warehouse" / "cursor_spend.duckdb")})
    summary = summarize(settings)
    figures = summary.month  # this month's money and seats
    usage = TeamUsage(demo_team("any", members=60, days=45, seed=7, end_date=figures.as_of_date))  # the demo's team
    month = figures.usage_month, figures.as_of_date

    costs = expected_usage_costs(usage, *month)
    by_type: dict[str, Decimal] = defaultdict(Decimal)
    by_model: dict[str, Decimal] = defaultdict(Decimal)
    for (_, model, kind, _), (_, billed, listed) in costs.items():
        by_type[kind] += listed if kind == "included" else billed
        by_model[model] += listed
    assert figures.seats_usd == sum(expected_seat_costs(usage, *month, Decimal(40)).values())
    assert figures.on_demand_usd == by_type["on_demand"]
    assert figures.included_value_usd == by_type["included"]
    assert [model for model, *_ in summary.top_models] == sorted(by_model, key=lambda m: (-by_model[m], m))[:5]
    assert {email for email, *_ in summary.idle_seats} == expected_idle_seats(usage, figures.as_of_date)
    events = sum(1 for _ in usage.events_in(*_whole(usage)))
    assert summary.table_rows["cursor_raw.usage_events"] == events

    # What the terminal showed is that summary, and says where everything is.
    for figure in (figures.total_usd, figures.seats_usd, figures.on_demand_usd, figures.included_value_usd):
        assert usd(figure) in output
    assert re.search(rf"cursor_raw\.usage_events {events:,}", output)

    # The summary only selects: its figures are the monthly mart's, its lists the marts' ranks.
    month = query(
        settings.warehouse,
        "select seats_usd, on_demand_usd, total_usd, included_value_usd, paid_seats, active_seats, idle_seat_cost_usd "
        "from marts.rpt_cursor_monthly_spend where team = '*' and is_current_month",
    )
    assert month == [(figures.seats_usd, figures.on_demand_usd, figures.total_usd, figures.included_value_usd,
                      figures.paid_seats, figures.active_seats, figures.idle_seat_cost_usd)]  # fmt: skip
    ranked = query(settings.warehouse, "select user_email from marts.rpt_cursor_top_users where team = '*' "
                   f"and usage_month = '{figures.usage_month}' and rank <= 5 order by rank")  # fmt: skip
    assert [email for email, *_ in summary.top_users] == [email for (email,) in ranked]
    assert "Report:" in output and "CURSOR_API_KEY" in output

    # The planted spike crossed the shipped per-user on-demand budget: the summary shows it first, among the alerts
    # to act on, and counts the informational ones the daily digest carries instead of listing them.
    spike = next(p for p in usage.planted if p.kind == "spike")
    actionable = [alert for alert in summary.open_alerts if alert.delivery == "send"]
    digested = [alert for alert in summary.open_alerts if alert.delivery == "digest"]
    assert {alert.severity for alert in actionable} == {"action", "warning"}
    assert {alert.severity for alert in digested} == {"information"}
    budget = f"budget|per-user-on-demand|{spike.email}|{figures.usage_month}|100"
    assert actionable[0].alert_key == budget and actionable[0].severity == "action"
    assert f"Alerts to act on: {len(actionable)} (" in output and f"Informational alerts: {len(digested)} (" in output
    assert output.index(f"Budget per-user-on-demand (user {spike.email}") < output.index("Informational alerts")
    assert "included_exhausted:" not in output  # counted, not listed


def test_the_demo_summary_shows_what_the_spend_bought_and_both_planted_stories(demo):
    """This month's top repositories, their linked and allocated costs and the unattributed usage are the simulator's
    ground truth to the cent; the planted migration's repository is among the costliest and the planted heavy spender
    whose AI lines reach no commit leads the paid seats without AI commits."""
    root, output = demo
    settings = load_settings(env={"CURSOR_SPEND_DUCKDB": str(root / "warehouse" / "cursor_spend.duckdb")})
    summary = summarize(settings)
    usage = TeamUsage(demo_team("any", members=60, days=45, seed=7, end_date=summary.month.as_of_date))
    truth, month = usage.ai_code.costs(), f"{summary.month.usage_month:%Y-%m}"
    repositories = {repo: costs for (at, repo), costs in truth.repositories.items() if at == month}
    cents = lambda value: usd(Decimal(value.numerator) / Decimal(value.denominator))  # noqa: E731

    assert summary.has_ai_code and len(summary.top_repositories) == 5
    assert [r.repository for r in summary.top_repositories] == sorted(
        repositories, key=lambda repo: (-repositories[repo].total.usage, repo)
    )[:5]
    for r in summary.top_repositories:
        costs = repositories[r.repository]
        assert (usd(r.linked_cost_usd), usd(r.allocated_cost_usd)) == (cents(costs.linked.usage),
                                                                       cents(costs.allocated.usage))  # fmt: skip
        assert re.search(rf"{re.escape(r.repository)} +│ +{re.escape(usd(r.linked_cost_usd))} ", output)
    assert usd(summary.unattributed.cost_usd) == cents(truth.unattributed[month].usage)
    assert f"Unattributed (usage that reached no commit): {usd(summary.unattributed.cost_usd)}" in output

    migration = next(p for p in usage.planted if p.kind == "migration")
    assert migration.repo in [r.repository for r in summary.top_repositories[:2]]
    no_commits = next(p for p in usage.planted if p.kind == "no_commits")
    assert summary.seats_without_ai_commits[0].user_email == no_commits.email
    assert f"the largest usage: {no_commits.email} (" in output


def test_the_demo_teams_alerts_reach_every_channel_as_actions_and_warnings_plus_one_digest(demo, tmp_path, monkeypatch):
    """Issue 21's test of alert noise: on the demo team's data, `alerts --send` to a webhook, Slack and e-mail
    delivers one message per action or warning alert and one digest per channel, and the ledger holds every alert
    once per channel."""
    root, _ = demo
    warehouse = tmp_path / "cursor_spend.duckdb"
    shutil.copy(root / "warehouse" / "cursor_spend.duckdb", warehouse)
    mart = {key: (kind, severity, delivery) for key, kind, severity, delivery in query(
        warehouse, "select alert_key, kind, severity, delivery from marts.rpt_cursor_alerts")}  # fmt: skip
    send = {key for key, (_, _, delivery) in mart.items() if delivery == "send"}
    digest = {key for key, (_, _, delivery) in mart.items() if delivery == "digest"}
    with webhook() as hook, webhook() as slack, smtp_server() as mailbox:
        for name, value in {
            "CURSOR_SPEND_DUCKDB": str(warehouse), WEBHOOK_ENV: hook.url, SLACK_ENV: slack.url, SMTP_ENV: mailbox.url,
            "CURSOR_SPEND_ALERT_EMAIL_FROM": "cursor-spend@acme.io", "CURSOR_SPEND_ALERT_EMAIL_TO": "finops@acme.io",
        }.items():  # fmt: skip
            monkeypatch.setenv(name, value)
        assert main(["alerts", "--send"]) == 0
        assert main(["alerts", "--send"]) == 0  # nothing twice

    assert {mart[key][1] for key in send} == {"action", "warning"} and {mart[key][1] for key in digest} == {
        "information"
    }
    singles = [body for body in hook.bodies if "digest" not in body]
    assert sorted(alert["alert_key"] for body in singles for alert in body["alerts"]) == sorted(send)
    (day,) = hook.digests
    assert sorted(alert["alert_key"] for alert in day["alerts"]) == sorted(digest)
    assert day["digest"]["counts"] == dict(Counter(mart[key][0] for key in digest))
    for messages in (slack.bodies, mailbox.messages):
        assert len(messages) == len(send) + 1  # one per action or warning alert, one digest
    ledger = query(warehouse, "select alert_key, channel, status from cursor_alerts.alert_deliveries")
    assert len(ledger) == len({(key, channel) for key, channel, _ in ledger}) == 3 * len(mart)
    assert {(key, status) for key, _, status in ledger} == {
        (key, "sent" if key in send | digest else "skipped") for key in mart
    }


def _as_of(root: Path):
    """The newest usage day of the demo's warehouse (the simulator's end date)."""
    warehouse = root / "warehouse" / "cursor_spend.duckdb"
    return query(warehouse, "select max(usage_date) from marts.rpt_cursor_daily_spend")[0][0]


def _whole(usage: TeamUsage) -> tuple[int, int]:
    return day_start_ms(usage.spec.start_date), day_start_ms(usage.spec.end_date) + DAY_MS - 1


def test_the_report_is_self_contained_and_renders_in_headless_chromium(demo, tmp_path):
    root, _ = demo
    report = root / "cursor-spend-report.html"
    html = report.read_text()
    assert html.count("<svg") >= 9  # seven charts, and a burn-up per budget shown (the demo's team and its spike)
    # no script at all (pygal puts its tooltip config in each chart); nothing may be fetched: no link, image, frame
    # or url()
    assert "<script" not in html.lower()
    assert not re.search(r"<(link|img|iframe)\b", html), "linked resources"
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|file:)?//|url\(["']?(https?:)?//""", html), "network"

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium is required: `make test` installs it (apt-get install chromium)"
    common = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*common, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    headings = ("Budgets and forecast", "Anomalies", "Daily spend", "Spend by model", "Top users", "Seat utilisation")
    for heading in (*headings, "Idle paid seats", "What the spend bought", "Paid seats without AI commits this month"):
        assert f">{heading}<" in dom.stdout
    bought = dom.stdout[dom.stdout.index(">What the spend bought<") : dom.stdout.index(">Seat utilisation<")]
    titles = ("Top 10 repositories this month", "Spend per 1,000 AI lines", "Active people vs paid seats")
    assert bought.count("<svg") == 3 and all(title in bought for title in titles)
    for legend in ("Linked", "Allocated", "Unattributed", "Paid seats"):
        assert f">{legend}<" in bought
    migration = next(p for p in TeamUsage(demo_team("any", 60, 45, 7, _as_of(root))).planted if p.kind == "migration")
    assert f"<td>{migration.repo}</td>" in bought and "(unattributed: reached no commit)" in bought
    assert "Uncaught" not in dom.stderr and "ERR_" not in dom.stderr, dom.stderr[-2000:]

    shot = tmp_path / "report.png"
    result = subprocess.run(
        [*common, "--window-size=1100,2400", f"--screenshot={shot}", report.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0 and shot.exists(), result.stderr[-2000:]
    width, height, inked, colours = png_stats(shot)
    assert (width, height) == (1100, 2400)
    assert inked > 0.05, f"only {inked:.1%} of the page is drawn: the report rendered blank or broken"
    assert colours >= 8, "the charts' series colours are missing"


def test_report_on_a_missing_warehouse_says_what_to_run(tmp_path):
    with pytest.raises(MartsError, match="run `cursor-spend run`"):
        summarize(load_settings(env={"CURSOR_SPEND_DUCKDB": str(tmp_path / "none.duckdb")}))
    result = subprocess.run(
        [sys.executable, "-m", "cursor_spend.cli", "report", "--duckdb", str(tmp_path / "none.duckdb")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 2 and "cursor-spend report: no warehouse at" in result.stderr
    assert "Traceback" not in result.stderr


def png_stats(path: Path) -> tuple[int, int, float, int]:
    """Width, height, share of pixels that are not near-white, and distinct saturated colours of an 8-bit
    RGB(A) non-interlaced PNG, such as Chromium's screenshots."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and not interlace, header
    bpp = 3 if colour_type == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    previous, inked, colours = bytearray(stride), 0, set()
    for y in range(height):
        filter_type = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = row[i - bpp] if i >= bpp else 0
            up, up_left = previous[i], previous[i - bpp] if i >= bpp else 0
            if filter_type == 1:
                row[i] = (row[i] + left) & 0xFF
            elif filter_type == 2:
                row[i] = (row[i] + up) & 0xFF
            elif filter_type == 3:
                row[i] = (row[i] + (left + up) // 2) & 0xFF
            elif filter_type == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                row[i] = (row[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        for x in range(0, stride, bpp * 4):  # every 4th pixel is plenty
            r, g, b = row[x], row[x + 1], row[x + 2]
            inked += min(r, g, b) < 235
            if max(r, g, b) - min(r, g, b) > 60:
                colours.add((r >> 4, g >> 4, b >> 4))
        previous = row
    return width, height, inked / (height * ((stride + bpp * 4 - 1) // (bpp * 4))), len(colours)
