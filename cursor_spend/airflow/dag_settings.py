"""What the DAG files declare, read when Airflow parses them: pools, assets, retries, owner and tags.

Values come from the parsed settings (:mod:`cursor_spend.config`: the warehouse URL and the schedule), never from
the raw environment; nothing here imports dlt, dbt or DuckDB.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import quote

from cursor_spend.config import warehouse_url
from cursor_spend.warehouse import POSTGRES_PORT

POOL = "cursor_spend_duckdb"  # one slot: DuckDB allows a single writer process per file
DEFAULT_POOL = "default_pool"
TAGS = ["cursor-spend", "cursor", "finops"]
OWNER = "data-platform"

API_TASK_ARGS = {  # tasks that call the Cursor API: exponential backoff, 1, 2, 4 minutes
    "retries": 3,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=30),
}
ALERT_RETRIES = 2  # a channel that failed is tried again (only with what it has not taken), then by the next run
ALERT_RETRY_DELAY = timedelta(minutes=5)


def warehouse_pool(env: Mapping[str, str] | None = None) -> str:
    """The pool of tasks that write the warehouse: the one-slot DuckDB pool, or Airflow's default pool on
    PostgreSQL (a server takes concurrent writers)."""
    return DEFAULT_POOL if warehouse_url(env) else POOL


def asset_uri(schema: str, env: Mapping[str, str] | None = None) -> str:
    """The URI of an asset (the raw or marts schema) of the warehouse, never with credentials. PostgreSQL's ends
    in ``/*`` (every table): Airflow's postgres provider, when installed, insists on database/schema/table."""
    url = warehouse_url(env)
    if not url:
        return f"duckdb://cursor_spend/{schema}"
    host = quote(url.host or "localhost", safe="")  # a socket folder percent-encoded; none: libpq's local socket
    return f"postgres://{host}:{url.port or POSTGRES_PORT}/{quote(url.dbname)}/{schema}/*"
