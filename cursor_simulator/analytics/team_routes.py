"""The Analytics API routes of one simulated team (reference §9.1): team-level ``dau``, ``agent-edits``, ``tabs`` and
``models``, and by-user ``agent-edits`` and ``tabs``.

Every figure is the team's simulated activity of the day (see :mod:`.activity`):

* ``dau``: the people active that day (``isActive`` in the daily usage); ``cli_dau``, ``cloud_agent_dau`` and
  ``bugbot_dau`` those of them with a CLI conversation, a cloud-agent or automation run, and a Bugbot review;
* ``agent-edits``: accepted lines are the lines the day's conversations wrote (what the ``COMPOSER`` changes list
  and commits draw from); accepted diffs are at least the daily usage's ``totalAccepts`` (one per conversation
  that wrote lines), rejected diffs its ``totalRejects``;
* ``tabs``: suggestions, accepts and rejects are the daily usage's tab counts; accepted lines are what the ``TAB``
  changes list;
* ``models``: per model, the people's requests (usage events) of the day and how many people made them.

Team-level rows cover every day of the range that has data (zeros included); by-user rows the days the user was
active, for the users of the page (members of the team during the range, by e-mail). ``users`` (comma-separated
e-mails, ``user_...`` ids or numeric ids) keeps those users; one that is no member's is a 400.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from ..agents import ORIGIN_AUTOMATION, ORIGIN_CLI, ORIGIN_CLOUD
from ..audit import user_emails
from ..params import page_and_size, pagination, query_number
from .dates import analytics_range
from .summaries import PersonDay, Summaries

_LINES = ("green_accepted", "red_accepted", "green_rejected", "red_rejected")


def _line_fields(row: dict) -> dict:
    out = {f"total_{name.split('_')[0]}_lines_{name.split('_')[1]}": row[name] for name in _LINES}
    out["total_green_lines_suggested"] = row["green_accepted"] + row["green_rejected"]
    out["total_red_lines_suggested"] = row["red_accepted"] + row["red_rejected"]
    out["total_lines_suggested"] = out["total_green_lines_suggested"] + out["total_red_lines_suggested"]
    out["total_lines_accepted"] = row["green_accepted"] + row["red_accepted"]
    return out


def agent_edits_row(codes: list[PersonDay]) -> dict:
    total = Counter()
    for code in codes:
        total.update(code.agent)
    counts = {
        "total_suggested_diffs": total["suggested"], "total_accepted_diffs": total["accepted"],
        "total_rejected_diffs": total["rejected"],
    }  # fmt: skip
    return counts | _line_fields({name: total[name] for name in _LINES})


def tabs_row(codes: list[PersonDay]) -> dict:
    total = Counter()
    for code in codes:
        total.update(code.tabs)
    counts = {"total_suggestions": total["suggestions"], "total_accepts": total["accepts"]}
    return counts | {"total_rejects": total["rejects"]} | _line_fields({name: total[name] for name in _LINES})


class AnalyticsRoutes:
    """Response bodies of one team's Analytics routes."""

    def __init__(self, summaries: Summaries) -> None:
        self.summaries, self.usage, self.spec = summaries, summaries.usage, summaries.usage.spec

    def team(self, metric: str, params: dict) -> dict:
        first, last = analytics_range(params, self.spec.end_date)
        users = self._users(params)
        rows = []
        for day in self._days(first, last):
            people = self.summaries.day(day).people.values()
            codes = [p for p in people if users is None or p.email.lower() in users]
            if metric == "dau":
                rows.append({"date": day.isoformat()} | _dau(codes))
            elif metric == "models":
                rows.append({"date": day.isoformat(), "model_breakdown": _models(codes)})
            else:
                row = agent_edits_row(codes) if metric == "agent-edits" else tabs_row(codes)
                rows.append({"event_date": day.isoformat()} | row)
        return {"data": rows, "params": self._params(metric, first, last)}

    def by_user(self, metric: str, params: dict) -> dict:
        first, last = analytics_range(params, self.spec.end_date)
        page, size = query_number(params, "page", 1), query_number(params, "pageSize", 100)
        page_and_size(page, size, 500)
        users = self._users(params)
        people = sorted(
            (m for m in self.usage.humans if any(m.is_member_on(d) for d in self._days(first, last))),
            key=lambda m: m.email.lower(),
        )
        people = [m for m in people if users is None or m.email.lower() in users]
        shown = people[(page - 1) * size : page * size]
        data: dict[str, list[dict]] = {m.email: [] for m in shown}
        row_of = agent_edits_row if metric == "agent-edits" else tabs_row
        for day in self._days(first, last):
            codes = self.summaries.day(day).people
            for member in shown:
                if member.index in codes:
                    data[member.email].append({"event_date": day.isoformat()} | row_of([codes[member.index]]))
        return {
            "data": data,
            "pagination": pagination(page, size, len(people), "totalUsers"),
            "params": self._params(metric, first, last)
            | {"page": page, "pageSize": size, "userMappings": [{"id": m.user_id, "email": m.email} for m in shown]},
        }

    def _days(self, first: date, last: date) -> list[date]:
        span = ((last - first).days + 1) if last >= first else 0
        return [d for d in (first + timedelta(days=k) for k in range(span)) if self.usage.in_retention(d)]

    def _users(self, params: dict) -> set[str] | None:
        entries = [part.strip() for part in (params.get("users") or "").split(",") if part.strip()]
        return user_emails(self.usage, entries) if entries else None

    def _params(self, metric: str, first: date, last: date) -> dict:
        team = self.spec.resolved_team_id
        return {"metric": metric, "teamId": team, "startDate": first.isoformat(), "endDate": last.isoformat()}


def _models(people: list[PersonDay]) -> dict:
    messages: Counter = Counter()
    users: Counter = Counter()
    for person in people:
        messages.update(person.models)
        users.update(person.models.keys())
    return {model: {"messages": messages[model], "users": users[model]} for model in sorted(messages)}


def _dau(codes: list[PersonDay]) -> dict:
    return {
        "dau": len(codes),
        "cli_dau": sum(ORIGIN_CLI in c.origins for c in codes),
        "cloud_agent_dau": sum(bool(c.origins & {ORIGIN_CLOUD, ORIGIN_AUTOMATION}) for c in codes),
        "bugbot_dau": sum(c.bugbot_reviews > 0 for c in codes),
    }
