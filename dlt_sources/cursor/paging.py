"""Paging through the API: every page of an answer (the next one fetched while the caller works on the current
one), the windowed POST bodies, and endpoints that only some plans (or teams) have."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from .client import CursorClient
from .errors import CursorConfigurationError, CursorRouteMissing

log = logging.getLogger(__name__)
T = TypeVar("T")


def windowed_post(client: CursorClient, path: str, lo: int, hi: int, page_size: int) -> Callable[[int], dict]:
    """A page fetcher for ``path`` over the epoch-ms range ``lo`` .. ``hi`` (inclusive)."""

    def fetch(page: int) -> dict:
        return client.post(path, {"startDate": lo, "endDate": hi, "page": page, "pageSize": page_size})

    return fetch


def last_page(answer: dict) -> int:
    """The last page an answer names: ``pagination.totalPages`` (daily usage, audit logs, Analytics), ``numPages``
    (usage events) or ``totalPages`` (spend); AI Code Tracking lists give ``totalCount`` and ``pageSize``."""
    pagination = answer.get("pagination") or {}
    last = pagination.get("totalPages") or pagination.get("numPages") or answer.get("totalPages")
    if not last and answer.get("totalCount") and answer.get("pageSize"):
        last = math.ceil(int(answer["totalCount"]) / int(answer["pageSize"]))
    return int(last or 0)


def pages(fetch: Callable[[int], dict]) -> Iterator[tuple[int, dict]]:
    """(page number, answer) of every page, up to the last page the first answer names; each next page is
    fetched in a background thread while the caller works on the current one."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cursor-prefetch") as pool:
        answer = fetch(1)
        last = last_page(answer)
        for page in range(1, max(last, 1) + 1):
            ahead = pool.submit(fetch, page + 1) if page < last else None
            yield page, answer
            if ahead is not None:
                answer = ahead.result()


PLAN_LACKS_IT = {403: "the plan does not include it (403). Enterprise plans have it."}


def enterprise_only(
    client: CursorClient, path: str, call: Callable[[], T], reasons: dict[int, str] = PLAN_LACKS_IT
) -> T | None:
    """``call()``, or None (with a warning) when the plan does not include this endpoint (403), or another of the
    ``reasons`` (status -> why) says the team has no access to it."""
    try:
        return call()
    except CursorConfigurationError as exc:
        if exc.status not in reasons and not isinstance(exc, CursorRouteMissing):
            raise
        why = exc.why if isinstance(exc, CursorRouteMissing) else reasons[exc.status]
        log.warning("%s: skipping %s: %s", client.who, path, why)
        return None
