"""
### cursor_spend_extract

Loads Cursor Admin API data (team members, spend, daily usage, usage events) for every configured team into
the warehouse's raw schema, one run per data interval, and emits the raw asset (`duckdb://cursor_spend/cursor_raw`,
or `postgres://host:port/db/cursor_raw/*`), which triggers `cursor_spend_transform` (dbt build + Parquet export).

1. `check_api_key` validates every key first (members endpoint). A bad or non-admin key, or a plan without the
   Admin API, fails at once with the API's one-line message and no retries.
2. `extract` reads the interval's days plus `CURSOR_LOOKBACK_DAYS` (default 2) before it, because Cursor still
   revises recent costs: interval [2026-11-19, 2026-11-20) reads 2026-11-17 .. 2026-11-19. API errors are
   retried 3 times with exponential backoff. The loader merges on keys, so re-runs are idempotent.

**Key**: Airflow connection `cursor_default` (password = key; optional host = API base URL; optional extra
`{"team": "label"}` or `{"teams": {"label": "key"}}`) or the environment (`CURSOR_API_KEY`, `CURSOR_API_KEYS`).

**Warehouse**: `CURSOR_SPEND_WAREHOUSE` (PostgreSQL) or the DuckDB file `CURSOR_SPEND_DUCKDB`. DuckDB allows one
writer, so on DuckDB the warehouse tasks share the pool `cursor_spend_duckdb` (create it once:
`airflow pools set cursor_spend_duckdb 1 "DuckDB single writer"`); on PostgreSQL they take the default pool.

**Schedule**: `CURSOR_SPEND_SCHEDULE` (default `@daily`) from `CURSOR_SPEND_START_DATE` (default 2026-01-01) to
`CURSOR_SPEND_END_DATE` (default none); catchup is off unless `CURSOR_SPEND_CATCHUP=true`.

**Backfill**: `airflow backfill create --dag-id cursor_spend_extract --from-date 2026-10-01 --to-date 2026-10-31`
(runs one interval at a time; the transform DAG runs after each asset event). To redo a day, clear its run.
"""

from __future__ import annotations

from airflow.sdk import Asset, CronDataIntervalTimetable, dag, task

from cursor_spend.airflow import dag_settings, tasks
from cursor_spend.config import load_schedule
from cursor_spend.marts import RAW_SCHEMA

RAW = Asset(dag_settings.asset_uri(RAW_SCHEMA))
SCHEDULE = load_schedule()


@dag(
    dag_id="cursor_spend_extract",
    schedule=CronDataIntervalTimetable(SCHEDULE.cron, timezone="UTC"),
    start_date=SCHEDULE.start,
    end_date=SCHEDULE.end,
    catchup=SCHEDULE.catchup,
    max_active_runs=1,
    tags=dag_settings.TAGS,
    default_args={"owner": dag_settings.OWNER, **dag_settings.API_TASK_ARGS},
    doc_md=__doc__,
)
def cursor_spend_extract() -> None:
    @task
    def check_api_key() -> dict[str, int]:
        return tasks.check_api_key()

    @task(pool=dag_settings.warehouse_pool(), outlets=[RAW])
    def extract(data_interval_start=None, data_interval_end=None) -> dict[str, int]:
        return tasks.extract(data_interval_start, data_interval_end)

    check_api_key() >> extract()


cursor_spend_extract()
