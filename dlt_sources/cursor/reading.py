"""How the resources read. Teams side by side: a resource reads every team's window at once, each team in a thread
of its own and within its own rate limits, and hands dlt the teams' items as they come. dlt runs the resources
themselves side by side (they are ``parallelized``), so the usage events, the commit details and the rest wait on
their own limits, not on each other's.

Memory stays bounded: a team's thread waits while its last item has not been taken (one buffer per team, beside
the page it is working on). Every table merges on keys that hold the team, and each team's items keep their order,
so the marts do not depend on which team answered first. The first failure stops the other teams and is raised.

Also: one fetch that two resources share (:class:`Once`), and the empty table of a resource that read nothing.
"""

from __future__ import annotations

import contextvars
import queue
import re
import threading
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

import dlt
from dlt.common.configuration.container import Container

T = TypeVar("T")
C = TypeVar("C")
_DONE, _FAILED, _ITEM = range(3)
_POLL_SECONDS = 0.2  # how often a waiting team's thread looks whether the resource stopped
# dlt writes a list it is given as one line of its extract file, and its normalize step reads a line whole: a
# window's 54,000 commits as one list added 75 MB to a normalize step. dlt's own buffer holds 5,000 items.
ITEM_ROWS = 5000


def side_by_side(clients: dict[str, C], read: Callable[[str, C], Iterator[T]]) -> Iterator[T]:
    """The items of ``read(team, client)`` for every team (team label -> its client), the teams read at once."""
    if len(clients) <= 1:
        for team, client in clients.items():
            yield from read(team, client)
        return
    handed: queue.Queue = queue.Queue(maxsize=len(clients))
    stop = threading.Event()
    prefix = _dlt_thread_prefix()
    for team, client in clients.items():
        context = contextvars.copy_context()  # dlt's current resource (its state) goes with the thread
        work = (lambda team=team, client=client: read(team, client), handed, stop)
        threading.Thread(target=context.run, args=(_produce, *work), name=f"{prefix}cursor-{team}", daemon=True).start()
    try:
        running = len(clients)
        while running:
            kind, value = handed.get()
            if kind == _ITEM:
                yield value
            elif kind == _DONE:
                running -= 1
            else:
                raise value
    finally:
        stop.set()


def _produce(start: Callable[[], Iterator[T]], handed: queue.Queue, stop: threading.Event) -> None:
    """One team's items onto ``handed``, then done (or the failure); gives up when the resource stopped."""
    try:
        for item in start():
            if not _put(handed, (_ITEM, item), stop):
                return
        _put(handed, (_DONE, None), stop)
    except BaseException as exc:  # noqa: BLE001 - handed to the resource's own thread, which raises it
        _put(handed, (_FAILED, exc), stop)


def _put(handed: queue.Queue, message: tuple, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            handed.put(message, timeout=_POLL_SECONDS)
            return True
        except queue.Full:
            continue
    return False


def _dlt_thread_prefix() -> str:
    """The thread-name prefix under which dlt's thread-affine contexts (the running pipeline, its progress
    collector, the source's state) are those of the thread that owns them: dlt names its own pool threads so
    (``Container.thread_pool_prefix``), and a thread started from one of them keeps that pool's owner."""
    found = re.match(r"dlt-pool-\d+-", threading.current_thread().name)
    return found.group(0) if found else Container.thread_pool_prefix()


class Once(Generic[T]):
    """What one fetch gives ``takers`` resources (commits and their line ranges, Bugbot reviews and their bugs,
    billing groups and their members): fetched once per key, by whichever resource asks first, the others waiting
    for it; dropped when every taker has had it (a big team's window holds tens of thousands of commits)."""

    def __init__(self, takers: int = 2) -> None:
        self.takers = takers
        self._answers: dict[Hashable, tuple[T, int]] = {}  # key -> the answer and how many have had it
        self._locks: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, fetch: Callable[[], T]) -> T:
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            answer, taken = self._answers.pop(key, None) or (fetch(), 0)
            if taken + 1 < self.takers:
                self._answers[key] = answer, taken + 1
            return answer


def in_pieces(rows: list[T]) -> Iterator[list[T]]:
    """``rows`` as lists of at most ``ITEM_ROWS``, for dlt (see ``ITEM_ROWS``)."""
    for k in range(0, len(rows), ITEM_ROWS):
        yield rows[k : k + ITEM_ROWS]


def or_empty_table(items: Iterator[T], empty: object = None) -> Iterator[T | object]:
    """``items``; when there is none, the table without rows (``empty``; default dlt's marker), so the table
    exists with its declared columns."""
    yielded = False
    for item in items:
        yielded = True
        yield item
    if not yielded:
        yield dlt.mark.materialize_table_schema() if empty is None else empty
