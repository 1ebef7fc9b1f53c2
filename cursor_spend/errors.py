"""The failures a user can act on; the CLI prints them as one line instead of a traceback."""

from dlt_sources.cursor.errors import CursorAPIError

from .config import ConfigError


def _expected() -> tuple[type[Exception], ...]:
    from .pipeline import WarehouseLockedError

    errors: list[type[Exception]] = [CursorAPIError, ConfigError, WarehouseLockedError]
    try:
        from .transform import TransformError
    except ImportError:  # pragma: no cover - the transform module is optional while developing
        pass
    else:
        errors.append(TransformError)
    return tuple(errors)


EXPECTED_ERRORS = _expected()
