"""dlt's PostgreSQL credentials that connect with libpq's keywords, as the readers do (imported only by the commands
that load). dlt's own would render their fields as a URL, which cannot say a Unix-socket folder exactly, and would
require a password (a server with trust authentication, or a password in ~/.pgpass, failed the load: dlt then
looked for one in its providers and printed 30 lines about them); these come resolved, libpq finds the password.
"""

from __future__ import annotations

import os
from typing import Any

from dlt.common.configuration import configspec
from dlt.destinations.impl.postgres.configuration import PostgresCredentials

from .postgres_url import CONNECT_TIMEOUT, POSTGRES_PORT, PostgresURL


@configspec(init=False)
class LibpqCredentials(PostgresCredentials):
    keywords: dict[str, Any] | None = None  # libpq's keywords, without the password

    def to_native_representation(self) -> str:
        from psycopg2.extensions import make_dsn  # the [postgres] extra: only a PostgreSQL warehouse gets here

        return make_dsn(**self.keywords, **({"password": self.password} if self.password else {}))


def libpq_credentials(url: PostgresURL, password: str | None, application_name: str) -> LibpqCredentials:
    """Credentials for ``url`` with ``password`` (None: libpq's), showing ``application_name`` in pg_stat_activity."""
    credentials = LibpqCredentials()  # an object: its repr never shows the password
    keywords = {"connect_timeout": CONNECT_TIMEOUT} | url.keywords | {"application_name": application_name}
    keywords.pop("password", None)
    credentials.keywords, credentials.password = keywords, password
    # dlt names the warehouse by host, port and database; with no host, libpq's PGHOST or its local socket
    credentials.host = url.host or os.environ.get("PGHOST") or "localhost"
    credentials.port = url.port or POSTGRES_PORT
    credentials.database, credentials.username = url.dbname, url.user
    # dlt passes the query's options (libpq's -c settings) beside its own search_path
    credentials.query = {"options": keywords["options"]} if "options" in keywords else {}
    return credentials.resolve()  # as given: no password (libpq finds it or needs none) is not a missing field
