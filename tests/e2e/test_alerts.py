"""Budgets, forecasts, anomalies and alerts end to end: a simulated team with planted stories (a spike, a user whose
on-demand spend ramps past the shipped per-user budget and their spend limit, a user who runs out of included usage)
served over HTTP -> `cursor-spend extract` -> `transform` -> `alerts --send` to real local receivers: a JSON
webhook, a Slack-style webhook and an SMTP server. Each planted story gives exactly the alerts the simulator's ground
truth predicts; a failed delivery is retried by the next run; a rerun sends nothing new."""

from __future__ import annotations

import statistics
from datetime import date
from decimal import Decimal

import pytest

from cursor_simulator import Scenario, SimulatorOptions, TeamSpec
from cursor_simulator.usage import TeamUsage
from cursor_spend.cli import main
from cursor_spend.config import load_settings
from tests.conftest import API_KEY, END_DATE
from tests.receivers import smtp_server, webhook
from tests.truth import first_day_reaching, member_days, projected_crossing, query

SPEC = {"members": 20, "days": 40, "end_date": END_DATE}  # 2026-10-12 .. 2026-11-20; cycles start on the 1st
SPIKE_DAY, EXHAUST_DAY, CYCLE = date(2026, 11, 16), date(2026, 11, 12), date(2026, 11, 1)
FLOOR = Decimal(25)  # var anomaly_min_spend_usd
BUDGET = ("per-user-on-demand", Decimal(100), (80, 100))  # the shipped seeds/budgets.csv row for every user
ALLOWANCE = Decimal(20)  # var included_usage_usd for members


def _usd(cents: Decimal) -> Decimal:
    return cents / 100


def _team() -> tuple[TeamUsage, dict[str, int]]:
    """The planted team; the spike's factor makes it stand at least $10 above the floor (5 x at least)."""
    steady = TeamUsage(TeamSpec(api_key=API_KEY, **SPEC))
    start = steady.spec.start_date
    people = sorted(
        (m for m in steady.current_members() if m.joined < start and m.role == "member"),
        key=lambda m: -m.p_active,
    )
    spike, ramp, exhaust = (m.index for m in people[:3])
    days = member_days(steady, spike, start, END_DATE)
    typical = _usd(Decimal(statistics.median(row.overall_cents for d, row in days.items() if d != SPIKE_DAY)))
    factor = max(5.0, float((FLOOR + 10) / typical) + 1)
    scenarios = (
        Scenario("spike", spike, SPIKE_DAY, factor=factor),
        Scenario("ramp", ramp, amount_dollars=float(BUDGET[1])),
        Scenario("exhaust_included", exhaust, EXHAUST_DAY),
    )
    return TeamUsage(TeamSpec(api_key=API_KEY, scenarios=scenarios, **SPEC)), {
        "spike": spike,
        "ramp": ramp,
        "exhaust": exhaust,
    }


def _expected(usage: TeamUsage, who: dict[str, int]) -> dict[str, tuple]:
    """alert_key -> (kind, user, alert_date, amount_usd, threshold_usd, projected_date) of every planted story."""
    planted = {p.kind: p for p in usage.planted}
    email = {name: usage.members[index].email for name, index in who.items()}
    start = usage.spec.start_date
    out = {}

    spike_days = member_days(usage, who["spike"], start, END_DATE)
    amount = _usd(spike_days[SPIKE_DAY].overall_cents)
    out[f"anomaly|acme|{email['spike']}|{SPIKE_DAY}"] = ("spend_anomaly", email["spike"], SPIKE_DAY, amount)

    cycle = member_days(usage, who["exhaust"], CYCLE, END_DATE)
    included = _usd(sum(row.overall_cents - row.on_demand_cents for row in cycle.values()))
    out[f"included|acme|{email['exhaust']}|{CYCLE}"] = (
        "included_exhausted", email["exhaust"], EXHAUST_DAY, included, ALLOWANCE, None,
    )  # fmt: skip

    ramp = member_days(usage, who["ramp"], CYCLE, END_DATE)
    on_demand = _usd(sum(row.on_demand_cents for row in ramp.values()))
    on_demand_daily = {d: _usd(row.on_demand_cents) for d, row in ramp.items()}
    name, budget, thresholds = BUDGET
    for pct in thresholds:
        threshold = budget * pct / 100
        crossed = first_day_reaching(ramp, threshold * 100)
        if crossed:
            key = f"budget|{name}|{email['ramp']}|{CYCLE}|{pct}"
            out[key] = ("budget_threshold_crossed", email["ramp"], crossed, on_demand, threshold)
    if not first_day_reaching(ramp, budget * 100):
        projected = projected_crossing(on_demand_daily, on_demand, budget, END_DATE, date(2026, 11, 30))
        if projected:
            key = f"budget_forecast|{name}|{email['ramp']}|{CYCLE}"
            out[key] = ("budget_projected_to_exceed", email["ramp"], END_DATE, None, budget, projected)
    limit = Decimal(planted["ramp"].limit_dollars)
    reached = first_day_reaching(ramp, limit * 100)
    if reached:
        out[f"spend_limit|acme|{email['ramp']}|{CYCLE}"] = (
            "spend_limit_reached",
            email["ramp"],
            reached,
            on_demand,
            limit,
        )
    else:
        usage_daily = {
            d: _usd(row.overall_cents) for d, row in member_days(usage, who["ramp"], start, END_DATE).items()
        }
        projected = projected_crossing(usage_daily, on_demand, limit, END_DATE, date(2026, 11, 30))
        out[f"spend_limit_forecast|acme|{email['ramp']}|{CYCLE}"] = (
            "spend_limit_projected", email["ramp"], END_DATE, on_demand, limit, projected,
        )  # fmt: skip
    return out


def _as_expected(alert: dict, width: int) -> tuple:
    values = (
        alert["kind"],
        alert["user_email"] or alert["scope_value"],
        date.fromisoformat(alert["alert_date"]),
        Decimal(alert["amount_usd"]) if alert["amount_usd"] is not None else None,
        Decimal(alert["threshold_usd"]) if alert["threshold_usd"] is not None else None,
        date.fromisoformat(alert["projected_date"]) if alert["projected_date"] else None,
    )
    return values[:width]


def _normal(values: tuple) -> tuple:
    return tuple(v.normalize() if isinstance(v, Decimal) else v for v in values)


@pytest.fixture
def env(tmp_path, make_simulator, monkeypatch):
    usage, who = _team()
    server = make_simulator(SimulatorOptions(rate_limits=False), teams=[usage.spec])
    monkeypatch.delenv("CURSOR_API_KEYS", raising=False)
    for name, value in {
        "CURSOR_API_KEY": API_KEY,
        "CURSOR_TEAM": "acme",
        "CURSOR_API_BASE_URL": server.base_url,
        "CURSOR_SPEND_DUCKDB": str(tmp_path / "warehouse" / "cursor_spend.duckdb"),
    }.items():
        monkeypatch.setenv(name, value)
    return usage, who


def test_planted_stories_alert_once_on_every_channel_and_a_failed_delivery_is_retried(env, monkeypatch, capsys):
    usage, who = env
    assert main(["extract", "--start-date", str(usage.spec.start_date), "--end-date", str(END_DATE)]) == 0
    assert main(["transform"]) == 0
    settings = load_settings()
    keys = {key for (key,) in query(settings.warehouse, "select alert_key from marts.rpt_cursor_alerts")}

    with webhook() as hook, webhook() as slack, smtp_server() as (smtp_url, mails):
        monkeypatch.setenv("CURSOR_SPEND_ALERT_WEBHOOK_URL", hook.url)
        monkeypatch.setenv("CURSOR_SPEND_ALERT_SLACK_WEBHOOK_URL", slack.url)
        monkeypatch.setenv("CURSOR_SPEND_ALERT_SMTP_URL", smtp_url)
        monkeypatch.setenv("CURSOR_SPEND_ALERT_EMAIL_FROM", "cursor-spend@acme.io")
        monkeypatch.setenv("CURSOR_SPEND_ALERT_EMAIL_TO", "finops@acme.io, eng-leads@acme.io")
        hook.fail_next = 1  # the webhook is down for the first run
        capsys.readouterr()
        assert main(["alerts", "--send"]) == 1
        line = capsys.readouterr().out
        assert f"email: {len(keys)} sent" in line and f"slack: {len(keys)} sent" in line
        assert "webhook: FAILED (the webhook at http://127.0.0.1:" in line and "secret-token" not in line
        assert hook.refused == 1 and not hook.bodies and len(mails) == 1 and len(slack.bodies) == 1

        assert main(["alerts", "--send"]) == 0  # the webhook's turn again; e-mail and Slack have nothing new
        assert len(hook.bodies) == 1 and len(mails) == 1 and len(slack.bodies) == 1
        assert main(["alerts", "--send"]) == 0  # a rerun sends nothing new
        assert len(hook.bodies) == 1 and len(mails) == 1 and len(slack.bodies) == 1

    received = {alert["alert_key"]: alert for alert in hook.alerts}
    assert set(received) == keys and len(hook.alerts) == len(keys)  # every alert, once
    mail = mails[0]
    assert (
        mail["To"] == "finops@acme.io, eng-leads@acme.io" and f"{len(keys)} new Cursor spend alerts" in mail["Subject"]
    )
    body = mail.get_payload(decode=True).decode()
    assert all(alert["message"] in body and alert["message"] in slack.bodies[0]["text"] for alert in hook.alerts)

    expected = _expected(usage, who)
    users = {values[1] for values in expected.values()}
    planted_alerts = {
        key: alert for key, alert in received.items()
        if alert["user_email"] in users or alert["scope_value"] in users
        if alert["kind"] in {v[0] for v in expected.values()}
    }  # fmt: skip
    assert set(planted_alerts) >= set(expected)
    for key, values in expected.items():
        assert _normal(_as_expected(received[key], len(values))) == _normal(values), key
    spike = received[next(k for k in expected if k.startswith("anomaly|"))]
    assert "their median day" in spike["message"] and spike["is_estimated"] is False

    capsys.readouterr()
    assert main(["alerts"]) == 0
    assert f"0 open alert(s), {len(keys)} already delivered" in capsys.readouterr().out


def test_alerts_without_a_channel_say_how_to_configure_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CURSOR_SPEND_DUCKDB", str(tmp_path / "cursor_spend.duckdb"))  # channels are checked first
    for name in (
        "CURSOR_SPEND_ALERT_WEBHOOK_URL",
        "CURSOR_SPEND_ALERT_SLACK_WEBHOOK_URL",
        "CURSOR_SPEND_ALERT_SMTP_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    assert main(["alerts", "--send"]) == 2
    assert "no alert channel configured: set CURSOR_SPEND_ALERT_WEBHOOK_URL" in capsys.readouterr().err
    monkeypatch.setenv("CURSOR_SPEND_ALERT_SMTP_URL", "smtp://user:hunter2@127.0.0.1:25")
    assert main(["alerts", "--send"]) == 2
    err = capsys.readouterr().err
    assert "set CURSOR_SPEND_ALERT_EMAIL_FROM and CURSOR_SPEND_ALERT_EMAIL_TO" in err and "hunter2" not in err
