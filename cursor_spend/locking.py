"""One writer per warehouse, on PostgreSQL as on DuckDB (whose file lock does it there), and who is in the way.

The extract, the transform and the alert ledger's writes each hold the warehouse's writer lock for the whole step: a
PostgreSQL advisory lock, ``pg_advisory_lock(hashtextextended('cursor-spend:<schemas>', 0))`` where ``<schemas>``
are the schemas a run writes (:data:`LOCK_NAME`). Advisory locks belong to one database, so each warehouse (database
and schema set) has its own. A second run waits for it at most ``CURSOR_SPEND_LOCK_WAIT`` seconds, then fails in one
line naming the holder (its application name, user, server pid and since when, from pg_locks and
pg_stat_activity). The lock is a session's: it ends with the step, or with its process however that dies.

A build's statements wait for a table a reader holds at most ``lock_timeout`` (dbt var); :func:`blockers` then
names the sessions holding locks on the warehouse's tables, for the transform's message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from .config import Settings
from .errors import WarehouseLockedError
from .marts import WRITTEN_SCHEMAS

log = logging.getLogger(__name__)

LOCK_NAME = "cursor-spend:" + ",".join(WRITTEN_SCHEMAS)
LOCK_WAIT_SETTING = "CURSOR_SPEND_LOCK_WAIT"
MASK = 0xFFFFFFFF  # pg_locks shows a bigint key as two 32-bit halves: classid (high) and objid (low)

_HOLDER = """
select a.application_name, a.usename, a.pid, a.state_change from pg_locks as l
join pg_stat_activity as a on a.pid = l.pid
where l.locktype = 'advisory' and l.granted and l.objsubid = 1 and l.classid = %s::oid and l.objid = %s::oid
and l.database = (select oid from pg_database where datname = current_database())
"""
_BLOCKERS = """
select a.application_name, a.usename, a.pid, a.xact_start, min(n.nspname || '.' || c.relname) from pg_locks as l
join pg_stat_activity as a on a.pid = l.pid join pg_class as c on c.oid = l.relation
join pg_namespace as n on n.oid = c.relnamespace
where l.locktype = 'relation' and l.granted and n.nspname = any(%s) and a.pid <> pg_backend_pid()
and a.xact_start is not null and a.application_name not like 'cursor-spend transform%%'
group by 1, 2, 3, 4 order by a.xact_start limit 3
"""


def session(application: str | None, user: str, pid: int, since: datetime | None) -> str:
    """A session of pg_stat_activity, as a message names it."""
    when = f", since {since.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" if since else ""
    return f"{application or 'a session without application_name'} (user {user}, server pid {pid}{when})"


@contextmanager
def exclusive(settings: Settings, job: str) -> Iterator[None]:
    """Hold the warehouse's writer lock during a step (``job``: extract, transform, alerts) on PostgreSQL; waits
    for another holder at most ``settings.lock_wait`` seconds, then raises WarehouseLockedError naming it."""
    warehouse = settings.warehouse
    if not warehouse.url:  # DuckDB: its file lock lets one process write
        yield
        return
    with warehouse.connect(job=job) as connection:
        connection.autocommit = True
        cursor = connection.cursor()
        cursor.execute("select hashtextextended(%s, 0)", (LOCK_NAME,))
        key = cursor.fetchone()[0]
        cursor.execute("select pg_try_advisory_lock(%s)", (key,))
        if not cursor.fetchone()[0]:
            _wait(cursor, key, settings, job)
        yield  # closing the connection releases the lock


def _wait(cursor: Any, key: int, settings: Settings, job: str) -> None:
    import psycopg2

    warehouse, wait = settings.warehouse, settings.lock_wait
    log.warning("the %s is in use by %s: waiting up to %g s to %s", warehouse, _holder(cursor, key), wait, job)
    cursor.execute("set lock_timeout = %s", (f"{max(int(wait * 1000), 1)}ms",))
    try:
        cursor.execute("select pg_advisory_lock(%s)", (key,))
    except psycopg2.errors.LockNotAvailable:
        raise WarehouseLockedError(
            f"the {warehouse} is in use by another run: {_holder(cursor, key)} has written it for longer than "
            f"{wait:g} s ({LOCK_WAIT_SETTING}); let it finish and run `{job}` again"
        ) from None
    cursor.execute("reset lock_timeout")


def _holder(cursor: Any, key: int) -> str:
    cursor.execute(_HOLDER, ((key >> 32) & MASK, key & MASK))
    found = cursor.fetchone()
    return session(*found) if found else "a run that has just ended"


def blockers(connection: Any, schemas: tuple[str, ...] = WRITTEN_SCHEMAS) -> list[tuple[str, int]]:
    """The sessions (oldest transaction first, with their server pid) that hold locks on tables of ``schemas`` in
    an open transaction: readers a build would wait for."""
    with connection.cursor() as cursor:
        cursor.execute(_BLOCKERS, (list(schemas),))
        return [(f"{session(*found[:4])} holding {found[4]}", found[2]) for found in cursor.fetchall()]
