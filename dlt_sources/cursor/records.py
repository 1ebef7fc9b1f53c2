"""From API records to raw rows: check the documented fields' types, rename them to snake_case columns,
and keep any unknown field (dlt adds it as a new column).

A documented field with the wrong type stops the run (:class:`CursorResponseError`) before anything is
loaded: a drifted response is never loaded half-way.

Usage events, by far the largest table, go to dlt as Arrow tables (:func:`as_table`), which dlt writes straight
to Parquet and DuckDB reads in bulk; the other tables are lists of rows.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache

import pyarrow as pa

from . import schema
from .errors import CursorResponseError

# kind of each documented field: s = string, i = integer, n = number, b = boolean, d = digits string (epoch ms).
# The JSON decoder makes exactly these types (a bool is not an int here); checked by exact type, which is fast.
_TYPES = {"s": (str,), "i": (int,), "n": (int, Decimal, float), "b": (bool,), "d": (str,)}
_NAMES = {"s": "a string", "i": "an integer", "n": "a number", "b": "a boolean", "d": "a string of epoch-ms digits"}
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
DAY_MS = 86_400_000
HOUR_MS = 3_600_000

MEMBER_FIELDS = schema.MEMBERS.fields()
DAILY_FIELDS = schema.DAILY_USAGE.fields()
EVENT_FIELDS = schema.USAGE_EVENTS.fields()
TOKEN_FIELDS = schema.USAGE_EVENTS.fields("tokenUsage")
SPEND_FIELDS = schema.SPEND_SNAPSHOTS.fields()
AUDIT_FIELDS = schema.AUDIT_LOGS.fields()
GROUP_FIELDS = schema.BILLING_GROUPS.fields()
GROUP_MEMBER_FIELDS = schema.BILLING_GROUP_MEMBERS.fields()
REQUIRED_EVENT_FIELDS = schema.REQUIRED_EVENT_FIELDS


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


def event_columns(records: list, team: str, extracted_at: datetime, seen: EventCounts) -> dict[str, list]:
    """A page of usage events as columns (snake_case name -> values), with a natural key. Events carry no id,
    so the key hashes what identifies a request (team, millisecond, user or service account, model,
    conversation); events identical in all of those get an ordinal in the order the API lists them, which it
    repeats on every read. ``seen`` counts the identities over one whole window, so a re-read of the same
    window gives the same keys. Column by column rather than row by row: this is the hot path of a load."""
    columns = _columns_of(records, EVENT_FIELDS, REQUIRED_EVENT_FIELDS, "usage event", team)
    usage = _columns_of(
        [r.get("tokenUsage") or {} for r in records], TOKEN_FIELDS, (), "usage event's tokenUsage", team
    )
    columns.pop("token_usage", None)
    texts = columns.pop("timestamp")
    timestamps = list(map(int, texts))
    accounts = [_null_string(v) for v in columns.pop("service_account_id")]
    keys = []
    identities = zip(texts, columns["user_email"], accounts, columns["model"], columns["conversation_id"], strict=True)
    for timestamp, (text, email, account, model, conversation) in zip(timestamps, identities, strict=True):
        base = "|".join((team, text, (email or "").lower(), account or "", model, conversation or ""))
        digest = hashlib.sha1(base.encode()).digest()[:12]
        keys.append(f"{digest.hex()}-{seen.add(timestamp // HOUR_MS, digest)}")
    columns.update(usage)
    columns.update(
        event_key=keys,
        team=[team] * len(records),
        timestamp_ms=timestamps,
        service_account_id=accounts,
        extracted_at=[extracted_at] * len(records),
    )
    return columns


class EventCounts:
    """How many times each event identity (a 12-byte digest) has been seen in one window. Counted per UTC hour of
    the event: the hours being read stay as counters, the others are packed at 12 bytes per event (and unpacked
    if the API lists events of that hour again), so a window of a million events costs about 15 MB, not 100 (an
    hour of a 5,000-member team is some 30,000 events; a counter costs about 100 bytes an event)."""

    def __init__(self, live_hours: int = 2) -> None:
        self.live_hours = live_hours
        self._live: dict[int, Counter] = {}  # hour -> counts, oldest opened first
        self._packed: dict[int, bytes] = {}

    def add(self, hour: int, digest: bytes) -> int:
        """Count one more event of this identity in this hour; returns its ordinal (1 for the first)."""
        counts = self._live.get(hour)
        if counts is None:
            packed = self._packed.pop(hour, b"")
            counts = self._live[hour] = Counter(packed[i : i + 12] for i in range(0, len(packed), 12))
            while len(self._live) > self.live_hours:
                oldest = next(iter(self._live))
                self._packed[oldest] = b"".join(self._live.pop(oldest).elements())
        counts[digest] += 1
        return counts[digest]


def _columns_of(records: list, fields: dict[str, str], required: tuple[str, ...], what: str, team: str) -> dict:
    """Records as columns under snake_case names: every documented field (None where absent) and any other field
    a record has; raises as :func:`check_fields` and :func:`require` do, checking a column's types at once."""
    if any(type(record) is not dict for record in records):
        for record in records:
            check_fields(record, {}, what, team)
    columns = {}
    for name in set(fields).union(*records):
        values = [record.get(name) for record in records]
        kind = fields.get(name)
        if kind is not None:
            kinds = set(map(type, values)) - {type(None)}
            if not kinds.issubset(_TYPES[kind]) or (
                kind == "d" and not all(v.isdigit() for v in values if v is not None)
            ):
                for record in records:
                    check_fields(record, {name: kind}, what, team)
        if name in required and None in values:
            require(records[values.index(None)], (name,), what, team)
        columns[snake(name)] = values
    return columns


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
    check_fields(record, AUDIT_FIELDS, "audit log event", team)
    row = {k: v for k, v in record.items() if k != "timestamp"}
    row.update(team=team, event_at=datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00")))
    return row


def group_rows(group: dict, team: str, cycle_start: date) -> tuple[dict, list[dict]]:
    """A billing group and its current and former members (with join and leave dates)."""
    check_fields(group, GROUP_FIELDS, "billing group", team)
    head = {
        "team": team, "cycle_start": cycle_start, "group_id": group["id"], "name": group["name"],
        "member_count": group.get("memberCount"), "spend_cents": group.get("spendCents"),
    }  # fmt: skip
    members = []
    for entry in (group.get("currentMembers") or []) + (group.get("formerMembers") or []):
        check_fields(entry, GROUP_MEMBER_FIELDS, "billing group member", team)
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


_DUCKDB_ROUNDING = Context(prec=38, rounding=ROUND_HALF_UP)


def _to_scale(value: Decimal | int | None, scale: int) -> Decimal | int | None:
    """Round half away from zero to ``scale`` decimals, as DuckDB does when it stores a longer decimal."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1).scaleb(-scale), context=_DUCKDB_ROUNDING)
    return value


def as_table(columns: dict[str, list], declared: pa.Schema) -> pa.Table:
    """Columns (of one page, non-empty) as an Arrow table: every column of ``declared`` with its declared type, in its
    order (all null where the page has none, so every table of a load has the same declared columns), then any
    other (a field the API added without notice) as Arrow infers it, nested or mixed values as JSON text,
    all-null ones left out."""
    fields, arrays = list(declared), []
    rows = len(next(iter(columns.values())))
    for field in declared:
        values = columns.get(field.name)
        if values is None:
            arrays.append(pa.nulls(rows, field.type))
            continue
        try:
            arrays.append(pa.array(values, field.type))
        except pa.ArrowInvalid:
            if not pa.types.is_decimal(field.type):
                raise
            # float noise past the scale (40.16699999999999)
            arrays.append(pa.array([_to_scale(v, field.type.scale) for v in values], field.type))
    for name in sorted(columns.keys() - set(declared.names)):
        try:
            array = pa.array(columns[name])
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            array = None
        if array is None or pa.types.is_nested(array.type):
            array = pa.array([None if v is None else json.dumps(v, default=str) for v in columns[name]], pa.string())
        if not pa.types.is_null(array.type):
            fields.append(pa.field(name, array.type))
            arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))
