"""``POST /teams/filtered-usage-events`` of one simulated team: inclusive epoch-ms bounds, newest first, offset
pages, and the documented filters (reference §6.1), all combined with AND:

``email``             the member's e-mail (events of removed members carry none and never match)
``userId``            the member's numeric id
``serviceAccountId``  the service account's ``sa_...`` id
``cloudAgentId``      one cloud-agent run's ``bc-...`` id, or ``*`` for every cloud-agent event
``automationId``      one automation's id, or ``*`` for every automation event
``hostingType``       ``CLOUD``, ``SELF_HOSTED``, ``SELF_HOSTED_POOL`` or ``SELF_HOSTED_MACHINE`` (exact; any other
                      value is a 400): the cloud-agent events hosted that way (see :mod:`.agents`)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import date

from .agents import HOSTING_TYPES, hosting_type
from .cycles import DAY_MS, day_start_ms
from .params import BadRequest, check_range, days_between, number, page_and_size, pages
from .team import Member
from .usage import TeamUsage

MAX_EVENTS_PAGE_SIZE = 1000
FILTERS = ("email", "userId", "serviceAccountId", "cloudAgentId", "automationId", "hostingType")
_TEXT_FILTERS = ("email", "serviceAccountId", "cloudAgentId", "automationId", "hostingType")


def read_filters(body: dict) -> tuple:
    """The request's filters as a hashable tuple, checked."""
    for name in _TEXT_FILTERS:
        if body.get(name) is not None and not isinstance(body[name], str):
            raise BadRequest(f"{name} must be a string")
    hosting = body.get("hostingType")
    if hosting is not None and hosting not in HOSTING_TYPES:
        raise BadRequest(f"Invalid hostingType; expected one of {', '.join(HOSTING_TYPES)}")
    return tuple((name, body.get(name)) for name in FILTERS if body.get(name))


def read_window(body: dict, end_date: date) -> tuple[int, int]:
    """``startDate`` and ``endDate``, inclusive epoch ms at most 30 days apart; by default the 7 days up to the
    simulator's now (the end of ``end_date``)."""
    now = day_start_ms(end_date) + DAY_MS - 1
    start, end = number(body, "startDate", now - 7 * DAY_MS), number(body, "endDate", now)
    check_range(start, end)
    return start, end


def page_over_days(
    days: list[date], counts: list[int], page: int, size: int, served: Callable[[date, int, int], list[dict]]
) -> list[dict]:
    """The events of page ``page`` (of ``size``) of days holding ``counts`` matching events, newest day first:
    ``served(day, first, last)`` gives a day's matches ``first`` .. ``last - 1``."""
    events: list[dict] = []
    skip = (page - 1) * size
    for day, count in zip(days, counts, strict=True):
        if skip < count:
            events += served(day, skip, min(count, skip + size - len(events)))
            if len(events) >= size:
                break
        skip = max(0, skip - count)
    return events


def events_page(events: list[dict], total: int, page: int, size: int, period: tuple[int, int]) -> dict:
    """The events envelope (its pagination names differ from the other routes': ``numPages``, ``currentPage``)."""
    numbered = pages(total, size)
    paging = {"numPages": numbered, "currentPage": page, "pageSize": size}
    paging |= {"hasNextPage": page < numbered, "hasPreviousPage": page > 1}
    return {
        "totalUsageEventsCount": total,
        "pagination": paging,
        "usageEvents": events,
        "period": {"startDate": period[0], "endDate": period[1]},
    }


def _matches(member: Member, event: dict, filters: tuple) -> bool:
    for name, value in filters:
        if name == "email" and (member.removed is not None or member.email.lower() != value.lower()):
            return False
        if name == "userId" and member.numeric_id != value:
            return False
        if name == "serviceAccountId" and member.service_account_id != value:
            return False
        if name in ("cloudAgentId", "automationId") and not (
            name in event if value == "*" else event.get(name) == value
        ):
            return False
        if name == "hostingType" and hosting_type(event.get("cloudAgentId")) != value:
            return False
    return True


class UsageEventsRoute:
    """The events route of one team, with small caches of each day's matching positions (pages of one window
    are read one after another)."""

    def __init__(self, usage: TeamUsage) -> None:
        self.usage = usage
        self._counts: dict[tuple, int] = {}
        self._positions: OrderedDict[tuple, list[int]] = OrderedDict()

    def __call__(self, body: dict) -> dict:
        start, end = read_window(body, self.usage.spec.end_date)
        page, size = number(body, "page", 1), number(body, "pageSize", 100)
        page_and_size(page, size, MAX_EVENTS_PAGE_SIZE)
        filters = read_filters(body)
        days = [d for d in reversed(days_between(start, end)) if self.usage.in_retention(d)]
        counts = [self.count(d, start, end, filters) for d in days]

        def served(day: date, first: int, last: int) -> list[dict]:
            usage_day = self.usage.day(day)
            return [
                self.usage.served_event(self.usage.members[usage_day.owners[p]], usage_day.events[p], day, p)
                for p in self.matching(day, start, end, filters)[first:last]
            ]

        events = page_over_days(days, counts, page, size, served)
        return events_page(events, sum(counts), page, size, (start, end))

    @staticmethod
    def _window_key(day: date, start: int, end: int, filters: tuple) -> tuple:
        """The part of [start, end] inside ``day``, with the filters: what a day's matches depend on."""
        return day, max(start, day_start_ms(day)), min(end, day_start_ms(day) + DAY_MS - 1), filters

    def count(self, day: date, start: int, end: int, filters: tuple) -> int:
        key = self._window_key(day, start, end, filters)
        if key not in self._counts:
            self._counts[key] = len(self.matching(day, start, end, filters))
        return self._counts[key]

    def matching(self, day: date, start: int, end: int, filters: tuple) -> list[int]:
        key = self._window_key(day, start, end, filters)
        cached = self._positions.get(key)
        if cached is not None:
            self._positions.move_to_end(key)
            return cached
        usage_day = self.usage.day(day)
        members = self.usage.members
        positions = [
            i
            for i, (event, owner) in enumerate(zip(usage_day.events, usage_day.owners, strict=True))
            if start <= int(event["timestamp"]) <= end and _matches(members[owner], event, filters)
        ]
        self._positions[key] = positions
        if len(self._positions) > 32:
            self._positions.popitem(last=False)
        return positions
