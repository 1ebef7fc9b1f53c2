"""Expected errors as task failures: one line, and fail-fast or retried as :mod:`cursor_spend.errors` says."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from cursor_spend.errors import WarehouseLockedError, fails_fast

from .dag_settings import POOL

T = TypeVar("T")


@contextmanager
def airflow_errors() -> Iterator[None]:
    """Turn expected failures into one-line Airflow failures; leave transient ones to the task's retries.

    Errors a retry cannot fix (bad key, plan, team, settings, dbt failures) raise ``AirflowFailException``: the
    task fails at once, without retries, with the source's message and no traceback of ours. A held DuckDB lock
    raises ``AirflowException`` naming the lock, so a retry can succeed once the other writer is done.
    """
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    try:
        yield
    except AirflowException:
        raise
    except WarehouseLockedError as exc:
        raise AirflowException(
            f"{exc} (Airflow tasks that write the warehouse share the pool {POOL!r} with one slot, so the "
            "holder is probably a process outside Airflow: a CLI run or a BI tool with the file open)"
        ) from exc
    except Exception as exc:
        if fails_fast(exc):
            raise AirflowFailException(str(exc)) from None
        raise


def run(fn: Callable[[], T]) -> T:
    """``fn()`` with :func:`airflow_errors`."""
    with airflow_errors():
        return fn()
