"""The daily-usage counters of a member-day (``POST /teams/daily-usage-data`` rows), consistent with that day's
events: request counts by kind are the events' counts, the most used model is the events' most frequent one; the
activity counters (lines, applies, tabs) are drawn from the member-day's generator after its events."""

from __future__ import annotations

import random
from collections import Counter

from .pricing import KIND_INCLUDED, KIND_USAGE_BASED
from .team import Member

_EXTENSIONS = (".ts", ".tsx", ".py", ".go", ".rs", ".java", ".sql", ".md")


def daily_counters(member: Member, rng: random.Random, events: list[dict]) -> dict:
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
