"""From Analytics and AI Code Tracking answers to raw rows, by the tables of :mod:`.ai_code_schema`: each
documented field's type is checked (a drifted answer stops the run before anything is loaded, as in
:mod:`.records`), it goes to its declared column (ISO text becomes a date or a timestamp), and any field the API
added is kept under its snake_case name. Nested answers become rows of their own: a commit's range annotations one
row per line range, a day's model breakdown one row per model, a by-user answer one row per user and day, a Bugbot
review's bugs one row per bug.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from . import ai_code_schema as schema
from .columns import Table
from .errors import CursorResponseError
from .records import check_fields, require, snake

Rows = Callable[[dict, str], list[dict]]  # an answer and the team -> rows


def _value(column_type: str | tuple, value):
    if isinstance(value, str) and column_type == "date":
        return date.fromisoformat(value[:10])
    if isinstance(value, str) and column_type == "timestamp":
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    return value


def schema_row(table: Table, record: dict, team: str, what: str, skip: tuple[str, ...] = (), **values) -> dict:
    """One record as a row of ``table``: its documented top-level fields in their columns, ``values`` (the team
    is added) in theirs, any other field (but ``skip``) under its snake_case name."""
    fields = table.fields()
    check_fields(record, fields, what, team)
    require(record, tuple(c.field for c in table.columns if c.required and c.field and "." not in c.field), what, team)
    row = {snake(name): value for name, value in record.items() if name not in fields and name not in skip}
    for column in table.columns:
        if column.field in fields:
            row[column.name] = _value(column.type, record.get(column.field))
    return row | {"team": team} | values


def commit_rows(answer: dict, team: str, extracted_at: datetime) -> list[dict]:
    """A page of ``/analytics/ai-code/commits``."""
    items = _list(answer, "items", "AI code commits page", team)
    return [schema_row(schema.AI_COMMITS, r, team, "commit", extracted_at=extracted_at) for r in items]


def range_rows(answer: dict, team: str) -> list[dict]:
    """The line ranges of every commit of a commit-detail answer, one row each."""
    rows = []
    for detail in _list(answer, "commits", "commit-detail answer", team):
        head = schema_row(schema.AI_COMMIT_RANGES, detail, team, "commit detail", skip=("rangeAnnotations",))
        for f, annotation in enumerate(detail.get("rangeAnnotations") or []):
            check_fields(annotation, schema.AI_COMMIT_RANGES.fields("rangeAnnotations"), "range annotation", team)
            for g, group in enumerate(annotation.get("groups") or []):
                check_fields(group, schema.AI_COMMIT_RANGES.fields("groups"), "range annotation group", team)
                for r, span in enumerate(group.get("ranges") or []):
                    check_fields(span, schema.AI_COMMIT_RANGES.fields("ranges"), "line range", team)
                    require(span, ("start", "end"), "line range", team)
                    rows.append(
                        head
                        | {
                            "file_index": f,
                            "group_index": g,
                            "range_index": r,
                            "file_path": annotation.get("filePath"),
                            "conversation_id": group.get("conversationId"),
                            "model": group.get("model"),
                            "operation_type": group.get("operationType"),
                            "start_line": span["start"],
                            "end_line": span["end"],
                        }  # fmt: skip
                    )
    return rows


def team_rows(table: Table) -> Rows:
    """Rows of a team-level Analytics answer (``data``: one row per day)."""

    def rows(answer: dict, team: str) -> list[dict]:
        return [schema_row(table, r, team, f"{table.name} row") for r in _list(answer, "data", table.name, team)]

    return rows


def model_rows(answer: dict, team: str) -> list[dict]:
    """``/analytics/team/models``: one row per day and model of the day's ``model_breakdown``."""
    rows = []
    for record in _list(answer, "data", "analytics models", team):
        day = schema_row(schema.ANALYTICS_MODELS, record, team, "analytics models row", skip=("model_breakdown",))
        breakdown = record.get("model_breakdown") or {}
        if not isinstance(breakdown, dict):
            raise _drift(team, "model_breakdown of an analytics models row", "an object")
        for model, counts in breakdown.items():
            check_fields(counts, schema.ANALYTICS_MODELS.fields("model_breakdown"), "model breakdown", team)
            rows.append(day | {"model": model, "messages": counts.get("messages"), "users": counts.get("users")})
    return rows


def user_rows(table: Table) -> Rows:
    """Rows of a by-user Analytics answer (``data``: e-mail -> one row per day)."""

    def rows(answer: dict, team: str) -> list[dict]:
        data = answer.get("data")
        if not isinstance(data, dict):
            raise _drift(team, f"data of {table.name}", "an object of e-mails")
        return [
            schema_row(table, record, team, f"{table.name} row", email=email.lower())
            for email, records in data.items()
            for record in records or []
        ]

    return rows


def review_rows(reviews: list[dict], team: str) -> list[dict]:
    return [schema_row(schema.BUGBOT_REVIEWS, r, team, "Bugbot review", skip=("bugs",)) for r in reviews]


def bug_rows(reviews: list[dict], team: str) -> list[dict]:
    return [
        schema_row(schema.BUGBOT_BUGS, bug, team, "Bugbot bug", request_id=review["request_id"])
        for review in reviews
        for bug in review.get("bugs") or []
    ]


def _list(answer: dict, name: str, what: str, team: str) -> list:
    found = answer.get(name)
    if not isinstance(found, list):
        raise _drift(team, f"{name} of the {what}", "a list")
    return found


def _drift(team: str, what: str, documented: str) -> CursorResponseError:
    return CursorResponseError(
        f"team {team!r}: the {what} is not {documented} as documented. The API's response shape changed (schema "
        "drift); the run stopped and nothing was loaded. Update cursor-spend or report the change."
    )
