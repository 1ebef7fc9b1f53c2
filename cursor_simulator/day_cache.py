"""The days a simulated team keeps in memory: the most recently read ones, as many as fit a budget of events (at
least a few), so a small team keeps its whole period (no day generated twice) and a million-event team keeps only
the days being paged through."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Generic, TypeVar

V = TypeVar("V")
MIN_DAYS = 4  # kept whatever their size: a 30-day window's pages move through a few days at a time
MAX_EVENTS = 100_000  # beyond MIN_DAYS, days are kept while their events add up to no more than this


class DayCache(Generic[V]):
    """A least-recently-read cache of days; ``events(value)`` is a day's size."""

    def __init__(self, events: Callable[[V], int]) -> None:
        self._events = events
        self._days: OrderedDict[date, tuple[V, int]] = OrderedDict()
        self._held = 0

    def __len__(self) -> int:
        return len(self._days)

    @property
    def events(self) -> int:
        """The events the kept days hold."""
        return self._held

    def clear(self) -> None:
        self._days.clear()
        self._held = 0

    def get(self, day: date, make: Callable[[date], V]) -> V:
        cached = self._days.get(day)
        if cached is not None:
            self._days.move_to_end(day)
            return cached[0]
        value = make(day)
        size = self._events(value)
        self._days[day] = (value, size)
        self._held += size
        while len(self._days) > MIN_DAYS and self._held > MAX_EVENTS:
            _, (_, dropped) = self._days.popitem(last=False)
            self._held -= dropped
        return value
