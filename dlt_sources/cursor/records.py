"""From API records to raw rows: check the documented fields' types, rename them to snake_case columns,
and keep any unknown field (dlt adds it as a new column).

A documented field with the wrong type stops the run (:class:`CursorResponseError`) before anything is
loaded: a drifted response is never loaded half-way.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache

from .errors import CursorResponseError

# kind of each documented field: s = string, i = integer, n = number, b = boolean, d = digits string (epoch ms).
# The JSON decoder makes exactly these types (a bool is not an int here); checked by exact type, which is fast.
_TYPES = {"s": (str,), "i": (int,), "n": (int, Decimal, float), "b": (bool,), "d": (str,)}
_NAMES = {"s": "a string", "i": "an integer", "n": "a number", "b": "a boolean", "d": "a string of epoch-ms digits"}
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")

MEMBER_FIELDS = {"id": "s", "email": "s", "name": "s", "role": "s", "isRemoved": "b"}
DAILY_FIELDS = {
    "userId": "i", "day": "s", "date": "i", "email": "s", "isActive": "b",
    "totalLinesAdded": "i", "totalLinesDeleted": "i", "acceptedLinesAdded": "i", "acceptedLinesDeleted": "i",
    "totalApplies": "i", "totalAccepts": "i", "totalRejects": "i", "totalTabsShown": "i", "totalTabsAccepted": "i",
    "composerRequests": "i", "chatRequests": "i", "agentRequests": "i", "cmdkUsages": "i",
    "subscriptionIncludedReqs": "i", "apiKeyReqs": "i", "usageBasedReqs": "i", "bugbotUsages": "i",
    "mostUsedModel": "s", "applyMostUsedExtension": "s", "tabMostUsedExtension": "s", "clientVersion": "s",
}  # fmt: skip
EVENT_FIELDS = {
    "timestamp": "d", "userEmail": "s", "serviceAccountId": "s", "serviceAccountName": "s", "cloudAgentId": "s",
    "automationId": "s", "conversationId": "s", "model": "s", "kind": "s", "maxMode": "b", "requestsCosts": "n",
    "isTokenBasedCall": "b", "isChargeable": "b", "isHeadless": "b", "chargedCents": "n", "cursorTokenFee": "n",
}  # fmt: skip
TOKEN_FIELDS = {
    "inputTokens": "i", "outputTokens": "i", "cacheWriteTokens": "i", "cacheReadTokens": "i",
    "totalCents": "n", "discountPercentOff": "n",
}  # fmt: skip
SPEND_FIELDS = {
    "userId": "s", "name": "s", "email": "s", "role": "s", "spendCents": "n", "overallSpendCents": "n",
    "fastPremiumRequests": "i", "hardLimitOverrideDollars": "n", "monthlyLimitDollars": "n",
    "effectivePerUserLimitDollars": "n", "profilePictureUrl": "s",
}  # fmt: skip
REQUIRED_EVENT_FIELDS = ("timestamp", "model", "kind", "chargedCents")


@lru_cache(maxsize=4096)
def snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def check_fields(record: dict, fields: dict[str, str], what: str, team: str) -> None:
    """Raise when a documented field has another type than documented (None is allowed: optional)."""
    if not isinstance(record, dict):
        raise CursorResponseError(f"team {team!r}: a {what} is a {type(record).__name__}, not an object")
    for name, kind in fields.items():
        value = record.get(name)
        if value is not None and (type(value) not in _TYPES[kind] or (kind == "d" and not value.isdigit())):
            raise CursorResponseError(
                f"team {team!r}: field {name!r} of a {what} is {type(value).__name__} {str(value)[:30]!r}, "
                f"documented as {_NAMES[kind]}. The API's response shape changed (schema drift); the run stopped "
                "and nothing was loaded. Update cursor-spend or report the change."
            )


def require(record: dict, names: tuple[str, ...], what: str, team: str) -> None:
    missing = [name for name in names if record.get(name) is None]
    if missing:
        raise CursorResponseError(
            f"team {team!r}: a {what} has no {', '.join(missing)}; this looks like an older or changed API shape "
            "(schema drift). The run stopped and nothing was loaded."
        )


def _rename(record: dict, skip: tuple[str, ...] = ()) -> dict:
    return {snake(k): v for k, v in record.items() if k not in skip}


def _null_string(value):
    """The API sometimes prints a missing id as the string "null"."""
    return None if value in ("null", "") else value


def member_row(record: dict, team: str) -> dict:
    check_fields(record, MEMBER_FIELDS, "team member", team)
    require(record, ("email",), "team member", team)
    row = _rename(record, skip=("id",))
    row.update(team=team, user_id=record.get("id"), email=record["email"].lower())
    row.setdefault("is_removed", False)
    return row


def daily_row(record: dict, team: str, extracted_at: datetime) -> dict:
    check_fields(record, DAILY_FIELDS, "daily usage row", team)
    require(record, ("date", "email"), "daily usage row", team)
    day = datetime.fromtimestamp(record["date"] / 1000, tz=UTC).date()
    row = _rename(record, skip=("day", "date", "userId"))
    row.update(team=team, day=day, date_ms=record["date"], user_id=record.get("userId"), email=record["email"].lower())
    row["extracted_at"] = extracted_at
    return row


def event_rows(records: list, team: str, extracted_at: datetime, seen: Counter) -> list[dict]:
    """Usage events as rows with a natural key. Events carry no id, so the key hashes what identifies a
    request (team, millisecond, user or service account, model, conversation); events identical in all of
    those get an ordinal in the order the API lists them, which it repeats on every read. ``seen`` counts
    the bases (by their hash) over one whole window, so a re-read of the same window gives the same keys."""
    rows = []
    for record in records:
        check_fields(record, EVENT_FIELDS, "usage event", team)
        require(record, REQUIRED_EVENT_FIELDS, "usage event", team)
        usage = record.get("tokenUsage") or {}
        check_fields(usage, TOKEN_FIELDS, "usage event's tokenUsage", team)
        sa_id = _null_string(record.get("serviceAccountId"))
        who = record.get("userEmail") or ""
        base = "|".join(
            (team, record["timestamp"], who.lower(), sa_id or "", record["model"], record.get("conversationId") or "")
        )
        digest = hashlib.sha1(base.encode()).digest()[:12]  # 12 bytes, not the ~150-character base, per event seen
        seen[digest] += 1
        row = _rename(record, skip=("tokenUsage", "timestamp", "serviceAccountId"))
        row.update(_rename(usage))
        row.update(
            event_key=f"{digest.hex()}-{seen[digest]}",
            team=team,
            timestamp_ms=int(record["timestamp"]),
            service_account_id=sa_id,
            extracted_at=extracted_at,
        )
        rows.append(row)
    return rows


def spend_rows(records: list, team: str, cycle_start: date, snapshot_at: datetime) -> list[dict]:
    rows = []
    for record in records:
        check_fields(record, SPEND_FIELDS, "member spend row", team)
        require(record, ("email", "spendCents"), "member spend row", team)
        row = _rename(record, skip=("userId",))
        row.update(
            team=team,
            user_id=record.get("userId"),
            email=record["email"].lower(),
            cycle_start=cycle_start,
            snapshot_date=snapshot_at.date(),
            snapshot_at=snapshot_at,
        )
        rows.append(row)
    return rows


def audit_row(record: dict, team: str) -> dict:
    check_fields(record, {"event_id": "s", "timestamp": "s", "event_type": "s"}, "audit log event", team)
    row = {k: v for k, v in record.items() if k != "timestamp"}
    row.update(team=team, event_at=datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00")))
    return row


def group_rows(group: dict, team: str, cycle_start: date) -> tuple[dict, list[dict]]:
    """A billing group and its current and former members (with join and leave dates)."""
    check_fields(group, {"id": "s", "name": "s", "memberCount": "i", "spendCents": "n"}, "billing group", team)
    head = {
        "team": team, "cycle_start": cycle_start, "group_id": group["id"], "name": group["name"],
        "member_count": group.get("memberCount"), "spend_cents": group.get("spendCents"),
    }  # fmt: skip
    members = []
    for entry in (group.get("currentMembers") or []) + (group.get("formerMembers") or []):
        members.append(
            {
                "team": team,
                "cycle_start": cycle_start,
                "group_id": group["id"],
                "group_name": group["name"],
                "user_id": entry.get("userId"),
                "email": (entry.get("email") or "").lower(),
                "name": entry.get("name"),
                "joined_at": _iso(entry.get("joinedAt")),
                "left_at": _iso(entry.get("leftAt")),
                "spend_cents": entry.get("spendCents"),
            }  # fmt: skip
        )
    return head, members


def _iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
