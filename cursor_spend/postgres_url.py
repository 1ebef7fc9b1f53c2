"""A PostgreSQL warehouse's URL as libpq reads it, for every part: the loader (dlt), the readers (psycopg2), the
Airflow assets; dbt_project/profiles.yml takes the same parts from the same text (tests/dbt/test_profile.py renders
it for every form below and compares both with libpq's own parse).

The forms a PostgreSQL user types, all accepted:

- ``postgresql://user:password@host:5432/db`` (``postgres://`` too; port 5432 when none; the parts percent-encoded);
- no password: libpq then finds it (``PGPASSWORD``, ``~/.pgpass`` or ``PGPASSFILE``) or needs none (trust, peer);
- a Unix socket: ``postgresql:///db?host=/var/run/postgresql``, ``postgresql://user@%2Fvar%2Frun%2Fpostgresql/db``,
  or no host at all (libpq's ``PGHOST``, else its default socket folder);
- libpq parameters in the query string (``?sslmode=require&application_name=...``).

A password holding a character a URL must encode (``@ / %``) cannot be told from the rest of the URL: such a URL (one
with a second ``@``, or an ``@`` after a ``/``) is refused in one line that shows nothing before its last ``@``, so no
piece of the password reaches a message (``%40`` says ``@`` in any part). ``: ? #`` need no encoding in a password.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from .errors import ConfigError

POSTGRES_SCHEMES = ("postgresql", "postgres")
POSTGRES_PORT = 5432  # where the URL names no port
CONNECT_TIMEOUT = 10  # seconds, where the URL's query sets none
BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
EXAMPLE = "postgresql://user:password@host:5432/database"


def application_name(job: str | None = None) -> str:
    """How this process's connections show in pg_stat_activity (PostgreSQL keeps 63 bytes of it)."""
    return f"cursor-spend {job} (pid {os.getpid()})" if job else f"cursor-spend (pid {os.getpid()})"


def _safe(prefix: str, rest: str) -> str:
    """The URL for a message about a URL that could not be taken apart: nothing before its last ``@`` (a password
    ends before it, whatever it holds) and no query string."""
    if "@" in rest:
        return f"{prefix}…@{rest.rpartition('@')[2].partition('?')[0]}"
    return f"{prefix}{rest.partition('?')[0]}"


def _host_port(netloc: str) -> tuple[str | None, str]:
    """``host:port`` (``[v6]:port``) as written: the host percent-decoded (a socket folder may be ``%2F...``)."""
    if netloc.startswith("["):
        host, _, port = netloc[1:].partition("]")
        port = port.removeprefix(":")
    else:
        host, _, port = netloc.partition(":")
    return unquote(host) or None, port


@dataclass(frozen=True)
class PostgresURL:
    """``CURSOR_SPEND_WAREHOUSE`` taken apart once, when the settings are read, as libpq takes it apart (the user and
    password end at the first ``@``, the query string's ``host`` and ``port`` win). Neither the text nor the
    password is in its repr."""

    text: str = field(repr=False)
    redacted: str  # without the password, for messages
    user: str | None
    password: str | None = field(repr=False)
    host: str | None  # a name, an address or a socket folder (/...); None: libpq's PGHOST or default socket
    port: int | None
    dbname: str
    options: dict[str, str]  # the query string: libpq parameters such as sslmode

    @classmethod
    def parse(cls, text: str) -> PostgresURL:
        """The parts of a PostgreSQL URL with a database; a ConfigError that shows no password otherwise."""
        text = text.strip()
        scheme, separator, rest = text.partition("://")
        if not separator:  # no scheme: all of it may hold a password
            scheme, rest = "", text
        prefix = scheme + separator
        cut = min((i for i in (rest.find("@"), rest.find("/")) if i != -1), default=-1)
        userinfo, at, hostpart = rest.partition("@") if cut != -1 and rest[cut] == "@" else ("", "", rest)
        end = min((i for i in (hostpart.find("/"), hostpart.find("?")) if i != -1), default=len(hostpart))
        netloc, path_query = hostpart[:end], hostpart[end:]
        path, _, query = path_query.partition("?")
        if rest.count("@") > (1 if at else 0) or BAD_PERCENT.search(userinfo):
            raise ConfigError(
                f"CURSOR_SPEND_WAREHOUSE={_safe(prefix, rest)!r}: its user or password holds a character a URL must "
                "percent-encode (@ as %40, / as %2F, % as %25), or leave the password out of the URL and put it in "
                "PGPASSWORD or ~/.pgpass"
            )
        host, port = _host_port(netloc)
        options = dict(parse_qsl(query, keep_blank_values=True))
        port = options.get("port", port)
        user, _, password = userinfo.partition(":")
        user, dbname = unquote(user) or None, unquote(path[1:])
        redacted = f"{prefix}{user + '@' if user else ''}{netloc}{path}"
        if scheme not in POSTGRES_SCHEMES or not separator or not dbname or not (port or "0").isdigit():
            raise ConfigError(
                f"CURSOR_SPEND_WAREHOUSE={redacted!r} is not a PostgreSQL URL like {EXAMPLE} "
                "(unset it to use the DuckDB file)"
            )
        host, user = options.get("host", host) or None, options.get("user", user) or None  # libpq: the query wins
        password = options.get("password", unquote(password) if at else None) or None
        if "host" in options:
            redacted += f"?host={host or ''}"
        return cls(text, redacted, user, password, host, int(port) if port else None, dbname, options)

    @property
    def keywords(self) -> dict[str, Any]:
        """libpq's connection keywords: the URL's options, then its parts (where it has none: libpq's defaults,
        PGPASSWORD and ~/.pgpass)."""
        parts = {"host": self.host, "port": self.port, "user": self.user, "password": self.password}
        return self.options | {"dbname": self.dbname} | {k: v for k, v in parts.items() if v is not None}
