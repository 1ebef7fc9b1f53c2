"""Usage events of one member-day, in two steps: draw, then charge.

Drawing (:func:`draw_day`, :func:`top_up`) makes each request's time, model and tokens, and so its price, from a
random generator. Charging (:func:`charge`) then decides in time order which requests the member's included
allowance still covers and which are on-demand, and writes the events as the API serves them. Keeping the two
apart lets a planted scenario add or shrink requests before the allowance is applied, so kinds stay chronological.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, replace
from datetime import date

from .agents import Origin, in_conversation, origin
from .cycles import day_start_ms
from .pricing import (
    KIND_ABORTED,
    KIND_ERRORED,
    KIND_FREE,
    KIND_INCLUDED,
    KIND_USAGE_BASED,
    MODELS,
    Model,
    charged_cents,
    token_cost_cents,
    token_fee_cents,
)
from .team import Member

WORK_START_MS, WORK_END_MS = 6 * 3_600_000, 22 * 3_600_000  # requests fall between 06:00 and 22:00 UTC


@dataclass(slots=True)  # not frozen: a frozen dataclass is slower to build, and a day draws thousands
class Draft:
    """A drawn request before the allowance decides its kind. ``kind`` is empty for a chargeable request and
    set for one that is never charged (errored, aborted, free); ``charged`` is what a chargeable one costs."""

    ts: int
    conversation: str
    origin: Origin
    model: Model
    max_mode: bool
    kind: str
    tokens: tuple[int, int, int, int]  # input, output, cache write, cache read
    total_cents: float
    discount: int | None
    fee: float | None
    charged: float

    @property
    def cost(self) -> float:
        """Cents this request adds to the member's spend, whatever its final kind."""
        return 0.0 if self.kind else self.charged

    def scaled(self, factor: float) -> Draft:
        """The same request with its token counts (and so its price) multiplied by ``factor``."""
        tokens = tuple(int(t * factor) for t in self.tokens)
        total, discount, fee, charged = _prices(self.model, self.kind, tokens)
        return replace(self, tokens=tokens, total_cents=total, discount=discount, fee=fee, charged=charged)


def _prices(model: Model, kind: str, tokens: tuple[int, ...]) -> tuple[float, int | None, float | None, float]:
    """(totalCents, discountPercentOff, cursorTokenFee, chargedCents) of a request's tokens."""
    if kind == KIND_ERRORED:
        return 0.0, None, None, 0.0
    total = token_cost_cents(model, *tokens)
    discount = 10 if model.premium else None
    fee = token_fee_cents(model, sum(tokens))
    return total, discount, fee, charged_cents(total, discount, fee)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def draw(member: Member, ts: int, rng: random.Random, conversation: str) -> Draft:
    """One request of ``member`` at ``ts`` in ``conversation``."""
    model = rng.choices(MODELS, weights=member.model_weights)[0]
    max_mode = rng.random() < model.max_mode_share
    scale = 3.0 if max_mode else 1.0
    roll = rng.random()
    kind = KIND_ERRORED if roll < 0.03 else KIND_ABORTED if roll < 0.05 else KIND_FREE if roll < 0.065 else ""
    if member.is_service_account:
        rng.getrandbits(128)  # the per-request id of older versions: drawn still, so every later draw is unchanged
    inp = int(rng.lognormvariate(8.0, 1.0) * scale)
    out = int(rng.lognormvariate(6.5, 0.9) * scale)
    cache_write = int(rng.lognormvariate(8.5, 1.2) * scale) if rng.random() < 0.6 else 0
    cache_read = int(rng.lognormvariate(11.0, 1.0) * scale)
    if kind in (KIND_ABORTED, KIND_FREE):
        inp, out, cache_write, cache_read = inp // 3, out // 3, 0, cache_read // 3
    tokens = (inp, out, cache_write, cache_read)
    where = origin(member.agents, conversation)
    return Draft(ts, conversation, where, model, max_mode, kind, tokens, *_prices(model, kind, tokens))


def draw_day(member: Member, day: date, rng: random.Random, mean_events: float) -> list[Draft]:
    """An active member-day's requests in time order: a random count (exponential around ``mean_events``),
    some at the same millisecond, now and then one at exactly 00:00:00.000 UTC."""
    count = max(1, int(rng.expovariate(1 / mean_events)))
    base = day_start_ms(day)
    offsets = sorted(rng.randint(WORK_START_MS, WORK_END_MS) for _ in range(count))
    if rng.random() < 0.02:
        offsets[0] = 0
    for k in range(1, count):
        if rng.random() < 0.04:
            offsets[k] = offsets[k - 1]
    conversation = _uuid(rng)
    drafts = []
    for offset in offsets:
        if rng.random() < 0.2:
            conversation = _uuid(rng)
        drafts.append(draw(member, base + offset, rng, conversation))
    return drafts


def top_up(member: Member, day: date, drafts: list[Draft], target_cents: float, rng: random.Random) -> list[Draft]:
    """``drafts`` plus more requests of the member at random working hours, until the day costs at least
    ``target_cents``; in time order (the earlier requests first at equal times)."""
    total = sum(d.cost for d in drafts)
    base = day_start_ms(day)
    conversation = _uuid(rng)
    extra = []
    while total < target_cents:
        if rng.random() < 0.2:
            conversation = _uuid(rng)
        request = draw(member, base + rng.randint(WORK_START_MS, WORK_END_MS), rng, conversation)
        extra.append(request)
        total += request.cost
    return sorted(drafts + extra, key=lambda d: d.ts) if extra else drafts


def charge(
    member: Member, drafts: list[Draft], allowance: float, stop_at_first_overage: bool = False
) -> tuple[list[dict], float]:
    """The served events of time-ordered ``drafts`` and the included allowance they used.

    A chargeable request is included while it fits in what is left of ``allowance`` (service accounts have
    none), else on-demand. With ``stop_at_first_overage`` the allowance counts as used up at the first request
    that does not fit, so every later one is on-demand (a member who ran out stays out)."""
    events, used, ran_out = [], 0.0, member.is_service_account
    for draft in drafts:
        kind = draft.kind
        if not kind:
            if not ran_out and draft.charged <= allowance:
                kind = KIND_INCLUDED
                allowance -= draft.charged
                used += draft.charged
            else:
                kind = KIND_USAGE_BASED
                if stop_at_first_overage and not ran_out:
                    ran_out, used = True, used + max(allowance, 0.0)
        events.append(_event(member, draft, kind))
    return events, used


def _event(member: Member, draft: Draft, kind: str) -> dict:
    event: dict = {"timestamp": str(draft.ts), "userEmail": member.email}
    if member.is_service_account:
        event["serviceAccountId"] = member.service_account_id
        event["serviceAccountName"] = member.name
    if draft.origin.cloud_agent_id is not None:
        event["cloudAgentId"] = draft.origin.cloud_agent_id
    if draft.origin.automation_id is not None:
        event["automationId"] = draft.origin.automation_id
    if in_conversation(draft.origin, draft.conversation, draft.ts):
        event["conversationId"] = draft.conversation
    event["model"] = draft.model.name
    if kind == KIND_ERRORED:
        event.update(kind=kind, maxMode=draft.max_mode, requestsCosts=0, isTokenBasedCall=False, isChargeable=False)
        event.update(isHeadless=draft.origin.headless, chargedCents=0)
        return event
    charged, fee = (0, None) if kind in (KIND_ABORTED, KIND_FREE) else (draft.charged, draft.fee)
    inp, out, cache_write, cache_read = draft.tokens
    usage = {
        "inputTokens": inp,
        "outputTokens": out,
        "cacheWriteTokens": cache_write,
        "cacheReadTokens": cache_read,
        "totalCents": draft.total_cents,
    }
    if draft.discount is not None:
        usage["discountPercentOff"] = draft.discount
    event.update(
        kind=kind,
        maxMode=draft.max_mode,
        requestsCosts=0 if charged == 0 else max(0.5, round(draft.total_cents / 4, 1)),
        isTokenBasedCall=True,
        isChargeable=kind == KIND_USAGE_BASED,
        isHeadless=draft.origin.headless,
        tokenUsage=usage,
        chargedCents=charged,
    )
    if fee is not None:
        event["cursorTokenFee"] = fee
    return event
