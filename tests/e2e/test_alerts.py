"""Budgets, forecasts, anomalies and alerts end to end: a simulated team with planted stories (a spike, a user whose
on-demand spend ramps past the shipped per-user budget and their spend limit, a user who runs out of included usage)
served over HTTP -> `cursor-spend extract` -> `transform` -> `alerts --send` to real local receivers: a JSON
webhook, a Slack-style webhook and an SMTP server. Each planted story gives exactly the alerts the simulator's ground
truth predicts; a failed delivery is retried by the next run; a rerun sends nothing new."""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from subprocess import PIPE

import pytest

from cursor_simulator import Scenario, Simulator, SimulatorOptions, SimulatorServer, TeamSpec
from cursor_simulator.usage import TeamUsage
from cursor_spend.alerts import channels
from cursor_spend.alerts.channels import SLACK_ENV, SMTP_ENV, WEBHOOK_ENV
from cursor_spend.cli import main
from tests.conftest import API_KEY, END_DATE
from tests.receivers import Webhook, smtp_server, webhook
from tests.truth import first_day_reaching, member_days, projected_crossing, query

SPEC = {"members": 8, "days": 40, "end_date": END_DATE}  # 2026-10-12 .. 2026-11-20; cycles start on the 1st
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


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, TeamUsage, dict[str, int]]:
    """The planted team extracted and transformed once: its DuckDB file (each test works on a copy)."""
    usage, who = _team()
    folder = tmp_path_factory.mktemp("alerts")
    server = SimulatorServer(Simulator([usage.spec], SimulatorOptions(rate_limits=False))).start()
    try:
        with pytest.MonkeyPatch.context() as patch:
            _environment(patch, folder / "cursor_spend.duckdb", server.base_url)
            assert main(["extract", "--start-date", str(usage.spec.start_date), "--end-date", str(END_DATE)]) == 0
            assert main(["transform"]) == 0
    finally:
        server.stop()
    return folder / "cursor_spend.duckdb", usage, who


def _environment(patch: pytest.MonkeyPatch, duckdb: Path, base_url: str = "http://127.0.0.1:9") -> None:
    patch.delenv("CURSOR_API_KEYS", raising=False)
    for name in (WEBHOOK_ENV, SLACK_ENV, SMTP_ENV):
        patch.delenv(name, raising=False)
    for name, value in {
        "CURSOR_API_KEY": API_KEY,
        "CURSOR_TEAM": "acme",
        "CURSOR_API_BASE_URL": base_url,
        "CURSOR_SPEND_DUCKDB": str(duckdb),
        "CURSOR_SPEND_ALERT_EMAIL_FROM": "cursor-spend@acme.io",
        "CURSOR_SPEND_ALERT_EMAIL_TO": "finops@acme.io, eng-leads@acme.io",
    }.items():
        patch.setenv(name, value)


@pytest.fixture
def warehouse(built, tmp_path, monkeypatch) -> Path:
    """A copy of the built warehouse, in this test's folder, set as the one to use."""
    path = tmp_path / "warehouse" / "cursor_spend.duckdb"
    path.parent.mkdir()
    shutil.copy(built[0], path)
    _environment(monkeypatch, path)
    return path


def _mart(path: Path) -> dict[str, tuple[str, str]]:
    """alert_key -> (severity, delivery) of every alert of the mart."""
    rows = query(path, "select alert_key, severity, delivery from marts.rpt_cursor_alerts")
    return {key: (severity, delivery) for key, severity, delivery in rows}


def _ledger(path: Path) -> dict[tuple[str, str], str]:
    """(alert_key, channel) -> status; fails when an alert has two rows for one channel."""
    rows = query(path, "select alert_key, channel, status from cursor_alerts.alert_deliveries")
    ledger = {(key, channel): status for key, channel, status in rows}
    assert len(ledger) == len(rows), "an alert recorded twice for one channel"
    return ledger


def test_planted_stories_alert_once_on_every_channel_and_a_failed_delivery_is_retried(
    built, warehouse, monkeypatch, capsys
):
    _, usage, who = built
    mart = _mart(warehouse)
    delivered = {key for key, (_, delivery) in mart.items() if delivery != "off"}
    digested = {key for key, (_, delivery) in mart.items() if delivery == "digest"}
    messages = len(delivered) - len(digested) + (1 if digested else 0)  # one each, one digest

    with webhook() as hook, webhook() as slack, smtp_server() as mailbox:
        monkeypatch.setenv(WEBHOOK_ENV, hook.url)
        monkeypatch.setenv(SLACK_ENV, slack.url)
        monkeypatch.setenv(SMTP_ENV, mailbox.url)
        hook.fail_next = 1  # the webhook is down for the first run
        capsys.readouterr()
        assert main(["alerts", "--send"]) == 1
        line = capsys.readouterr().out
        assert f"email: {len(delivered)} sent ({len(digested)} in the daily digest)" in line
        assert f"slack: {len(delivered)} sent" in line
        assert "webhook: 0 sent, FAILED (the webhook at http://127.0.0.1:" in line and "secret-token" not in line
        assert hook.refused == 1 and not hook.bodies
        assert len(mailbox.messages) == messages and len(slack.bodies) == messages

        assert main(["alerts", "--send"]) == 0  # the webhook's turn again; e-mail and Slack have nothing new
        assert len(hook.bodies) == messages and len(mailbox.messages) == messages and len(slack.bodies) == messages
        assert main(["alerts", "--send"]) == 0  # a rerun sends nothing new
        assert len(hook.bodies) == messages and len(mailbox.messages) == messages and len(slack.bodies) == messages

    received = {alert["alert_key"]: alert for alert in hook.alerts}
    assert set(received) == delivered and len(hook.alerts) == len(delivered)  # every alert, once
    assert hook.keys == [body["idempotency_key"] for body in hook.bodies] and len(set(hook.keys)) == messages
    (digest,) = hook.digests
    assert {alert["alert_key"] for alert in digest["alerts"]} == digested
    assert all(alert["severity"] == "information" for alert in digest["alerts"])
    mail = mailbox.messages[0]
    assert mail["To"] == "finops@acme.io, eng-leads@acme.io" and mail["Subject"].strip().startswith(
        "cursor-spend action: "
    )
    bodies = [m.get_payload(decode=True).decode() for m in mailbox.messages]
    for alert in hook.alerts:
        if alert["delivery"] == "send":
            assert any(alert["message"] in body for body in bodies)
            assert any(alert["message"] in body["text"] for body in slack.bodies)
    assert {key: status for (key, channel), status in _ledger(warehouse).items()} == {
        key: "sent" if key in delivered else "skipped" for key in mart
    }

    expected = _expected(usage, who)
    superseded = dict(query(warehouse, "select alert_key, superseded_by from marts.rpt_cursor_alerts"))
    for key, values in expected.items():
        if key not in received:  # a lower threshold of a budget whose higher one was crossed: one message
            assert key.startswith("budget|") and superseded[key] in received, key
            continue
        assert _normal(_as_expected(received[key], len(values))) == _normal(values), key
    spike = received[next(k for k in expected if k.startswith("anomaly|"))]
    assert "their median day" in spike["message"] and spike["is_estimated"] is False

    capsys.readouterr()
    assert main(["alerts"]) == 0
    off = len(mart) - len(delivered)
    assert f"0 open alert(s) (0 to send, 0 for the daily digest), {len(delivered)} already delivered, {off} off" in (
        capsys.readouterr().out
    )


LOCK = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); sys.stdin.read()"
HOSTILE = "eve@x.io\n[red]fake[/red] \u202egnp.exe \x1b[31mred"


def _deliveries(hook: Webhook) -> dict[str, int]:
    """alert_key -> how many deliveries carried it; fails unless each carried the same idempotency key, in the
    header and the body."""
    keys: dict[str, set] = defaultdict(set)
    count: Counter = Counter()
    for header, body in zip(hook.keys, hook.bodies, strict=True):
        for alert in body["alerts"]:
            keys[alert["alert_key"]] |= {header, body["idempotency_key"]}
            count[alert["alert_key"]] += 1
    assert all(len(found) == 1 for found in keys.values()), "a repeat with another idempotency key"
    return dict(count)


def _delivered(path: Path) -> set[str]:
    return {key for key, (_, delivery) in _mart(path).items() if delivery != "off"}


def test_a_receiver_slower_than_the_timeout_gets_an_alert_at_most_twice_with_the_same_key(
    warehouse, monkeypatch, capsys
):
    delivered = _delivered(warehouse)
    monkeypatch.setattr(channels, "TIMEOUT_SECONDS", 0.5)
    with webhook() as hook:
        monkeypatch.setenv(WEBHOOK_ENV, hook.url)
        hook.delay = 2  # it takes each request, then answers after the client gave up
        assert main(["alerts", "--send"]) == 1
        out = capsys.readouterr().out
        assert "webhook: 0 sent, OUTCOME UNKNOWN (the webhook at http://127.0.0.1:" in out
        assert "(ReadTimeout)): sent once more next run, with the same idempotency key" in out
        (first,) = hook.bodies[0]["alerts"]
        assert main(["alerts", "--send"]) == 1  # its retry times out too: given up
        out = capsys.readouterr().out
        assert "0 sent, 1 retried after an unknown outcome (same idempotency key, last try), 1 given up" in out
        hook.delay = 0
        assert main(["alerts", "--send"]) == 0
        assert f"webhook: {len(delivered) - 1} sent" in capsys.readouterr().out
        assert main(["alerts", "--send"]) == 0

    assert _deliveries(hook) == {key: 2 if key == first["alert_key"] else 1 for key in delivered}
    ledger = _ledger(warehouse)
    assert ledger[first["alert_key"], "webhook"] == "given_up"
    assert {status for (key, _), status in ledger.items() if key != first["alert_key"]} == {"sent", "skipped"}


def test_a_ledger_write_that_fails_after_the_send_sends_each_alert_once_more_with_the_same_key(
    warehouse, monkeypatch, capsys
):
    delivered, holder = _delivered(warehouse), []

    def lock() -> None:  # a transform's turn: another process takes the DuckDB file while the alerts go out
        if not holder:
            proc = subprocess.Popen([sys.executable, "-c", LOCK, str(warehouse)], stdin=PIPE, stdout=PIPE, text=True)
            holder.append(proc)
            assert proc.stdout.readline().strip() == "locked"

    with webhook() as hook:
        monkeypatch.setenv(WEBHOOK_ENV, hook.url)
        hook.on_receive = lock
        try:
            assert main(["alerts", "--send"]) == 1
        finally:
            for proc in holder:
                proc.stdin.close()
                proc.wait(timeout=60)
        out = capsys.readouterr().out
        assert f"webhook: {len(delivered)} sent" in out and "the ledger was not marked (" in out
        assert "the next run sends those alerts once more, with the same idempotency keys" in out
        hook.on_receive = None
        assert main(["alerts", "--send"]) == 0
        out = capsys.readouterr().out
        assert f"webhook: {len(delivered)} sent" in out and f"{len(delivered)} retried after an unknown outcome" in out
        assert main(["alerts", "--send"]) == 0

    assert _deliveries(hook) == {key: 2 for key in delivered}
    assert {key for (key, _), status in _ledger(warehouse).items() if status == "sent"} == delivered


def test_a_crash_between_send_and_mark_sends_the_alert_once_more_with_the_same_key(warehouse, monkeypatch, capsys):
    delivered = _delivered(warehouse)
    with webhook() as hook:
        monkeypatch.setenv(WEBHOOK_ENV, hook.url)
        command = [sys.executable, "-m", "cursor_spend.cli", "alerts", "--send"]
        proc = subprocess.Popen(command, env=dict(os.environ), stdout=PIPE, stderr=PIPE)
        hook.on_receive = lambda: os.kill(proc.pid, signal.SIGKILL)  # killed once the first message is taken
        proc.communicate(timeout=120)
        assert proc.returncode == -signal.SIGKILL and len(hook.bodies) == 1
        (first,) = hook.bodies[0]["alerts"]
        hook.on_receive = None
        assert main(["alerts", "--send"]) == 0
        out = capsys.readouterr().out
        assert f"webhook: {len(delivered)} sent" in out and f"{len(delivered)} retried after an unknown outcome" in out
        assert main(["alerts", "--send"]) == 0

    assert _deliveries(hook) == {key: 2 if key == first["alert_key"] else 1 for key in delivered}
    assert {key for (key, _), status in _ledger(warehouse).items() if status == "sent"} == delivered


def test_control_characters_and_markup_from_the_warehouse_never_reach_the_terminal(warehouse, monkeypatch, capsys):
    import duckdb

    monkeypatch.setenv("COLUMNS", "500")  # no line folded by rich
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "update marts.rpt_cursor_alerts set message = ? where alert_key = "
            "(select min(alert_key) from marts.rpt_cursor_alerts where delivery = 'send')",
            [HOSTILE],
        )
        connection.execute("update marts.rpt_cursor_top_users set user_email = ? where rank = 1", [HOSTILE])
    assert main(["alerts"]) == 0
    assert main(["report", "--output", str(warehouse.parent / "report.html")]) == 0
    out = capsys.readouterr().out
    assert "\u202e" not in out and "\x1b" not in out
    escaped = "eve@x.io\\n[red]fake[/red] \\u202egnp.exe \\x1b[31mred"
    assert out.count(escaped) == 3  # the alerts listing, the summary's alerts and its top users


def test_a_ledger_written_before_the_outbox_keeps_its_deliveries_and_gains_the_outbox_columns(warehouse, monkeypatch):
    import dlt

    from cursor_spend.alerts.outbox import LEDGER_PIPELINE
    from cursor_spend.config import load_settings
    from cursor_spend.load import make_pipeline

    delivered = _delivered(warehouse)
    taken = set(sorted(delivered)[: len(delivered) // 2])
    old = [  # the columns of the ledger before the outbox
        {"alert_key": key, "channel": "webhook", "status": "sent", "attempted_at": datetime.now(UTC), "error": None}
        for key in taken
    ]
    keys = ("alert_key", "channel")
    resource = dlt.resource(old, name="alert_deliveries", write_disposition="merge", primary_key=keys)
    make_pipeline(load_settings(), name=LEDGER_PIPELINE, dataset="cursor_alerts").run(resource)
    with webhook() as hook:
        monkeypatch.setenv(WEBHOOK_ENV, hook.url)
        assert main(["alerts", "--send"]) == 0
    assert _deliveries(hook) == {key: 1 for key in delivered - taken}
    assert {key for (key, _), status in _ledger(warehouse).items() if status == "sent"} == delivered


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
