"""Teams side by side (:mod:`dlt_sources.cursor.reading`): every team's items, each team's in its order, memory
bounded, the first failure raised and the other teams stopped; a shared fetch made once."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator

import pytest

from dlt_sources.cursor.reading import Once, side_by_side

TEAMS = {"a": None, "b": None, "c": None}


def numbered(team: str, _client: None, n: int = 50) -> Iterator[tuple[str, int]]:
    yield from ((team, k) for k in range(n))


def test_every_teams_items_arrive_each_team_in_its_order():
    items = list(side_by_side(TEAMS, numbered))
    for team in TEAMS:
        assert [k for t, k in items if t == team] == list(range(50))
    assert len(items) == 150


def test_one_team_is_read_in_the_callers_thread():
    def where(team: str, _client: None) -> Iterator[str]:
        yield threading.current_thread().name

    assert list(side_by_side({"a": None}, where)) == [threading.current_thread().name]


def test_a_team_runs_ahead_by_one_item_at_most_while_the_resource_waits():
    made = {team: 0 for team in TEAMS}

    def counted(team: str, _client: None) -> Iterator[int]:
        for k in itertools.count():
            made[team] += 1
            yield k

    items = side_by_side(TEAMS, counted)
    next(items)
    time.sleep(0.5)  # unbounded producers would make thousands of items meanwhile
    assert sum(made.values()) <= 2 * len(TEAMS) + 1  # the queue holds one item per team; each has one in hand
    items.close()


def test_the_first_failure_is_raised_and_the_other_teams_stop():
    def endless_or_failing(team: str, _client: None) -> Iterator[int]:
        if team == "b":
            raise RuntimeError("team b failed")
        yield from itertools.count()

    with pytest.raises(RuntimeError, match="team b failed"):
        for _ in side_by_side(TEAMS, endless_or_failing):
            pass
    for thread in [t for t in threading.enumerate() if t.name.endswith(("cursor-a", "cursor-c"))]:
        thread.join(timeout=5)
        assert not thread.is_alive()


def test_a_shared_fetch_is_made_once_and_dropped_when_all_had_it():
    calls = []
    once: Once[int] = Once(takers=4)

    def fetch() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    answers = []
    threads = [threading.Thread(target=lambda: answers.append(once.get(("a", 1), fetch))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [42] * 4 and len(calls) == 1
    assert once.get(("a", 1), fetch) == 42 and len(calls) == 2  # every taker had it: not kept, fetched anew
