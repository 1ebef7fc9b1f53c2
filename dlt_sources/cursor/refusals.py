"""What an API refusal (a 4xx that no retry fixes) means, in one line with its cause and fix: for a team's Admin
API key and for an Organization API key (reference §1.3, §8). Messages never contain the key."""

from __future__ import annotations

import httpx

from . import settings
from .errors import CursorAPIError, CursorConfigurationError, CursorResponseError

TEAM_KEY_FIX = (
    "Fix: a team admin creates an Admin API key in the Cursor dashboard (Settings > Advanced > Admin API Keys) and "
    "you set it as CURSOR_API_KEY (an Organization API key goes in CURSOR_ORG_API_KEY)."
)
ORG_KEY_FIX = (
    "Fix: an organization admin creates an Organization API key with the scope admin:* (or usage:* and members:*) "
    "and you set it as CURSOR_ORG_API_KEY (a team's Admin API key goes in CURSOR_API_KEY or CURSOR_API_KEYS)."
)
MISSING_SCOPE = "missing required scope"


def api_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or response.reason_phrase)
    return response.reason_phrase


def is_api_error(response: httpx.Response) -> bool:
    """Whether an error answer is the API's own JSON error (``{"error": ..., "message": ...}`` and kin)."""
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and any(key in body for key in ("error", "message", "statusCode", "code"))


def status_error(response: httpx.Response, path: str, who: str, shown_url: str, kind: str = "team") -> CursorAPIError:
    """The typed error of a refused request of ``who`` (a team's or the organization's client)."""
    status, message = response.status_code, api_message(response)
    if not is_api_error(response):
        return CursorConfigurationError(
            f"{who}: {shown_url}{path} answered {status} {response.reason_phrase!r} without the API's JSON error: "
            f"this URL does not look like the Cursor Admin API. Fix: set CURSOR_API_BASE_URL to "
            f"{settings.DEFAULT_BASE_URL} (no path).",
            status,
        )
    prefix = f"{who}: {path} answered {status} {message!r}"
    causes = _ORG_CAUSES if kind == "organization" else _TEAM_CAUSES
    if status == 401 and kind == "organization" and MISSING_SCOPE in message:
        scope = message.partition("scope:")[2].strip()
        return CursorConfigurationError(f"{prefix}. The key lacks the scope {scope}. {ORG_KEY_FIX}", 401)
    if status in causes:
        return CursorConfigurationError(f"{prefix}. {causes[status]}", status)
    return CursorResponseError(
        f"{prefix}. The request was rejected; this is a bug in cursor-spend or an API change.", status
    )


_TEAM_CAUSES = {
    401: f"The key is not a valid team Admin API key (user API keys and revoked keys are rejected). {TEAM_KEY_FIX}",
    403: "The team's plan does not include this part of the Admin API (it needs a Cursor Enterprise plan). Fix: use "
    "a key of an Enterprise team or ask Cursor to enable the Admin API.",
    404: "No team was found for this key: it is probably a personal-plan key or the wrong team. Fix: create the key "
    "from the team you want to track.",
}
_ORG_CAUSES = {
    401: f"The key is not an Organization API key (a team's Admin API key, a user key or a revoked key). {ORG_KEY_FIX}",
    403: "The key belongs to another organization than CURSOR_ORG_ID. Fix: set CURSOR_ORG_ID to the key's "
    "organization id (org_..., in the Cursor dashboard's organization settings).",
    404: "No organization has the id CURSOR_ORG_ID. Fix: set CURSOR_ORG_ID to the key's organization id (org_..., "
    "in the Cursor dashboard's organization settings).",
}
