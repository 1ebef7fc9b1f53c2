"""Every failure a user can act on, defined once: each says what went wrong and what to do, in one line.

The CLI prints the :data:`EXPECTED_ERRORS` as that line (exit 2) instead of a traceback; the Airflow tasks fail at
once, without retries, on those a retry cannot fix (:func:`fails_fast`) and leave the others to the task's
retries. The Cursor source's errors are its own (:mod:`dlt_sources.cursor.errors`: the source knows nothing of
cursor-spend) and join the lists here.
"""

from dlt_sources.cursor.errors import CursorAPIError, CursorResponseError, CursorUnavailableError


class ConfigError(Exception):
    """A setting is missing or invalid; the message says which and how to set it."""


class WarehouseError(Exception):
    """The warehouse cannot be used (unreachable, corrupt, unwritable); the message says which and what to do."""


class WarehouseLockedError(WarehouseError):
    """DuckDB's file lock is held by another process (DuckDB allows one writer at a time)."""


class TransformError(Exception):
    """dbt failed; the message says what failed and what to do."""


class MartsError(Exception):
    """The warehouse has no marts to read (missing, not built); the message says what to run."""


class ExportError(Exception):
    """An export that cannot be written (no dataset yet, a month without charges, a bad path)."""


class OutputError(Exception):
    """A file cannot be written where asked (not a regular file or a folder, a full disk, a read-only file system,
    no permission); the message says which and what to do."""


class AlertDeliveryError(Exception):
    """A channel did not take its alerts; they are sent again on the next run."""


class AlertOutcomeUnknown(AlertDeliveryError):
    """A channel may have taken the alerts (the request went out, no answer came); sent once more, with the same
    idempotency key, on the next run."""


EXPECTED_ERRORS = (
    CursorAPIError, ConfigError, WarehouseError, TransformError, MartsError, ExportError, OutputError
)  # fmt: skip

# Expected failures that may pass later: the API unreachable, rate limited or answering garbage, DuckDB's lock held
RETRYABLE_ERRORS = (CursorUnavailableError, CursorResponseError, WarehouseLockedError)


def fails_fast(exc: BaseException) -> bool:
    """Whether a retry cannot fix ``exc``: a bad or non-admin key, a plan without the Admin API, bad settings, a
    dbt failure, an unusable warehouse, a warehouse without marts, an export that cannot be written."""
    return isinstance(exc, EXPECTED_ERRORS) and not isinstance(exc, RETRYABLE_ERRORS)
