"""``GET /teams/groups`` of one simulated team: its billing groups in a billing cycle, with current and former
members, their spend and each group's daily spend (reference §7.4)."""

from __future__ import annotations

from datetime import date, timedelta

from .cycles import DAY_MS, cycle_start, day_start_ms, next_cycle_start
from .params import BadRequest, days_between, iso
from .team import GROUP_NAMES
from .usage import MICRO_CENTS, TeamUsage


def groups(usage: TeamUsage, billing_cycle: str | None) -> dict:
    """The groups of the cycle that contains ``billing_cycle`` (a date; default the end date)."""
    spec = usage.spec
    try:
        anchor = date.fromisoformat(billing_cycle) if billing_cycle else spec.end_date
    except ValueError as exc:
        raise BadRequest("billingCycle must be a date (YYYY-MM-DD)") from exc
    first = cycle_start(anchor, spec.cycle_day)
    last = next_cycle_start(first) - timedelta(days=1)
    days = [d for d in days_between(day_start_ms(first), day_start_ms(last)) if usage.in_retention(d)]
    daily_by_member: dict[int, dict[date, float]] = {}  # the chargedCents of each member's served events, per day
    for day in days:
        charged = usage.day_spend(day)[1::3]  # exact micro-cents per member index (see TeamUsage._spend_totals)
        for index, micro in enumerate(charged):
            if micro:
                daily_by_member.setdefault(index, {})[day] = micro / MICRO_CENTS
    listed = [_group(usage, name, first, last, days, daily_by_member) for name in GROUP_NAMES]
    return {
        "groups": listed,
        "unassignedGroup": _group(usage, None, first, last, days, daily_by_member),
        "billingCycle": {"cycleStart": iso(first), "cycleEnd": iso(day_start_ms(last) + DAY_MS - 1)},
    }


def _group(usage: TeamUsage, name: str | None, first: date, last: date, days: list[date], daily: dict) -> dict:
    current, former = [], []
    for m in usage.humans:
        spans = [(m.joined, None, m.group_on(m.joined))]
        if m.group_switch is not None:
            spans = [(m.joined, m.group_switch, m.previous_group), (m.group_switch, None, m.group)]
        for joined, left, group in spans:
            left = left or m.removed
            if group != name or joined > last or (left is not None and left < first):
                continue
            member_days = [d for d in days if joined <= d and (left is None or d < left)]
            cents = round(sum(daily.get(m.index, {}).get(d, 0.0) for d in member_days), 6)
            entry = {
                "userId": m.user_id, "name": m.name, "email": m.email, "joinedAt": iso(joined),
                "leftAt": iso(left) if left else None, "spendCents": cents,
            }  # fmt: skip
            (former if left else current).append(entry)
    members = {e["userId"] for e in current}
    by_id = {m.user_id: m for m in usage.humans}
    indexes = [by_id[u].index for u in members]
    daily_spend = [
        {"date": d.isoformat(), "spendCents": round(sum(daily.get(i, {}).get(d, 0.0) for i in indexes), 6)}
        for d in days
    ]
    slug = (name or "unassigned").lower().replace(" ", "_")
    return {
        "id": f"group_{slug}" if name is None else f"group_{usage.spec.seed}{slug}",
        "name": name or "Unassigned",
        "type": "BILLING",
        "directoryGroupId": None,
        "memberCount": len(current),
        "createdAt": iso(usage.spec.start_date - timedelta(days=120)),
        "updatedAt": iso(usage.spec.start_date),
        "spendCents": round(sum(e["spendCents"] for e in current), 6),
        "currentMembers": current,
        "formerMembers": former,
        "dailySpend": daily_spend,
    }
