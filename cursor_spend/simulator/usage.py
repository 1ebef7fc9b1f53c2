"""Usage of a simulated team, generated one UTC day at a time.

A day's events and daily counters come from a random generator seeded by (team seed, member, day), so any
day can be produced on its own and the whole period never has to sit in memory: a small LRU cache keeps the
days being paged through. The only state carried across days is each member's included allowance used so
far in the billing cycle (a few floats per day), which decides whether an event is included or on-demand.

The endpoints read everything from here, so they agree with each other: daily counts are counts of that
day's events, and spend is the sum of the cycle's events.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from .pricing import (
    KIND_ABORTED,
    KIND_ERRORED,
    KIND_FREE,
    KIND_INCLUDED,
    KIND_USAGE_BASED,
    MODELS,
    charged_cents,
    money,
    token_cost_cents,
    token_fee_cents,
)
from .team import Member, TeamSpec, build_members

DAY_MS = 86_400_000
_DAY_CACHE_SIZE = 12
_EXTENSIONS = (".ts", ".tsx", ".py", ".go", ".rs", ".java", ".sql", ".md")


def day_start_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def ms_to_day(ms: int) -> date:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date()


def cycle_start(day: date, cycle_day: int) -> date:
    """First day of the billing cycle that contains ``day``."""
    if day.day >= cycle_day:
        return day.replace(day=cycle_day)
    previous_month_end = day.replace(day=1) - timedelta(days=1)
    return previous_month_end.replace(day=cycle_day)


def next_cycle_start(start: date) -> date:
    month_end = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return month_end.replace(day=start.day)


@dataclass
class DayUsage:
    """One UTC day: its events newest first, and per member index the daily counters and money."""

    day: date
    events: list[dict]
    owners: list[int]  # member index of each event, parallel to ``events``
    daily: dict[int, dict]
    included_used: dict[int, float]  # included chargedCents used this day, per member


class TeamUsage:
    """Generated members, events, daily rows and spend of one team."""

    def __init__(self, spec: TeamSpec) -> None:
        self.spec = spec
        self.members: list[Member] = build_members(spec)
        self.late_change = False
        self._days: OrderedDict[date, DayUsage] = OrderedDict()
        self._allowance_at_start: dict[date, dict[int, float]] = {}

    # -- membership ------------------------------------------------------------------------------------------

    @property
    def humans(self) -> list[Member]:
        return [m for m in self.members if not m.is_service_account]

    def current_members(self) -> list[Member]:
        """The roster as ``/teams/members`` returns it: removed members are omitted."""
        return [m for m in self.humans if m.removed is None and m.joined <= self.spec.end_date]

    def in_retention(self, day: date) -> bool:
        oldest = self.spec.end_date - timedelta(days=self.spec.retention_days - 1)
        return oldest <= day <= self.spec.end_date and day >= self.spec.start_date

    # -- days ------------------------------------------------------------------------------------------------

    def day(self, day: date) -> DayUsage:
        """The usage of one day (cached)."""
        cached = self._days.get(day)
        if cached is not None:
            self._days.move_to_end(day)
            return cached
        usage = self._generate_day(day)
        self._days[day] = usage
        if len(self._days) > _DAY_CACHE_SIZE:
            self._days.popitem(last=False)
        return usage

    def _allowance_used_before(self, day: date) -> dict[int, float]:
        """Included allowance each member has used in the cycle before ``day``."""
        start = max(cycle_start(day, self.spec.cycle_day), self.spec.start_date)
        if day <= start:
            return {}
        known = self._allowance_at_start.get(day)
        if known is not None:
            return known
        previous = day - timedelta(days=1)
        used = dict(self._allowance_used_before(previous))
        for index, cents in self.day(previous).included_used.items():
            used[index] = used.get(index, 0.0) + cents
        self._allowance_at_start[day] = used
        return used

    def _generate_day(self, day: date) -> DayUsage:
        used_before = self._allowance_used_before(day) if self.spec.start_date <= day else {}
        events: list[tuple[int, int, dict]] = []
        daily: dict[int, dict] = {}
        included_used: dict[int, float] = {}
        weekend = day.weekday() >= 5
        for member in self.members:
            if not member.is_member_on(day):
                continue
            rng = random.Random(f"{self.spec.seed}|{member.index}|{day.isoformat()}")
            member_events: list[dict] = []
            p_active = member.p_active * (0.25 if weekend and not member.is_service_account else 1.0)
            if self.spec.start_date <= day <= self.spec.end_date and member.can_use_on(day):
                if rng.random() < p_active:
                    allowance = self.spec.included_cents_per_user - used_before.get(member.index, 0.0)
                    member_events = self._member_events(member, day, rng, allowance)
            for event in member_events:
                if event["kind"] == KIND_INCLUDED:
                    included_used[member.index] = included_used.get(member.index, 0.0) + event["chargedCents"]
            if not member.is_service_account:
                daily[member.index] = _daily_counters(member, rng, member_events)
            events.extend((int(e["timestamp"]), member.index, e) for e in member_events)
        events.sort(key=lambda item: (-item[0], item[1]))
        return DayUsage(
            day=day,
            events=[e for _, _, e in events],
            owners=[i for _, i, _ in events],
            daily=daily,
            included_used=included_used,
        )

    def _member_events(self, member: Member, day: date, rng: random.Random, allowance: float) -> list[dict]:
        count = max(1, int(rng.expovariate(1 / self.spec.events_per_active_day)))
        base = day_start_ms(day)
        offsets = sorted(rng.randint(6 * 3_600_000, 22 * 3_600_000) for _ in range(count))
        if rng.random() < 0.02:
            offsets[0] = 0  # an event at exactly 00:00:00.000 UTC
        for k in range(1, count):
            if rng.random() < 0.04:
                offsets[k] = offsets[k - 1]  # two requests in the same millisecond
        conversation = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        events = []
        for offset in offsets:
            if rng.random() < 0.2:
                conversation = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            event = self._event(member, base + offset, rng, conversation, allowance)
            if event["kind"] == KIND_INCLUDED:
                allowance -= event["chargedCents"]
            events.append(event)
        return events

    def _event(self, member: Member, ts: int, rng: random.Random, conversation: str, allowance: float) -> dict:
        model = rng.choices(MODELS, weights=member.model_weights)[0]
        max_mode = rng.random() < model.max_mode_share
        scale = 3.0 if max_mode else 1.0
        roll = rng.random()
        kind = KIND_ERRORED if roll < 0.03 else KIND_ABORTED if roll < 0.05 else KIND_FREE if roll < 0.065 else ""
        event: dict = {"timestamp": str(ts), "userEmail": member.email}
        if member.is_service_account:
            event["serviceAccountId"] = member.service_account_id
            event["serviceAccountName"] = member.name
            event["cloudAgentId"] = f"bc-{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        event["conversationId"] = conversation
        event["model"] = model.name
        inp = int(rng.lognormvariate(8.0, 1.0) * scale)
        out = int(rng.lognormvariate(6.5, 0.9) * scale)
        cache_write = int(rng.lognormvariate(8.5, 1.2) * scale) if rng.random() < 0.6 else 0
        cache_read = int(rng.lognormvariate(11.0, 1.0) * scale)
        if kind == KIND_ERRORED:
            event.update(kind=kind, maxMode=max_mode, requestsCosts=0, isTokenBasedCall=False, isChargeable=False)
            event.update(isHeadless=member.is_service_account, chargedCents=0)
            return event
        if kind in (KIND_ABORTED, KIND_FREE):
            inp, out, cache_write, cache_read = inp // 3, out // 3, 0, cache_read // 3
        total_cents = token_cost_cents(model, inp, out, cache_write, cache_read)
        discount = 10 if model.premium else None
        fee = token_fee_cents(model, inp + out + cache_write + cache_read)
        charged = charged_cents(total_cents, discount, fee)
        if not kind:
            kind = KIND_INCLUDED if charged <= allowance and not member.is_service_account else KIND_USAGE_BASED
        if kind in (KIND_ABORTED, KIND_FREE):
            charged, fee = 0, None
        usage = {
            "inputTokens": inp,
            "outputTokens": out,
            "cacheWriteTokens": cache_write,
            "cacheReadTokens": cache_read,
            "totalCents": total_cents,
        }
        if discount is not None:
            usage["discountPercentOff"] = discount
        event.update(
            kind=kind,
            maxMode=max_mode,
            requestsCosts=0 if charged == 0 else max(0.5, round(total_cents / 4, 1)),
            isTokenBasedCall=True,
            isChargeable=kind == KIND_USAGE_BASED,
            isHeadless=member.is_service_account,
            tokenUsage=usage,
            chargedCents=charged,
        )
        if fee is not None:
            event["cursorTokenFee"] = fee
        return event

    # -- what the endpoints serve ----------------------------------------------------------------------------

    def served_event(self, member: Member, event: dict, day: date, position: int) -> dict:
        """An event as the API returns it now: removed members lose ``userEmail``; a late change of the last
        day's costs, when switched on, raises every third chargeable or included event by 10%."""
        if member.removed is not None:
            event = {k: v for k, v in event.items() if k != "userEmail"}
        if self.late_change and day == self.spec.end_date and position % 3 == 0:
            if event["kind"] in (KIND_USAGE_BASED, KIND_INCLUDED):
                usage = dict(event["tokenUsage"])
                usage["totalCents"] = money(usage["totalCents"] * 1.1)
                event = dict(event, tokenUsage=usage)
                event["chargedCents"] = charged_cents(
                    usage["totalCents"], usage.get("discountPercentOff"), event.get("cursorTokenFee")
                )
        return event

    def events_in(self, start_ms: int, end_ms: int, match=None) -> list[tuple[Member, dict]]:
        """Served events with ``start_ms <= timestamp <= end_ms``, newest first, within retention."""
        out: list[tuple[Member, dict]] = []
        day = ms_to_day(end_ms)
        first = ms_to_day(start_ms)
        while day >= first:
            if self.in_retention(day):
                usage = self.day(day)
                for position, (event, owner) in enumerate(zip(usage.events, usage.owners, strict=True)):
                    ts = int(event["timestamp"])
                    if start_ms <= ts <= end_ms:
                        member = self.members[owner]
                        if match is None or match(member):
                            out.append((member, self.served_event(member, event, day, position)))
            day -= timedelta(days=1)
        return out

    def cycle_spend(self) -> dict[int, tuple[float, float, int]]:
        """Per member index: (on-demand cents, all cents, on-demand requests) of the current cycle."""
        start = max(cycle_start(self.spec.end_date, self.spec.cycle_day), self.spec.start_date)
        totals: dict[int, list] = {}
        for member, event in self.events_in(day_start_ms(start), day_start_ms(self.spec.end_date) + DAY_MS - 1):
            row = totals.setdefault(member.index, [0.0, 0.0, 0])
            row[1] += event["chargedCents"]
            if event["kind"] == KIND_USAGE_BASED:
                row[0] += event["chargedCents"]
                row[2] += 1
        return {i: (money(a), money(b), n) for i, (a, b, n) in totals.items()}


def _daily_counters(member: Member, rng: random.Random, events: list[dict]) -> dict:
    """The daily-usage counters of one member-day, consistent with that day's events."""
    n = len(events)
    kinds = Counter(e["kind"] for e in events)
    agent = sum(1 for _ in range(n) if rng.random() < 0.6)
    chat = sum(1 for _ in range(n - agent) if rng.random() < 0.6)
    cmdk = sum(1 for _ in range(n - agent - chat) if rng.random() < 0.5)
    composer = n - agent - chat - cmdk
    tabs_shown = int(rng.uniform(20, 400)) if n else 0
    lines = int(n * rng.uniform(5, 60))
    models = Counter(e["model"] for e in events)
    most_used = min(models.items(), key=lambda kv: (-kv[1], kv[0]))[0] if models else None
    accepted = int(lines * rng.uniform(0.4, 0.9))
    applies = int(n * rng.uniform(0.2, 0.8))
    accepts = int(applies * rng.uniform(0.6, 0.95))
    return {
        "isActive": n > 0,
        "totalLinesAdded": lines,
        "totalLinesDeleted": int(lines * rng.uniform(0.1, 0.5)),
        "acceptedLinesAdded": accepted,
        "acceptedLinesDeleted": int(accepted * rng.uniform(0.1, 0.4)),
        "totalApplies": applies,
        "totalAccepts": accepts,
        "totalRejects": applies - accepts,
        "totalTabsShown": tabs_shown,
        "totalTabsAccepted": int(tabs_shown * rng.uniform(0.2, 0.7)),
        "composerRequests": composer,
        "chatRequests": chat,
        "agentRequests": agent,
        "cmdkUsages": cmdk,
        "subscriptionIncludedReqs": kinds[KIND_INCLUDED],
        "apiKeyReqs": 0,
        "usageBasedReqs": kinds[KIND_USAGE_BASED],
        "bugbotUsages": rng.randint(0, 2) if n else 0,
        "mostUsedModel": most_used,
        "applyMostUsedExtension": rng.choice(_EXTENSIONS) if n else None,
        "tabMostUsedExtension": rng.choice(_EXTENSIONS) if n else None,
        "clientVersion": member.client_version if n else None,
    }
