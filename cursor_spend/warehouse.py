"""The warehouse, in one place: the embedded DuckDB file (default) or a PostgreSQL database
(``CURSOR_SPEND_WAREHOUSE=postgresql://user:password@host:5432/db``, or any form of :mod:`.postgres_url`).

It gives every part what it needs: the dlt destination of the raw load, the environment of the dbt target
(dbt_project/profiles.yml reads the same settings), a one-line check that the warehouse is usable and that its user
can create what a run creates, and connections for the read side (:mod:`cursor_spend.marts`), so no reader cares
which warehouse it is. Passwords never leave this module except to the database drivers and to dbt as a
``DBT_ENV_SECRET_`` variable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import WarehouseError, WarehouseLockedError
from .postgres_url import CONNECT_TIMEOUT, POSTGRES_PORT, PostgresURL, application_name

__all__ = ["POSTGRES_PORT", "PostgresURL", "Warehouse", "application_name", "is_lock_error", "locked_message"]

LOCK_MARKERS = ("Could not set lock", "Conflicting lock")
LOAD_THREADS = 2  # DuckDB threads while loading: each thread needs its own buffers


def is_lock_error(text: str) -> bool:
    """Whether DuckDB's message (or a line of dbt's output) says the file lock is held elsewhere."""
    return any(marker in text for marker in LOCK_MARKERS)


def locked_message(path: Path) -> str:
    return (
        f"the warehouse {path} is in use by another process (DuckDB allows one writer at a time, e.g. a running "
        "Airflow task, `cursor-spend` command or an open DuckDB shell): wait for it to finish and retry"
    )


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

    def destination(self, job: str | None = None):
        """The dlt destination of the raw tables (its connections named after ``job`` in pg_stat_activity)."""
        import dlt

        if self.url:
            from .postgres_dlt import libpq_credentials

            credentials = libpq_credentials(self.url, self.password, application_name(job))
            # two load jobs at a time (dlt's default is 20): each holds up to 16 MB of INSERT text three times over
            # (read, joined, encoded); two keep the server busy while the next one's text is read
            return dlt.destinations.postgres(credentials=credentials, max_parallel_load_jobs=2)
        from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

        self.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        # bounded memory on any machine: DuckDB's limit, and its threads fixed
        config = {"memory_limit": self.memory_limit, "threads": LOAD_THREADS}
        credentials = DuckDbCredentials(str(self.duckdb_path.resolve()), global_config=config)
        # one load job at a time, so each merge has the whole limit (DuckDB's threads work within a job): a big
        # team's usage events and AI commit ranges merged side by side ran out of 128MB, one after the other not
        return dlt.destinations.duckdb(credentials=credentials, max_parallel_load_jobs=1)

    # -- dbt ---------------------------------------------------------------------------------------------------

    def dbt_env(self) -> dict[str, str]:
        """Variables that make dbt_project/profiles.yml choose this warehouse (the password as a dbt secret, the
        connections named as the transform's in pg_stat_activity: libpq's PGAPPNAME)."""
        if not self.url:  # dbt runs in the file's folder (transform.run_dbt): its name is the same in every folder
            return {"CURSOR_SPEND_WAREHOUSE": "", "CURSOR_SPEND_DUCKDB": self.duckdb_path.name}
        env = {"CURSOR_SPEND_WAREHOUSE": self.url.text, "PGAPPNAME": application_name("transform")}
        if self.password:
            env["DBT_ENV_SECRET_CURSOR_SPEND_PASSWORD"] = self.password
        return env

    # -- checks ------------------------------------------------------------------------------------------------

    def check(self, creates: Sequence[str] = ()) -> None:
        """Fail early, in one line, when the warehouse cannot be used: unreachable, wrong credentials, a DuckDB
        file that is corrupt, not a database, unwritable or locked; or when its user cannot create tables in the
        schemas ``creates`` (and those schemas where missing): tried in a transaction that is rolled back."""
        if not self.url:
            try:
                self.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise WarehouseError(
                    f"cannot create the warehouse folder {self.duckdb_path.parent} ({exc.strerror}); point "
                    "CURSOR_SPEND_DUCKDB (or --duckdb) at a file in a writable folder"
                ) from None
        with self.connect() as connection:
            if creates:
                self._check_creates(connection, creates)

    def _check_creates(self, connection: Any, schemas: Sequence[str]) -> None:
        cursor = connection.cursor() if self.url else connection  # DuckDB: a cursor would be another connection
        cursor.execute("select current_user" if self.url else "begin")  # DuckDB commits each statement unless told
        user = cursor.fetchone()[0] if self.url else None
        existing = "pg_namespace where nspname" if self.url else "information_schema.schemata where schema_name"
        try:
            for schema in schemas:
                cursor.execute(f"select count(*) from {existing} = '{schema}'")
                missing = not cursor.fetchone()[0]
                if missing:
                    cursor.execute(f'create schema "{schema}"')
                cursor.execute(f'create table "{schema}"."cursor_spend_check_{os.getpid()}" (x integer)')
        except Exception as exc:  # the driver's error: what the database refused
            connection.rollback()
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            step = f"create schema {schema}" if missing else f"create tables in schema {schema}"
            if not self.url:
                fix = "point CURSOR_SPEND_DUCKDB (or --duckdb) at a file this user may write"
            elif missing:
                fix = f"GRANT CREATE ON DATABASE {self.url.dbname} TO {user} (or create schema {schema} for it)"
            else:
                fix = f"GRANT USAGE, CREATE ON SCHEMA {schema} TO {user}"
            who = f"user {user}" if user else "this process"
            raise WarehouseError(f"the {self}: {who} cannot {step} ({reason}), which a run needs; {fix}") from None
        connection.rollback()
        if self.url:
            self._check_owners(cursor, schemas, user)

    def _check_owners(self, cursor: Any, schemas: Sequence[str], user: str) -> None:
        """Tables a run replaces or alters must belong to its user (or a role it is a member of)."""
        cursor.execute(
            "select n.nspname, c.relname, pg_get_userbyid(c.relowner) from pg_class as c join pg_namespace as n "
            "on n.oid = c.relnamespace where n.nspname = any(%s) and c.relkind in ('r', 'v', 'm', 'p') "
            "and not pg_has_role(c.relowner, 'USAGE') order by 1, 2 limit 1",
            (list(schemas),),
        )
        found = cursor.fetchone()
        if found:
            schema, table, owner = found
            raise WarehouseError(
                f"the {self}: table {schema}.{table} belongs to role {owner}, and a run replaces or alters its tables "
                f"as user {user}; run cursor-spend as {owner}, or GRANT {owner} TO {user}"
            )

    # -- connections -------------------------------------------------------------------------------------------

    @contextmanager
    def connect(self, read_only: bool = False, job: str | None = None) -> Iterator[Any]:
        """A DB-API connection (read-only: a session that cannot write; on DuckDB, a file another process may
        not write meanwhile; on PostgreSQL named after ``job`` in pg_stat_activity)."""
        if self.url:
            with self._postgres(job) as connection:
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
    def _postgres(self, job: str | None = None):
        try:
            import psycopg2
        except ImportError:
            raise WarehouseError(
                "CURSOR_SPEND_WAREHOUSE names PostgreSQL, but its driver is not installed: "
                "pip install 'cursor-spend[postgres]'"
            ) from None
        try:
            connection = psycopg2.connect(
                **{"connect_timeout": CONNECT_TIMEOUT} | self.url.keywords | {"application_name": application_name(job)}
            )
        except psycopg2.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            for secret in self.secrets:
                reason = reason.replace(secret, "***")
            fix = "check CURSOR_SPEND_WAREHOUSE and that the server is up"
            if "password" in reason:  # none supplied, or refused
                fix = "check the user and its password (in the URL, PGPASSWORD or ~/.pgpass / PGPASSFILE)"
            raise WarehouseError(f"cannot connect to the {self}: {reason}; {fix}") from None
        try:
            yield connection
        finally:
            connection.close()
