"""Fault injection: switchable per run and per route, from code or over HTTP (``/_simulator/faults``).

A fault applies to requests of its route (``*`` = all), skipping the first ``after`` of them and then
hitting ``count`` of them (all when ``count`` is None).

Kinds:
  ``5xx``           answer ``status`` (default 503) with the documented 5xx body
  ``429``           answer 429 (a "429 storm"), ``Retry-After: delay`` when ``delay`` is set
  ``slow``          wait ``delay`` seconds, then answer normally
  ``timeout``       wait ``delay`` seconds (default 30), longer than a client's timeout
  ``truncated``     cut the JSON body in half
  ``malformed``     answer 200 with an HTML page instead of JSON
  ``extra_fields``  add unknown fields to every record and to the envelope
  ``type_change``   change the type of a documented field (schema drift)
  ``legacy_v1``     answer in the first (V1) documented shapes
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

FAULT_KINDS = (
    "5xx",
    "429",
    "slow",
    "timeout",
    "truncated",
    "malformed",
    "extra_fields",
    "type_change",
    "legacy_v1",
)
ROUTES = (
    "members", "daily-usage", "spend", "events", "audit-logs", "groups", "ai-code-commits", "ai-code-changes",
    "ai-code-commit-details", "analytics-dau", "analytics-agent-edits", "analytics-tabs", "analytics-models",
    "analytics-bugbot-reviews", "analytics-by-user-agent-edits", "analytics-by-user-tabs", "org-members",
    "org-daily-usage", "org-spend", "org-events", "org-pooled-usage",
)  # fmt: skip


@dataclass
class Fault:
    kind: str
    route: str = "*"
    count: int | None = None
    after: int = 0
    status: int = 503
    delay: float | None = None
    seen: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; choose one of {', '.join(FAULT_KINDS)}")
        if self.route != "*" and self.route not in ROUTES:
            raise ValueError(f"unknown route {self.route!r}; choose one of *, {', '.join(ROUTES)}")

    @classmethod
    def parse(cls, text: str) -> Fault:
        """``kind[:route[:count[:after]]]``, e.g. ``5xx:events:3`` or ``truncated:events:1:2``."""
        parts = text.split(":")
        kwargs: dict = {"kind": parts[0]}
        if len(parts) > 1 and parts[1]:
            kwargs["route"] = parts[1]
        if len(parts) > 2 and parts[2]:
            kwargs["count"] = int(parts[2])
        if len(parts) > 3 and parts[3]:
            kwargs["after"] = int(parts[3])
        return cls(**kwargs)


class FaultBoard:
    """The active faults of a simulator (thread-safe: tests change them while the server runs)."""

    def __init__(self, faults: list[Fault] | None = None) -> None:
        self._lock = threading.Lock()
        self._faults = list(faults or [])

    def replace(self, faults: list[Fault]) -> None:
        with self._lock:
            self._faults = list(faults)

    def take(self, route: str) -> list[Fault]:
        """The faults that hit this request (advancing their counters)."""
        hits = []
        with self._lock:
            for fault in self._faults:
                if fault.route not in ("*", route):
                    continue
                fault.seen += 1
                hit_index = fault.seen - fault.after
                if hit_index >= 1 and (fault.count is None or hit_index <= fault.count):
                    hits.append(fault)
        return hits


def add_extra_fields(body: dict, route: str) -> dict:
    body = dict(body, simulatorSchemaVersion="2026-11")
    lists = ("teamMembers", "data", "usageEvents", "teamMemberSpend", "events", "groups", "items", "commits", "teams")
    for key in lists:
        if isinstance(body.get(key), list):
            body[key] = [dict(r, newlyAddedField="drift", newlyAddedScore=1.5) for r in body[key]]
    return body


_TYPE_CHANGES = {
    "members": ("teamMembers", "email", lambda v: {"address": v}),
    "daily-usage": ("data", "totalLinesAdded", str),
    "spend": ("teamMemberSpend", "spendCents", str),
    "events": ("usageEvents", "chargedCents", str),
    "audit-logs": ("events", "timestamp", lambda v: 0),
    "groups": ("groups", "spendCents", str),
    "ai-code-commits": ("items", "totalLinesAdded", str),
    "ai-code-changes": ("items", "totalLinesAdded", str),
    "analytics-dau": ("data", "dau", str),
    "pooled-usage": ("teams", "usedCents", str),
}


def change_field_type(body: dict, route: str) -> dict:
    route = route.removeprefix("org-")  # an organization route's rows are its team route's
    if route not in _TYPE_CHANGES:
        return body
    key, name, convert = _TYPE_CHANGES[route]
    rows = [dict(r, **{name: convert(r[name])}) if name in r else r for r in body.get(key, [])]
    return dict(body, **{key: rows})


def legacy_v1(body: dict, route: str) -> dict:
    """The V1 (mid-2025) shapes: no ids, no chargedCents/isChargeable, daily rows without userId/day."""
    if route == "members":
        rows = [{k: r[k] for k in ("name", "email", "role")} for r in body["teamMembers"]]
        return {"teamMembers": rows}
    if route == "daily-usage":
        rows = [{k: v for k, v in r.items() if k not in ("userId", "day")} for r in body["data"]]
        return {"data": rows, "period": body["period"]}
    if route == "spend":
        keep = ("spendCents", "fastPremiumRequests", "name", "email", "role", "hardLimitOverrideDollars")
        rows = [{k: round(r[k]) if k == "spendCents" else r[k] for k in keep} for r in body["teamMemberSpend"]]
        return {k: body[k] for k in ("subscriptionCycleStart", "totalMembers", "totalPages")} | {
            "teamMemberSpend": rows
        }
    if route == "events":
        drop = ("isChargeable", "isHeadless", "chargedCents", "cursorTokenFee", "conversationId")
        rows = [{k: v for k, v in r.items() if k not in drop} | {"isFreeBugbot": False} for r in body["usageEvents"]]
        return dict(body, usageEvents=rows)
    return body


CHANGES = {"extra_fields": add_extra_fields, "type_change": change_field_type, "legacy_v1": legacy_v1}
