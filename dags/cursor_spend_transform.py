"""
### cursor_spend_transform

Runs when `cursor_spend_extract` updates the raw asset: one `dbt build` (seeds, staging, intermediate and marts
models with their data tests; the unit tests, which check the SQL and not the data, run in CI) over the warehouse
(DuckDB or PostgreSQL), then writes Parquet copies of the marts to `<warehouse dir>/exports/`, which BI tools can
read without a database connection. After it, `focus_export`
writes the FOCUS 1.2 file of the newest billing period (the current month) to `<warehouse dir>/exports/focus/`,
as `cursor-spend export focus` does, for FinOps tools, and `send_alerts` delivers the new budget, forecast and
anomaly alerts of `rpt_cursor_alerts` through Airflow's notifiers (connections `cursor_spend_webhook`,
`cursor_spend_slack`, `cursor_spend_smtp`), each alert once per channel (a ledger in the warehouse); a failed
delivery fails the task, which retries, and is sent again by the next run.

It is one task, not one task per model: on DuckDB its single writer would serialise the models anyway, one dbt
process parses the project once, the build is atomic from the scheduler's point of view, and dbt's own log
(in the task log) shows every model and test.

On DuckDB both tasks use the pool `cursor_spend_duckdb` (one slot); `max_active_runs=1` always. A failing model
or test fails the task without retries; fix it and clear the task. To rebuild by hand, trigger this DAG: it needs
no key.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task

from cursor_spend.airflow import dag_settings, tasks
from cursor_spend.config import load_schedule
from cursor_spend.marts import MARTS_SCHEMA, RAW_SCHEMA

RAW = Asset(dag_settings.asset_uri(RAW_SCHEMA))
MARTS = Asset(dag_settings.asset_uri(MARTS_SCHEMA))
POOL = dag_settings.warehouse_pool()


@dag(
    dag_id="cursor_spend_transform",
    schedule=[RAW],
    start_date=load_schedule().start,
    catchup=False,
    max_active_runs=1,
    tags=dag_settings.TAGS,
    default_args={"owner": dag_settings.OWNER, "retries": 0},
    doc_md=__doc__,
)
def cursor_spend_transform() -> None:
    @task(pool=POOL, outlets=[MARTS])
    def dbt_build() -> list[str]:
        return tasks.dbt_build()

    @task(pool=POOL)
    def focus_export() -> str:
        return tasks.focus_export()

    @task(pool=POOL, retries=dag_settings.ALERT_RETRIES, retry_delay=dag_settings.ALERT_RETRY_DELAY)
    def send_alerts() -> dict[str, int]:
        return tasks.send_alerts()

    built = dbt_build()
    built >> focus_export()
    built >> send_alerts()


cursor_spend_transform()
