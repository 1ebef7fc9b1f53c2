"""The warehouse, in one place: the embedded DuckDB file (default) or a PostgreSQL database
(``CURSOR_SPEND_WAREHOUSE=postgresql://user:password@host:5432/db``).

It gives every part what it needs: the dlt destination of the raw load, the environment of the dbt target
(dbt_project/profiles.yml reads the same settings), a one-line check that the warehouse is usable, and connections
for the read side (:mod:`cursor_spend.marts`), so no reader cares which warehouse it is. Passwords never leave this
module except to the database drivers and to dbt as a ``DBT_ENV_SECRET_`` variable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

from .errors import ConfigError, WarehouseError, WarehouseLockedError

LOCK_MARKERS = ("Could not set lock", "Conflicting lock")
POSTGRES_SCHEMES = ("postgresql", "postgres")
POSTGRES_PORT = 5432  # where the URL names no port
LOAD_THREADS = 2  # DuckDB threads while loading: each thread needs its own buffers


def is_lock_error(text: str) -> bool:
    """Whether DuckDB's message (or a line of dbt's output) says the file lock is held elsewhere."""
    return any(marker in text for marker in LOCK_MARKERS)


def locked_message(path: Path) -> str:
    return (
        f"the warehouse {path} is in use by another process (DuckDB allows one writer at a time, e.g. a running "
        "Airflow task, `cursor-spend` command or an open DuckDB shell): wait for it to finish and retry"
    )


def _redacted(parts: SplitResult) -> str:
    """A URL without its password, for messages."""
    user = f"{unquote(parts.username)}@" if parts.username else ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # not a number: show nothing rather than fail while reporting another error
        port = ""
    return f"{parts.scheme}://{user}{parts.hostname or ''}{port}{parts.path}"


@dataclass(frozen=True)
class PostgresURL:
    """``CURSOR_SPEND_WAREHOUSE`` (``postgresql://user:password@host:port/dbname?option=value``) taken apart once,
    when the settings are read: its parts percent-decoded, as libpq decodes them, for the loader (dlt), the readers
    (psycopg2) and the Airflow assets; dbt_project/profiles.yml takes the same parts from the same text (a test
    renders it). Neither the text nor the password is in its repr."""

    text: str = field(repr=False)
    redacted: str  # without the password, for messages
    user: str | None
    password: str | None = field(repr=False)
    host: str
    port: int | None
    dbname: str
    options: dict[str, str]  # the query string: libpq parameters such as sslmode

    @classmethod
    def parse(cls, text: str) -> PostgresURL:
        """The parts of a PostgreSQL URL with a host and a database; a ConfigError without its password otherwise."""
        parts = urlsplit(text.strip())
        try:
            port = parts.port
        except ValueError:
            port = -1
        if parts.scheme not in POSTGRES_SCHEMES or not parts.hostname or not parts.path.strip("/") or port == -1:
            raise ConfigError(
                f"CURSOR_SPEND_WAREHOUSE={_redacted(parts)!r} is not a PostgreSQL URL like "
                "postgresql://user:password@host:5432/database (unset it to use the DuckDB file)"
            )
        return cls(
            text=text.strip(),
            redacted=_redacted(parts),
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            host=parts.hostname,
            port=port,
            dbname=unquote(parts.path[1:]),
            options=dict(parse_qsl(parts.query)),
        )

    @property
    def keywords(self) -> dict[str, Any]:
        """libpq's connection keywords: the URL's options, then its parts (where it has none: libpq's defaults and
        PGPASSWORD)."""
        parts = {"host": self.host, "port": self.port, "user": self.user, "password": self.password}
        return self.options | {"dbname": self.dbname} | {k: v for k, v in parts.items() if v is not None}


@dataclass(frozen=True)
class Warehouse:
    duckdb_path: Path
    memory_limit: str  # DuckDB's memory limit while loading
    url: PostgresURL | None = None  # a PostgreSQL database; None = the DuckDB file

    def __repr__(self) -> str:
        return f"Warehouse({self})"

    def __str__(self) -> str:
        """What it is, for messages: never the password."""
        return f"PostgreSQL {self.url.redacted}" if self.url else f"DuckDB file {self.duckdb_path.resolve()}"

    @property
    def kind(self) -> str:
        return "postgres" if self.url else "duckdb"

    @property
    def password(self) -> str | None:
        """The URL's password, else libpq's PGPASSWORD (so the loader, dbt and the readers all use the same)."""
        if not self.url:
            return None
        return self.url.password or os.environ.get("PGPASSWORD") or None

    @property
    def secrets(self) -> list[str]:
        return [self.password] if self.password else []

    # -- the raw load ------------------------------------------------------------------------------------------

    def destination(self):
        """The dlt destination of the raw tables."""
        import dlt

        if self.url:
            from dlt.destinations.impl.postgres.configuration import PostgresCredentials

            url, options = self.url, dict(self.url.options)
            credentials = PostgresCredentials()  # an object: its repr never shows the password
            credentials.host, credentials.port, credentials.database = url.host, url.port or POSTGRES_PORT, url.dbname
            credentials.username, credentials.password = url.user, self.password  # no password: dlt's providers
            # the options dlt keeps in fields of its own, then the others as they are
            credentials.connect_timeout = int(options.pop("connect_timeout", credentials.connect_timeout))
            credentials.client_encoding = options.pop("client_encoding", None)
            credentials.query = options
            return dlt.destinations.postgres(credentials=credentials)
        from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

        self.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        # bounded memory on any machine: DuckDB's limit, and its threads fixed
        config = {"memory_limit": self.memory_limit, "threads": LOAD_THREADS}
        credentials = DuckDbCredentials(str(self.duckdb_path.resolve()), global_config=config)
        return dlt.destinations.duckdb(credentials=credentials)

    # -- dbt ---------------------------------------------------------------------------------------------------

    def dbt_env(self) -> dict[str, str]:
        """Variables that make dbt_project/profiles.yml choose this warehouse (the password as a dbt secret)."""
        if not self.url:  # dbt runs in the file's folder (transform.run_dbt): its name is the same in every folder
            return {"CURSOR_SPEND_WAREHOUSE": "", "CURSOR_SPEND_DUCKDB": self.duckdb_path.name}
        env = {"CURSOR_SPEND_WAREHOUSE": self.url.text}
        if self.password:
            env["DBT_ENV_SECRET_CURSOR_SPEND_PASSWORD"] = self.password
        return env

    # -- checks ------------------------------------------------------------------------------------------------

    def check(self, *, writable: bool = True) -> None:
        """Fail early, in one line, when the warehouse cannot be used: unreachable, wrong credentials, a DuckDB
        file that is corrupt, not a database, unwritable or locked."""
        if self.url:
            with self._postgres():
                return
        path = self.duckdb_path
        if not writable:
            with self._duckdb(read_only=True):
                return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(
                f"cannot create the warehouse folder {path.parent} ({exc.strerror}); point CURSOR_SPEND_DUCKDB "
                "(or --duckdb) at a file in a writable folder"
            ) from None
        with self._duckdb(read_only=False):
            return

    # -- connections -------------------------------------------------------------------------------------------

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[Any]:
        """A DB-API connection (read-only: a session that cannot write; on DuckDB, a file another process may
        not write meanwhile)."""
        if self.url:
            with self._postgres() as connection:
                if read_only:
                    connection.set_session(readonly=True, autocommit=True)
                yield connection
        else:
            with self._duckdb(read_only=read_only) as connection:
                yield connection

    @contextmanager
    def _duckdb(self, read_only: bool):
        import duckdb

        path = self.duckdb_path
        if read_only and not path.exists():
            raise WarehouseError(f"no warehouse at {path}; run `cursor-spend run` (or `make demo`) first")
        try:
            connection = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            raise self._duckdb_error(exc) from None
        try:
            yield connection
        finally:
            connection.close()

    def _duckdb_error(self, exc: Exception) -> WarehouseError:
        text, path = str(exc), self.duckdb_path
        if is_lock_error(text):
            return WarehouseLockedError(locked_message(path))
        fix = "point CURSOR_SPEND_DUCKDB (or --duckdb) at a warehouse file, or move this one away"
        if path.is_dir():
            cause = "it is a folder, not a DuckDB file"
        elif path.is_file() and path.stat().st_size == 0:
            cause = "the file is empty (0 bytes; e.g. left by an interrupted copy)"
            fix = "delete it and a new warehouse is created on the next run"
        elif "Permission denied" in text or "Read-only file system" in text:
            cause = "it (or its folder) is not writable by this user"
            fix = "fix the permissions or point CURSOR_SPEND_DUCKDB at a writable path"
        elif "not a valid DuckDB database" in text:
            cause = "it is not a DuckDB database (corrupt, truncated or another kind of file)"
        else:
            cause = text.splitlines()[0][:160]
        return WarehouseError(f"cannot open the warehouse {path}: {cause}; {fix}")

    @contextmanager
    def _postgres(self):
        try:
            import psycopg2
        except ImportError:
            raise WarehouseError(
                "CURSOR_SPEND_WAREHOUSE names PostgreSQL, but its driver is not installed: "
                "pip install 'cursor-spend[postgres]'"
            ) from None
        try:
            connection = psycopg2.connect(
                **self.url.keywords | {"connect_timeout": 10, "application_name": "cursor-spend"}
            )
        except psycopg2.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            for secret in self.secrets:
                reason = reason.replace(secret, "***")
            raise WarehouseError(
                f"cannot connect to the {self}: {reason}; check CURSOR_SPEND_WAREHOUSE and that the server is up"
            ) from None
        try:
            yield connection
        finally:
            connection.close()
