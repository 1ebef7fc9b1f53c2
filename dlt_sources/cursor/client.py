"""HTTP client of the Cursor Admin API: Basic auth, timeouts, a client-side rate limiter that stays under the
documented limits, retries with exponential backoff and jitter that honour ``Retry-After``, and typed errors.

Money stays exact: JSON numbers with a fraction are parsed as :class:`decimal.Decimal`, so the cents the API
prints are the cents we store.
"""

from __future__ import annotations

import fcntl
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from . import settings
from .errors import CursorConfigurationError, CursorResponseError, CursorUnavailableError
from .refusals import api_message, status_error

log = logging.getLogger(__name__)

RETRYABLE_STATUS = {429, 500, 502, 503, 504}


class RateLimiter:
    """At most ``limit`` requests in any ``window`` seconds (a sliding log), which also keeps every fixed
    one-minute window of the server under its limit. A small margin absorbs network jitter.

    With a ``log_file`` the log is shared by every process that uses the same file (under a file lock): a run
    started right after another, or the extract right after the check, counts the requests already sent."""

    def __init__(self, limit: int, window: float, margin: float = 0.02, log_file: Path | None = None) -> None:
        self.limit = limit
        self.window = window * (1 + margin)
        self.log_file = log_file
        self._sent: list[float] = []
        self._lock = threading.Lock()

    def acquire(self, sleep: Callable[[float], None] = time.sleep) -> float:
        """Wait for a free slot; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._shared() as sent:
                now = time.time()
                sent[:] = [t for t in sent if now - t < self.window]
                if len(sent) < self.limit:
                    sent.append(now)
                    return waited
                delay = self.window - (now - sent[0])
            sleep(delay)
            waited += delay

    def push_back(self, seconds: float) -> None:
        """The server said wait (429): treat the whole window as used until then."""
        with self._shared() as sent:
            sent[:] = [time.time() + seconds - self.window] * self.limit

    @contextmanager
    def _shared(self) -> Iterator[list[float]]:
        """The send times, read from and written back to the log file when there is one."""
        with self._lock:
            if self.log_file is None:
                yield self._sent
                return
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            with open(self.log_file, "a+") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                handle.seek(0)
                try:
                    sent = [float(t) for t in json.loads(handle.read() or "[]")]
                except ValueError:  # a torn or foreign file: start a new log
                    sent = []
                yield sent
                handle.seek(0)
                handle.truncate()
                handle.write(json.dumps(sent))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def shown_url(url: str) -> str:
    """A URL fit for messages: without user and password."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


class CursorClient:
    """One team's connection to the Admin API."""

    def __init__(
        self,
        api_key: str,
        team: str,
        base_url: str = settings.DEFAULT_BASE_URL,
        *,
        timeout: float = settings.TIMEOUT_SECONDS,
        rate_limit_window: float = settings.RATE_LIMIT_WINDOW_SECONDS,
        request_log_dir: Path | None = None,
        max_attempts: int = settings.MAX_ATTEMPTS,
        max_rate_limited: int = settings.MAX_RATE_LIMITED_WAITS,
        backoff_base: float = settings.BACKOFF_BASE_SECONDS,
        transport: httpx.BaseTransport | None = None,
        kind: str = "team",
    ) -> None:
        self.kind = kind  # "team" (an Admin API key) or "organization" (an Organization API key)
        self.who = f"team {team!r}" if kind == "team" else f"CURSOR_ORG_API_KEY (organization {team})"
        if not api_key:
            raise CursorConfigurationError(
                f"{self.who}: no Cursor Admin API key; set CURSOR_API_KEY (or CURSOR_API_KEYS for several teams)"
            )
        self.team = team
        self.base_url = base_url.rstrip("/")
        self.shown_url = shown_url(self.base_url)
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CursorConfigurationError(
                f"{self.who}: the API URL {self.shown_url!r} is not an http(s) URL; set CURSOR_API_BASE_URL to "
                f"{settings.DEFAULT_BASE_URL}"
            )
        self.window = rate_limit_window
        self.max_attempts = max_attempts
        self.max_rate_limited = max_rate_limited
        self.backoff_base = backoff_base
        label = re.sub(r"[^A-Za-z0-9_.-]", "_", team)  # the file is named by the team's label, never its key

        def log_file(group: str) -> Path | None:
            return request_log_dir / f"{label}-{group}.json" if request_log_dir else None

        self.limiters = {
            group: RateLimiter(limit, rate_limit_window, log_file=log_file(group))
            for group, limit in settings.RATE_LIMITS.items()
        }
        self.requests_sent = 0
        self.responses_429 = 0
        self._counts_lock = threading.Lock()  # one client serves the resources that dlt runs side by side
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=httpx.BasicAuth(api_key, ""),
            timeout=timeout,
            headers={"Accept": "application/json", "User-Agent": "cursor-spend"},
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CursorClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, path: str, params: dict | None = None) -> dict:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: dict) -> dict:
        return self.request("POST", path, json_body=body)

    def request(self, method: str, path: str, *, params: dict | None = None, json_body: dict | None = None) -> dict:
        """Send one API request, retrying what can be retried; returns the decoded JSON object.

        A 429 waits for the API's window to reset (its Retry-After, else a whole window) up to
        ``max_rate_limited`` times; other transient failures back off 1, 2, 4, 8, 16 s."""
        limiter = self.limiters[settings.route_group(path)]
        failures = limited = 0
        while True:
            limiter.acquire()
            with self._counts_lock:
                self.requests_sent += 1
            try:
                response = self._http.request(method, path, params=params, json=json_body)
            except httpx.TimeoutException as exc:
                problem, retry_in = f"timed out after {self._http.timeout.read}s ({type(exc).__name__})", None
            except httpx.TransportError as exc:
                problem, retry_in = f"cannot connect ({type(exc).__name__}: {exc})", None
            else:
                if response.status_code < 400:
                    return self._decode(response, method, path)
                if response.status_code not in RETRYABLE_STATUS:
                    raise status_error(response, path, self.who, self.shown_url, self.kind)
                retry_in = _retry_after(response)
                if response.status_code == 429:
                    limited += 1
                    self._wait_for_the_window(limiter, method, path, limited, retry_in)
                    continue
                problem = f"HTTP {response.status_code} {api_message(response)}".rstrip(".")
            failures += 1
            if failures == self.max_attempts:
                raise CursorUnavailableError(
                    f"{self.who}: {method} {self.shown_url}{path} failed {failures} times, last: {problem}. "
                    "Check CURSOR_API_BASE_URL and the network, or retry later if Cursor is degraded."
                )
            delay = retry_in if retry_in is not None else self._backoff(failures)
            log.warning("%s %s: %s; retry %d in %.1fs", method, path, problem, failures, delay)
            time.sleep(delay)

    def _wait_for_the_window(
        self, limiter: RateLimiter, method: str, path: str, limited: int, retry_in: float | None
    ) -> None:
        with self._counts_lock:
            self.responses_429 += 1
        if limited > self.max_rate_limited:
            raise CursorUnavailableError(
                f"{self.who}: rate limited by the Cursor API ({limiter.limit} requests per minute per team "
                f"on {settings.route_group(path)} routes): {method} {path[:60]} still answered 429 after waiting "
                f"{limited - 1} times for the limit to reset. Another tool is probably using this team's requests: "
                "retry later (Airflow retries the task)."
            )
        wait = retry_in if retry_in is not None else self.window
        log.warning("%s %s: rate limited by the Cursor API (429); waiting %.0fs for its window", method, path, wait)
        limiter.push_back(wait)

    def _backoff(self, attempt: int) -> float:
        """1, 2, 4, 8, 16 s (times backoff_base) with up to 25% jitter."""
        delay = min(settings.BACKOFF_MAX_SECONDS, self.backoff_base * 2 ** (attempt - 1))
        return delay * (1 + random.random() * 0.25)

    def _decode(self, response: httpx.Response, method: str, path: str) -> dict:
        try:
            body = json.loads(response.content, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError) as exc:
            snippet = response.text[:60].replace("\n", " ")
            raise CursorResponseError(
                f"{self.who}: {method} {path} answered {response.status_code} with a body that is not JSON "
                f"({exc.__class__.__name__}; starts with {snippet!r}). Nothing was loaded; retry later, and if it "
                "persists the API or a proxy in between is returning errors."
            ) from None
        if not isinstance(body, dict):
            raise CursorResponseError(
                f"{self.who}: {method} {path} answered a JSON {type(body).__name__}, not the documented "
                "object. Nothing was loaded; the API's response shape may have changed."
            )
        return body
