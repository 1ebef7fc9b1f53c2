"""JSON responses and the documented error bodies (reference §1.7), and ETags (reference §1.5): the Analytics and AI
Code Tracking routes send ``ETag`` and ``Cache-Control: public, max-age=900``, and answer ``If-None-Match`` with
that ETag by a 304 without a body."""

from __future__ import annotations

import hashlib

import orjson
from starlette.responses import Response

CACHE_CONTROL = "public, max-age=900"
RATE_LIMITED = "Rate limit exceeded. Please try again later."


def json_response(status: int, body: dict, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def error(status: int, reason: str, message: str, headers: dict | None = None) -> Response:
    return json_response(status, {"error": reason, "message": message}, headers)


def code_error(status: int, message: str) -> Response:
    """The ``{"code": "error", "message": ...}`` body of the Organization API's (and model-access routes') errors."""
    return json_response(status, {"code": "error", "message": message})


def etag_of(payload: bytes) -> str:
    return '"' + hashlib.blake2b(payload, digest_size=16).hexdigest() + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (or ``*``); weak tags (``W/"..."``) match too."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in tags or "*" in tags
