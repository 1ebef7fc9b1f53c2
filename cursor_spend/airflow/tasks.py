"""The task bodies of the DAGs, one per task id: each reads its settings (:mod:`.connections`), calls the same
pipeline code as the ``cursor-spend`` CLI, and logs what it did. The pipeline is imported inside each body, so
parsing a DAG file stays cheap."""

from __future__ import annotations

import logging
from datetime import datetime

from .connections import SLACK_CONN, SMTP_CONN, WEBHOOK_CONN, airflow_settings
from .failures import airflow_errors, run

log = logging.getLogger(__name__)


def check_api_key() -> dict[str, int]:
    """Validate every configured key against the API; returns team label -> member count."""
    settings = airflow_settings()
    from cursor_spend.load import check

    members = run(lambda: check(settings))
    for label, count in members.items():
        log.info("Cursor team %s: key valid, %d members", label, count)
    return members


def extract(data_interval_start: datetime, data_interval_end: datetime) -> dict[str, int]:
    """Load the run's data interval plus the lookback, for every configured team, into the raw schema."""
    settings = airflow_settings()
    from cursor_spend.load import load
    from dlt_sources.cursor.windows import interval_window

    first, last = interval_window(data_interval_start, data_interval_end, settings.lookback_days)
    log.info("Extracting %s .. %s for teams %s into the %s", first, last, ", ".join(settings.teams), settings.warehouse)
    rows = run(lambda: load(settings, start_date=first, end_date=last))
    log.info("Rows loaded per table: %s", rows)
    return rows


def dbt_build() -> list[str]:
    """``dbt build`` over the warehouse, then the Parquet export of the marts; returns the exported files."""
    settings = airflow_settings(require_key=False)
    from cursor_spend.export import export_marts
    from cursor_spend.transform import transform

    result = run(lambda: transform(settings))
    paths = run(lambda: export_marts(settings))
    log.info("dbt build: %s (dbt's log: %s)", result.line, result.log_path)
    log.info("Exported %d Parquet files to %s", len(paths), settings.export_dir)
    return [str(path) for path in paths]


def focus_export() -> str:
    """The FOCUS 1.2 file of the newest billing period with charges (the current month), as ``cursor-spend export
    focus`` writes it; returns its path."""
    settings = airflow_settings(require_key=False)
    from cursor_spend.export import export_focus

    path, rows = run(lambda: export_focus(settings))
    log.info("Wrote %d FOCUS 1.2 charges to %s", rows, path)
    return str(path)


def send_alerts() -> dict[str, int]:
    """Deliver the alerts of ``rpt_cursor_alerts`` each channel is due, through Airflow's notifiers and the same
    outbox as ``cursor-spend alerts --send`` (severities, daily digest, idempotency keys: docs/alerts.md); fails when
    a channel fails or its outcome is unknown, after marking what the others took, so a retry sends only what is
    still due (an unknown outcome at most once more)."""
    settings = airflow_settings(require_key=False)
    from airflow.sdk.exceptions import AirflowException

    from cursor_spend.alerts.delivery import deliver

    from .notifiers import alert_channels

    with airflow_errors():
        channels = alert_channels()
    if not channels:
        log.info(
            "No alert channel configured (connections %s, %s, %s): nothing sent", WEBHOOK_CONN, SLACK_CONN, SMTP_CONN
        )
        return {}
    delivery = run(lambda: deliver(settings, channels))
    log.info("Alerts: %s", delivery.line)
    if delivery.errors:
        raise AirflowException(f"alert delivery: {delivery.line}")
    return delivery.sent
