"""Airflow glue for the cursor-spend DAGs: settings from the ``cursor_default`` connection, masking, errors.

The DAG files in ``dags/`` stay thin: they declare schedules and tasks and call the functions here, which call
:mod:`cursor_spend.pipeline` — the same code the ``cursor-spend`` CLI runs. This module imports only the
standard library and :mod:`cursor_spend.config` at top level; the pipeline (dlt, dbt, DuckDB, httpx) is imported
inside the task functions, so parsing a DAG file stays cheap.

The Cursor Admin API key comes, in this order, from:

* the Airflow connection ``cursor_default``: the key in the password field; optional host = API base URL;
  optional extra ``{"team": "label"}`` (names the password's team) or ``{"teams": {"label": "key", ...}}``;
* the environment: ``CURSOR_API_KEY`` (+ ``CURSOR_TEAM``) or ``CURSOR_API_KEYS`` (see :mod:`cursor_spend.config`).

Every key is registered with Airflow's secrets masker before anything is logged.
"""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from cursor_spend.config import Settings, base_url, load_settings
from cursor_spend.errors import ConfigError, WarehouseLockedError, fails_fast

if TYPE_CHECKING:
    from airflow.sdk import Connection

log = logging.getLogger(__name__)
T = TypeVar("T")

CONN_ID = "cursor_default"
# Alert channels: Airflow connections, each optional (README "Alerts"); the environment's channels fill the rest
WEBHOOK_CONN = "cursor_spend_webhook"  # HTTP: host = the webhook's whole URL
SLACK_CONN = "cursor_spend_slack"  # Slack incoming webhook (slackwebhook): the webhook URL or token
SMTP_CONN = "cursor_spend_smtp"  # SMTP; extra {"from_email": ..., "to": "a@x.io, b@x.io"}
POOL = "cursor_spend_duckdb"  # one slot: DuckDB allows a single writer process per file
DEFAULT_POOL = "default_pool"
DEFAULT_SCHEDULE = "@daily"
DEFAULT_START_DATE = "2026-01-01"
TAGS = ["cursor-spend", "cursor", "finops"]
OWNER = "data-platform"

API_RETRIES = 3
API_RETRY_DELAY = timedelta(minutes=1)
API_MAX_RETRY_DELAY = timedelta(minutes=30)
API_RETRY_BACKOFF = 2.0  # exponential: 1, 2, 4 minutes
ALERT_RETRIES = 2  # a channel that failed is tried again (only with what it has not taken), then by the next run
ALERT_RETRY_DELAY = timedelta(minutes=5)


# --- DAG-level configuration (read at parse time, from the environment only) ------------------------------


def schedule(env: Mapping[str, str] | None = None) -> str:
    """The extract DAG's cron expression or preset: ``CURSOR_SPEND_SCHEDULE`` (default ``@daily``)."""
    env = os.environ if env is None else env
    return env.get("CURSOR_SPEND_SCHEDULE") or DEFAULT_SCHEDULE


def catchup(env: Mapping[str, str] | None = None) -> bool:
    """``CURSOR_SPEND_CATCHUP=true`` turns catchup on; it is off by default."""
    env = os.environ if env is None else env
    return (env.get("CURSOR_SPEND_CATCHUP") or "").strip().lower() in {"1", "true", "yes", "on"}


def _postgres_url(env: Mapping[str, str] | None) -> str:
    env = os.environ if env is None else env
    return (env.get("CURSOR_SPEND_WAREHOUSE") or "").strip()


def warehouse_pool(env: Mapping[str, str] | None = None) -> str:
    """The pool of tasks that write the warehouse: the one-slot DuckDB pool, or Airflow's default pool on
    PostgreSQL (a server takes concurrent writers)."""
    return DEFAULT_POOL if _postgres_url(env) else POOL


def asset_uri(schema: str, env: Mapping[str, str] | None = None) -> str:
    """The URI of an asset (the raw or marts schema) of the warehouse, never with credentials. PostgreSQL's ends
    in ``/*`` (every table): Airflow's postgres provider, when installed, insists on database/schema/table."""
    url = _postgres_url(env)
    if not url:
        return f"duckdb://cursor_spend/{schema}"
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"postgres://{parts.hostname}:{parts.port or 5432}{parts.path.rstrip('/')}/{schema}/*"


def _utc_midnight(raw: str) -> datetime:
    return datetime.combine(date.fromisoformat(raw), datetime.min.time(), tzinfo=UTC)


def start_date(env: Mapping[str, str] | None = None) -> datetime:
    """First data interval of the extract DAG: ``CURSOR_SPEND_START_DATE`` (UTC midnight, default 2026-01-01)."""
    env = os.environ if env is None else env
    return _utc_midnight(env.get("CURSOR_SPEND_START_DATE") or DEFAULT_START_DATE)


def end_date(env: Mapping[str, str] | None = None) -> datetime | None:
    """Last interval start the extract DAG schedules: ``CURSOR_SPEND_END_DATE`` (default: none, runs on)."""
    env = os.environ if env is None else env
    raw = env.get("CURSOR_SPEND_END_DATE")
    return _utc_midnight(raw) if raw else None


def extract_window(interval_start: datetime, interval_end: datetime, lookback_days: int) -> tuple[date, date]:
    """Days one run extracts: the interval's days plus the lookback, up to the interval's last full day.

    A daily interval [2026-11-19, 2026-11-20) with a 2-day lookback reads 2026-11-17 .. 2026-11-19.
    """
    end = interval_end.date() - timedelta(days=1)
    start = interval_start.date() - timedelta(days=lookback_days)
    return min(start, end), end


# --- settings from the connection ---------------------------------------------------------------------------


def _base_url(conn: Connection) -> str | None:
    host = (conn.host or "").strip().rstrip("/")
    if not host:
        return None
    if "://" not in host:
        host = f"https://{host}"
    if conn.port and host.count(":") < 2:
        host = f"{host}:{conn.port}"
    return host


def settings_from_connection(conn: Connection | None, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment, with the base URL and keys of ``conn`` taking precedence when it has them."""
    settings = load_settings(dict(os.environ if env is None else env))
    if conn is None:
        return settings
    extra: dict[str, Any] = conn.extra_dejson if conn.extra else {}
    teams: dict[str, str] = {}
    if extra.get("teams"):
        if not isinstance(extra["teams"], dict) or not all(isinstance(v, str) for v in extra["teams"].values()):
            raise ConfigError(f'connection {CONN_ID}: extra "teams" must be an object {{"label": "key", ...}}')
        teams.update(extra["teams"])
    if conn.password:
        teams.setdefault(str(extra.get("team") or "default"), conn.password)
    overrides: dict[str, Any] = {}
    if teams:
        overrides["teams"] = teams
    if url := _base_url(conn):
        overrides["base_url"] = base_url(url, f"the host of connection {CONN_ID}")
    return replace(settings, **overrides)


def _get_connection(conn_id: str) -> Connection | None:
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        return None


def mask_keys(settings: Settings) -> None:
    """Register every API key with Airflow's secrets masker (task and supervisor logs)."""
    from airflow.sdk.log import mask_secret

    for label, key in settings.teams.items():
        mask_secret(key, name=f"cursor_api_key_{label}")


def airflow_settings(require_key: bool = True, conn_id: str = CONN_ID) -> Settings:
    """Settings for a task: the ``cursor_default`` connection over the environment, keys masked."""
    with airflow_errors():
        settings = settings_from_connection(_get_connection(conn_id))
        mask_keys(settings)
        if require_key and not settings.teams:
            raise ConfigError(
                f"no Cursor Admin API key: set the password of the Airflow connection {conn_id!r} "
                "or the environment variable CURSOR_API_KEY (or CURSOR_API_KEYS for several teams)"
            )
        return settings


# --- errors ---------------------------------------------------------------------------------------------------


@contextmanager
def airflow_errors() -> Iterator[None]:
    """Turn expected failures into one-line Airflow failures; leave transient ones to the task's retries.

    Configuration errors (bad key, plan, team, settings) and dbt failures raise ``AirflowFailException``: the
    task fails at once, without retries, with the source's message and no traceback of ours. A held DuckDB lock
    raises ``AirflowException`` naming the lock, so a retry can succeed once the other writer is done.
    """
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    try:
        yield
    except AirflowException:
        raise
    except WarehouseLockedError as exc:
        raise AirflowException(
            f"{exc} (Airflow tasks that write the warehouse share the pool {POOL!r} with one slot, so the "
            "holder is probably a process outside Airflow: a CLI run or a BI tool with the file open)"
        ) from exc
    except Exception as exc:
        if fails_fast(exc):
            raise AirflowFailException(str(exc)) from None
        raise


def _run(fn: Callable[[], T]) -> T:
    with airflow_errors():
        return fn()


# --- task bodies ------------------------------------------------------------------------------------------------


def check() -> dict[str, int]:
    """Validate every configured key against the API; returns team label -> member count."""
    settings = airflow_settings()
    from cursor_spend import pipeline

    members = _run(lambda: pipeline.check(settings))
    for label, count in members.items():
        log.info("Cursor team %s: key valid, %d members", label, count)
    return members


def extract(data_interval_start: datetime, data_interval_end: datetime) -> dict[str, int]:
    """Load the run's data interval plus the lookback, for every configured team, into the raw schema."""
    settings = airflow_settings()
    first, last = extract_window(data_interval_start, data_interval_end, settings.lookback_days)
    log.info("Extracting %s .. %s for teams %s into the %s", first, last, ", ".join(settings.teams), settings.warehouse)
    from cursor_spend import pipeline

    rows = _run(lambda: pipeline.extract(settings, start_date=first, end_date=last))
    log.info("Rows loaded per table: %s", rows)
    return rows


def transform() -> list[str]:
    """``dbt build`` over the warehouse, then the Parquet export of the marts; returns the exported files."""
    settings = airflow_settings(require_key=False)
    from cursor_spend import pipeline

    result, paths = _run(lambda: pipeline.transform(settings))
    log.info("dbt build: %s (dbt's log: %s)", result.line, result.log_path)
    log.info("Exported %d Parquet files to %s", len(paths), settings.export_dir)
    return [str(path) for path in paths]


def export_focus() -> str:
    """The FOCUS 1.2 file of the newest billing period with charges (the current month), as ``cursor-spend export
    focus`` writes it; returns its path."""
    settings = airflow_settings(require_key=False)
    from cursor_spend.export import export_focus as write

    path, rows = _run(lambda: write(settings))
    log.info("Wrote %d FOCUS 1.2 charges to %s", rows, path)
    return str(path)


# --- alerts -----------------------------------------------------------------------------------------------------


def _notifier_channel(name: str, conn_id: str, notify: Callable[[Any], None]):
    """A channel that sends through one of Airflow's notifiers; its failure names the connection, never its URL."""
    from cursor_spend.alerts.channels import Channel
    from cursor_spend.errors import AlertDeliveryError

    def send(batch) -> None:
        try:
            notify(batch)
        except Exception as exc:
            raise AlertDeliveryError(f"{name} through connection {conn_id} failed ({type(exc).__name__})") from None

    return Channel(name, send, f"connection {conn_id}")


def alert_channels(env: Mapping[str, str] | None = None) -> list:
    """The alert channels: Airflow's notifiers on the connections cursor_spend_webhook (HTTP provider),
    cursor_spend_slack (Slack provider) and cursor_spend_smtp (SMTP provider), each where it exists, and the
    environment's channels (CURSOR_SPEND_ALERT_*) for the others. Webhook URLs are registered with the masker."""
    from airflow.sdk.log import mask_secret

    from cursor_spend.alerts import channels as alerts

    env = os.environ if env is None else env
    channels = []
    if conn := _get_connection(WEBHOOK_CONN):
        from airflow.providers.http.notifications.http import HttpNotifier

        mask_secret(conn.host or "")
        channels.append(
            _notifier_channel(
                "webhook",
                WEBHOOK_CONN,
                lambda batch: HttpNotifier(http_conn_id=WEBHOOK_CONN, json=alerts.webhook_body(batch)).notify({}),
            )
        )
    if conn := _get_connection(SLACK_CONN):
        from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier

        mask_secret(conn.host or "")
        channels.append(
            _notifier_channel(
                "slack",
                SLACK_CONN,
                lambda batch: SlackWebhookNotifier(slack_webhook_conn_id=SLACK_CONN, text=alerts.text(batch)).notify(
                    {}
                ),
            )
        )
    if conn := _get_connection(SMTP_CONN):
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        extra = conn.extra_dejson if conn.extra else {}
        sender = extra.get("from_email") or env.get(alerts.EMAIL_FROM_ENV)
        recipients = extra.get("to") or env.get(alerts.EMAIL_TO_ENV)
        if not sender or not recipients:
            raise ConfigError(f'connection {SMTP_CONN}: set extra {{"from_email": ..., "to": ...}}')
        channels.append(
            _notifier_channel(
                "email",
                SMTP_CONN,
                lambda batch: SmtpNotifier(
                    to=recipients,
                    from_email=sender,
                    subject=alerts.subject(batch),
                    html_content="<pre>" + html.escape(alerts.text(batch)) + "</pre>",
                    smtp_conn_id=SMTP_CONN,
                ).notify({}),
            )
        )
    taken = {channel.name for channel in channels}
    for secret in alerts.secrets_from_env(env):
        mask_secret(secret)
    return channels + [channel for channel in alerts.channels_from_env(env) if channel.name not in taken]


def send_alerts() -> dict[str, int]:
    """Deliver the alerts of ``rpt_cursor_alerts`` each channel has not taken yet (ledger in the warehouse); fails
    when a channel fails, after recording what the others took, so a retry sends only what is still due."""
    settings = airflow_settings(require_key=False)
    from airflow.sdk.exceptions import AirflowException

    from cursor_spend.alerts.delivery import deliver

    with airflow_errors():
        channels = alert_channels()
    if not channels:
        log.info(
            "No alert channel configured (connections %s, %s, %s): nothing sent", WEBHOOK_CONN, SLACK_CONN, SMTP_CONN
        )
        return {}
    delivery = _run(lambda: deliver(settings, channels))
    log.info("Alerts: %s", delivery.line)
    if delivery.errors:
        raise AirflowException(f"alert delivery: {delivery.line}")
    return delivery.sent
