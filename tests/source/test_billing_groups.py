"""Billing groups over time: every billing cycle a window overlaps is read, so a member who moved between groups in
an earlier cycle keeps both memberships, with the times they joined and left."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cursor_simulator import Scenario, SimulatorOptions
from cursor_spend import load
from tests.conftest import END_DATE

from .helpers import query, settings_for

MOVE_DAY = date(2026, 10, 20)  # in the cycle before END_DATE's


def test_a_window_over_two_cycles_keeps_a_move_of_the_earlier_cycle(make_simulator, tmp_path):
    server = make_simulator(
        members=6,
        days=40,
        scenarios=(Scenario("group_move", 0, MOVE_DAY),),
        options=SimulatorOptions(rate_limits=False),
    )
    move = server.simulator.team().planted[0]
    settings = settings_for(server, tmp_path)

    load.load(settings, date(2026, 10, 15), END_DATE)

    cycles = query(settings, "select distinct cycle_start from cursor_raw.billing_groups order by 1")
    assert cycles == [(date(2026, 10, 1),), (date(2026, 11, 1),)]
    spans = query(
        settings,
        f"select distinct group_name, joined_at, left_at from cursor_raw.billing_group_members "
        f"where email = '{move.email}' order by joined_at",
    )
    moved_at = datetime(2026, 10, 20, tzinfo=UTC)
    assert [(name, left) for name, _, left in spans] == [
        (move.from_group or "Unassigned", moved_at),
        (move.to_group, None),
    ]
    assert spans[1][1] == moved_at


def test_a_rerun_of_the_same_window_adds_no_membership(make_simulator, tmp_path):
    server = make_simulator(members=5, days=12, options=SimulatorOptions(rate_limits=False))
    settings = settings_for(server, tmp_path)
    count = "select count(*) from cursor_raw.billing_group_members"

    load.load(settings, date(2026, 11, 10), END_DATE)
    first = query(settings, count)
    load.load(settings, date(2026, 11, 10), END_DATE)

    assert query(settings, count) == first and first[0][0] > 0
