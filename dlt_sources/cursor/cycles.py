"""Billing groups by billing cycle: ``/teams/groups`` answers one cycle at a time, so the groups of a window are
fetched cycle by cycle, once for both group tables."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from . import records, settings
from .client import CursorClient
from .paging import enterprise_only
from .progress import count
from .reading import Once
from .state import mark_loaded
from .windows import Request


class CycleGroups:
    """The billing groups of every billing cycle that overlaps a team's window, fetched once for both group tables.

    ``/teams/groups`` answers one cycle (``billingCycle``: a day in it; default the current one) with its current
    and former members and their join and leave times. Each run reads the cycles of its window, so the memberships
    of past cycles are kept (merged on their keys) and a backfill brings back the groups of its days."""

    def __init__(self, clients: dict[str, CursorClient], request: Request) -> None:
        self.clients = clients
        self.request = request
        self._answers: Once[tuple[list[dict], list[dict]]] = Once()

    def rows(self, label: str, which: int) -> Iterator[list[dict]]:
        """The groups (``which`` 0) or their members (1) of the cycles of ``label``'s window (the calling
        resource's state), then the window marked loaded."""
        start, end = self.request.window(label)
        rows = self._answers.get((label, start, end), lambda: self._fetch(label, start, end))[which]
        if rows:
            yield rows
        mark_loaded(label, self.request.end)

    def _fetch(self, label: str, start: date, end: date) -> tuple[list[dict], list[dict]]:
        client = self.clients[label]
        heads: list[dict] = []
        people: list[dict] = []
        anchor, seen = start, set()
        while anchor <= end:
            params = {"billingCycle": anchor.isoformat()}
            answer = enterprise_only(
                client, settings.GROUPS_PATH, lambda params=params: client.get(settings.GROUPS_PATH, params=params)
            )
            if answer is None:
                return [], []
            cycle, cycle_end = cycle_bounds(answer, anchor)
            if cycle in seen:  # the API answered a cycle already read: no further cycle to ask for
                break
            seen.add(cycle)
            for group in (answer.get("groups") or []) + [answer.get("unassignedGroup") or {}]:
                if group:
                    head, members_of_group = records.group_rows(group, label, cycle)
                    heads.append(head)
                    people.extend(members_of_group)
            count("billing_groups", label, 1)
            anchor = cycle_end + timedelta(days=1)
        return heads, people


def cycle_bounds(answer: dict, asked: date) -> tuple[date, date]:
    """First and last day of the billing cycle an answer of ``/teams/groups`` covers (its ``billingCycle``); the
    day asked for when the answer names none."""
    cycle = answer.get("billingCycle") or {}
    first = date.fromisoformat(cycle["cycleStart"][:10]) if cycle.get("cycleStart") else asked
    last = date.fromisoformat(cycle["cycleEnd"][:10]) if cycle.get("cycleEnd") else asked
    return first, max(first, last)
