"""A throwaway PostgreSQL server for the tests: Debian's ``postgresql`` package, a cluster ``initdb``'d into a
temporary folder, listening on a free loopback port and on a Unix socket in that folder, and a session time zone
that is not UTC. Two kinds of authentication, as users have them: ``scram-sha-256`` (a password, so credentials
are really used; the folder also holds a ``.pgpass`` file with it, for ``PGPASSFILE``) and ``trust`` (no password
at all). When the tests run as root the cluster runs as the unprivileged user ``nobody`` (PostgreSQL refuses root).
Nothing relies on a server that happens to be running; the cluster is stopped and deleted at the end.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

from cursor_simulator import free_port

USER = "cursor_spend"


def pg_bin(name: str) -> str | None:
    """A PostgreSQL server program (initdb, pg_ctl): on PATH or in Debian's versioned folder."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


SCRAM, TRUST = "scram-sha-256", "trust"


class PostgresServer:
    """One cluster; :meth:`database` hands each test a fresh database and its URL."""

    def __init__(self, auth: str = SCRAM) -> None:
        self.initdb, self.pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            raise RuntimeError("PostgreSQL server programs not found: install Debian's postgresql (make test does)")
        self.root = Path(tempfile.mkdtemp(prefix="cursor-spend-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.auth = auth
        # characters a URL must escape; no password with trust
        self.password = secrets.token_urlsafe(16) + "@:/" if auth == SCRAM else None
        self.socket_dir = self.root  # the Unix socket .s.PGSQL.<port> is in the cluster's folder
        self.pgpass = self.root / "pgpass"  # a libpq password file for this server (scram), for PGPASSFILE
        self._user = pwd.getpwnam("nobody") if os.geteuid() == 0 else None
        self._databases = 0

    def _run(self, *command: str, **kwargs) -> subprocess.CompletedProcess:
        owner = {"user": self._user.pw_uid, "group": self._user.pw_gid} if self._user else {}
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120, **owner, **kwargs)

    def start(self) -> PostgresServer:
        if self._user:
            os.chown(self.root, self._user.pw_uid, self._user.pw_gid)
        pwfile = self.root / "pw"
        if self.password:
            pwfile.write_text(self.password + "\n")
            if self._user:
                os.chown(pwfile, self._user.pw_uid, self._user.pw_gid)
            # any host (the loopback address or the socket folder), this port, any database
            escaped = self.password.replace("\\", "\\\\").replace(":", "\\:")
            self.pgpass.write_text(f"*:{self.port}:*:{USER}:{escaped}\n")
            self.pgpass.chmod(0o600)  # libpq ignores a password file others can read
        password = ["--pwfile", str(pwfile)] if self.password else []
        self._run(self.initdb, "-D", str(self.data), "-U", USER, *password, "-A", self.auth,
                  "-E", "UTF8", "--locale", "C.UTF-8" if Path("/usr/lib/locale/C.utf8").exists() else "C")  # fmt: skip
        pwfile.unlink(missing_ok=True)
        return self.resume()

    def resume(self) -> PostgresServer:
        """Start the server (again, after :meth:`halt`)."""
        options = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root}"
        options += " -c fsync=off"  # a throwaway cluster: it need not survive a power cut
        options += " -c timezone=America/New_York"  # not UTC: every UTC day must come out right in any session zone
        self._run(self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")
        return self

    def halt(self) -> None:
        """Stop the server at once, as a crash or an operator would, keeping its data."""
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():  # not when a test halted it already
                self.halt()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres", password: bool = True) -> str:
        """The URL of a database over TCP; with ``password=False`` (or trust) without a password."""
        secret = f":{quote(self.password, safe='')}" if password and self.password else ""
        return f"postgresql://{USER}{secret}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        """Run statements as the cluster's superuser (autocommit)."""
        import psycopg2

        con = psycopg2.connect(self.url(database))
        try:
            con.autocommit = True
            with con.cursor() as cursor:
                cursor.execute(sql)
        finally:
            con.close()

    def database(self) -> str:
        """A new, empty database; returns its URL (the password percent-encoded)."""
        self._databases += 1
        name = f"warehouse_{self._databases}"
        self.execute(f"create database {name}")
        return self.url(name)


def copy_schema(duckdb_path: Path, url: str, schema: str = "cursor_raw") -> None:
    """Copy every table of a DuckDB schema into the PostgreSQL database at ``url``, same names and types, via CSV
    (so a raw warehouse built for DuckDB by tests/dbt/raw_fixture.py can be transformed on PostgreSQL too)."""
    import duckdb
    import psycopg2

    types = {"VARCHAR": "varchar", "BIGINT": "bigint", "INTEGER": "integer", "BOOLEAN": "boolean", "DATE": "date",
             "TIMESTAMP WITH TIME ZONE": "timestamptz", "TIMESTAMP": "timestamp", "JSON": "json"}  # fmt: skip
    with duckdb.connect(str(duckdb_path), read_only=True) as source, psycopg2.connect(url) as target:
        source.execute("set TimeZone = 'UTC'")
        cursor = target.cursor()
        cursor.execute(f"create schema if not exists {schema}")
        tables = source.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
        ).fetchall()
        for (table,) in tables:
            columns = source.execute(
                "select column_name, data_type from information_schema.columns where table_schema = ? "
                "and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            ddl = ", ".join(f'"{name}" {types.get(kind, kind.lower())}' for name, kind in columns)
            cursor.execute(f'drop table if exists {schema}."{table}"; create table {schema}."{table}" ({ddl})')
            csv = Path(tempfile.mkdtemp()) / f"{table}.csv"
            source.execute(f"copy (select * from {schema}.\"{table}\") to '{csv}' (header, force_quote *)")
            with csv.open() as data:
                cursor.copy_expert(f'copy {schema}."{table}" from stdin with (format csv, header true)', data)
            shutil.rmtree(csv.parent)
