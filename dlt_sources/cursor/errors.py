"""Typed errors of the Cursor source, each with a one-line message that says what went wrong, the likely
cause and the fix. Messages never contain the API key."""


class CursorAPIError(Exception):
    """Base class. Subclasses other than CursorConfigurationError may succeed when retried later."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status behind the error, when there was one


class CursorConfigurationError(CursorAPIError):
    """The key, plan or team is wrong: retrying will not help until someone changes the configuration."""


class CursorRouteMissing(CursorConfigurationError):
    """The key's API has no such route (an Organization API key reads no team's audit log or billing groups): the
    data is skipped with a warning, as a plan without it is (status 403)."""

    def __init__(self, who: str, why: str) -> None:
        super().__init__(f"{who}: {why}", 403)
        self.why = why


class CursorUnavailableError(CursorAPIError):
    """The API could not be reached or kept failing (timeouts, 5xx, 429) after every retry."""


class CursorResponseError(CursorAPIError):
    """The API answered something that is not the documented JSON (malformed, truncated or drifted)."""
