"""``POST /organizations/filtered-usage-events``: the usage events of an organization's teams as one list (reference
§8), in the team route's envelope, each event with its ``teamId``.

The body: ``organizationId`` (checked by :mod:`.org_routes`), ``teamIds`` / ``teamId`` (the teams, see there),
``startDate`` and ``endDate`` (as the team route: inclusive epoch ms, at most 30 days apart, the last 7 days by
default), the documented filters ``userId``, ``email`` and ``serviceAccountId`` (as the team route reads them; other
team-route filters are not in the organization's body and are ignored, as any unknown field), ``page`` (default 1)
and ``pageSize`` (default 10, the organization page's documented default, where the team route's is 100; at most
1000). Events are newest first, events at the same millisecond by team id, then as the team route orders them; so
a team's events keep its own route's order, and paging is by offset over the whole list.
"""

from __future__ import annotations

import heapq
from array import array
from collections import OrderedDict
from datetime import date

from .params import days_between, number, page_and_size
from .usage_events import (
    MAX_EVENTS_PAGE_SIZE,
    UsageEventsRoute,
    events_page,
    page_over_days,
    read_filters,
    read_window,
)

ORG_FILTERS = ("userId", "email", "serviceAccountId")
ORG_EVENTS_PAGE_SIZE = 10  # the organization route's documented default (the team route's is 100)
_MERGED_DAYS = 8  # merged days kept: the pages of one window are read one after another


class OrgEventsRoute:
    """The organization's events route over its teams' own events routes (``routes``: team id -> route)."""

    def __init__(self, routes: dict[int, UsageEventsRoute], end_date: date) -> None:
        self.routes = routes
        self.end_date = end_date
        self._merged: OrderedDict[tuple, tuple[array, array]] = OrderedDict()

    def __call__(self, body: dict, team_ids: list[int]) -> dict:
        start, end = read_window(body, self.end_date)
        page, size = number(body, "page", 1), number(body, "pageSize", ORG_EVENTS_PAGE_SIZE)
        page_and_size(page, size, MAX_EVENTS_PAGE_SIZE)
        filters = read_filters({name: body.get(name) for name in ORG_FILTERS})
        days = list(reversed(days_between(start, end)))
        counts = [sum(self._count(t, day, start, end, filters) for t in team_ids) for day in days]

        def served(day: date, first: int, last: int) -> list[dict]:
            teams, positions = self._merged_day(day, start, end, filters, tuple(team_ids))
            return [self._served(team_ids[teams[k]], day, positions[k]) for k in range(first, last)]

        events = page_over_days(days, counts, page, size, served)
        return events_page(events, sum(counts), page, size, (start, end))

    def _count(self, team_id: int, day: date, start: int, end: int, filters: tuple) -> int:
        route = self.routes[team_id]
        return route.count(day, start, end, filters) if route.usage.in_retention(day) else 0

    def _served(self, team_id: int, day: date, position: int) -> dict:
        usage = self.routes[team_id].usage
        usage_day = usage.day(day)
        member = usage.members[usage_day.owners[position]]
        return usage.served_event(member, usage_day.events[position], day, position) | {"teamId": team_id}

    def _merged_day(self, day: date, start: int, end: int, filters: tuple, team_ids: tuple) -> tuple[array, array]:
        """The day's matching events of the teams, newest first (ties by team, then the team's order): the index
        into ``team_ids`` and the team's position of each."""
        key = (day, start, end, filters, team_ids)
        cached = self._merged.get(key)
        if cached is not None:
            self._merged.move_to_end(key)
            return cached
        streams = []
        for k, team_id in enumerate(team_ids):
            if self._count(team_id, day, start, end, filters):
                events = self.routes[team_id].usage.day(day).events
                matching = self.routes[team_id].matching(day, start, end, filters)
                streams.append([(-int(events[p]["timestamp"]), k, p) for p in matching])
        teams, positions = array("h"), array("l")
        for _, k, p in heapq.merge(*streams):
            teams.append(k)
            positions.append(p)
        self._merged[key] = (teams, positions)
        if len(self._merged) > _MERGED_DAYS:
            self._merged.popitem(last=False)
        return teams, positions
