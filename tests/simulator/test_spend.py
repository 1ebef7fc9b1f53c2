"""``/teams/spend`` answers from per-day totals kept as days are generated, exactly as a recomputation from every
event of the cycle would (issue 16)."""

from __future__ import annotations

import httpx
import pytest

from cursor_simulator import Scenario, SimulatorOptions
from tests.simulator import client
from tests.truth import expected_cycle_spend

NO_LIMITS = SimulatorOptions(rate_limits=False)


def _spend_rows(http: httpx.Client, page_size: int = 7) -> list[dict]:
    rows, page = [], 1
    while True:
        body = http.post("/teams/spend", json={"page": page, "pageSize": page_size, "sortBy": "user"}).json()
        rows += body["teamMemberSpend"]
        if page >= body["totalPages"]:
            return rows
        page += 1


@pytest.mark.parametrize("late_change", [False, True], ids=["as-generated", "late-change"])
@pytest.mark.parametrize(
    "spec",
    [
        {"members": 30, "days": 25, "cycle_day": 10, "service_accounts": 3},
        {"members": 30, "days": 40, "retention_days": 12, "scenarios": (Scenario("ramp", 5, amount_dollars=80),)},
    ],
    ids=["cycle-inside-period", "retention-cuts-cycle-with-ramp"],
)
def test_spend_equals_the_sum_of_the_cycles_served_events_per_member(make_simulator, spec, late_change):
    server = make_simulator(options=NO_LIMITS, **spec)
    usage = server.simulator.team()
    assert any(m.removed is not None for m in usage.members) and any(m.is_service_account for m in usage.members)
    http = client(server)
    http.post("/teams/spend", json={})  # the days are generated (and their spend kept) before the late change
    server.simulator.set_late_change(late_change)
    expected = expected_cycle_spend(usage)
    rows = _spend_rows(http)
    by_id = {m.user_id: m for m in usage.members}
    assert len(rows) == len(usage.current_members())
    for row in rows:
        on_demand, overall, requests = expected.get(by_id[row["userId"]].index, (0.0, 0.0, 0))
        assert (row["spendCents"], row["overallSpendCents"], row["fastPremiumRequests"]) == (
            on_demand,
            overall,
            requests,
        ), row["email"]
    assert sum(row["spendCents"] > 0 for row in rows) >= 3


def test_late_change_raises_the_spend_of_the_last_day(make_simulator):
    server = make_simulator(options=NO_LIMITS, members=15, days=5)
    http = client(server)
    before = {r["userId"]: r["overallSpendCents"] for r in _spend_rows(http)}
    server.simulator.set_late_change(True)
    after = {r["userId"]: r["overallSpendCents"] for r in _spend_rows(http)}
    assert all(after[user] >= before[user] for user in before)
    assert sum(after.values()) > sum(before.values())


def test_spend_pages_answer_from_kept_totals_without_generating_days_again(make_simulator):
    server = make_simulator(options=NO_LIMITS, members=25, days=40)
    usage = server.simulator.team()
    http = client(server)
    first = _spend_rows(http)
    usage._days.clear()  # forget every generated day: only the per-day totals remain
    again = _spend_rows(http)
    assert again == first
    assert not usage._days


def _by_user(server) -> dict[str, dict]:
    return {row["userId"]: row for row in _spend_rows(client(server))}


def test_spend_rows_have_no_included_spend_cents_unless_switched_on(make_simulator):
    spec = {"members": 20, "days": 20}
    documented = _by_user(make_simulator(options=NO_LIMITS, **spec))
    options = SimulatorOptions(rate_limits=False, spend_included_field=True)
    with_field = _by_user(make_simulator(options=options, **spec))
    assert not any("includedSpendCents" in row for row in documented.values())
    assert with_field.keys() == documented.keys()
    for user, row in with_field.items():
        assert {k: v for k, v in row.items() if k != "includedSpendCents"} == documented[user]
        assert row["includedSpendCents"] == round(row["overallSpendCents"] - row["spendCents"], 6)
    assert sum(row["includedSpendCents"] > 0 for row in with_field.values()) >= 5


def test_overage_only_spend_is_what_each_member_spent_above_the_included_amount(make_simulator):
    spec = {"members": 20, "days": 20, "scenarios": (Scenario("ramp", 5, amount_dollars=80),)}
    documented = _by_user(make_simulator(options=NO_LIMITS, **spec))
    server = make_simulator(options=SimulatorOptions(rate_limits=False, spend_overage_only=True), **spec)
    overage = _by_user(server)
    included = server.simulator.team().spec.included_cents_per_user
    within, above = 0, 0
    for user, row in overage.items():
        assert {k: v for k, v in row.items() if k != "spendCents"} == {
            k: v for k, v in documented[user].items() if k != "spendCents"
        }
        assert row["spendCents"] == round(max(0.0, row["overallSpendCents"] - included), 6)
        assert row["spendCents"] <= documented[user]["spendCents"] + 1e-6  # on-demand covers at least the overage
        within += row["overallSpendCents"] > 0 and row["spendCents"] == 0
        above += row["spendCents"] > 0
    assert within >= 3 and above >= 1
    maximum = client(server).post("/teams/spend", json={}).json()["maxUserSpendCents"]
    assert maximum == max(row["spendCents"] for row in overage.values())
