"""Settings of a cursor-spend run, resolved in one place from arguments and the environment.

Environment variables (all optional; README "Configuration" lists them with their defaults):

  CURSOR_API_BASE_URL        Cursor Admin API base URL
  CURSOR_API_KEY             the Admin API key of one team, labelled by CURSOR_TEAM (default "default")
  CURSOR_API_KEYS            several teams: JSON object {"label": "key", ...}
  CURSOR_ORG_API_KEY, CURSOR_ORG_ID  an Organization API key and its organization's id (org_...): docs/organization.md
  CURSOR_SPEND_WAREHOUSE     a PostgreSQL warehouse, postgresql://user:password@host:5432/db (unset: DuckDB)
  CURSOR_SPEND_DUCKDB        the DuckDB warehouse file; with PostgreSQL, its folder keeps the local working files
  CURSOR_SEAT_PRICE_USD      monthly seat price of the seat-cost estimate (default: the dbt var seat_price_usd)
  CURSOR_LOOKBACK_DAYS       days re-read before the last loaded day, because Cursor changes recent costs
  CURSOR_INITIAL_DAYS        days backfilled by a first run with no state
  CURSOR_RATE_LIMIT_WINDOW   seconds in the API's rate-limit window (only the simulator shortens it)
  CURSOR_SPEND_DUCKDB_MEMORY_LIMIT  DuckDB's memory limit while loading; past it DuckDB spills to disk
  CURSOR_SPEND_DBT_VARS      more dbt vars, a JSON object
  CURSOR_SPEND_READER_ROLES  PostgreSQL roles that may read the marts (dbt var reader_roles; comma-separated)
  CURSOR_SPEND_LOCK_WAIT     seconds a run waits for another run writing the same PostgreSQL warehouse
  CURSOR_SPEND_LOCK_TIMEOUT  seconds a build's statement waits for a table a reader holds (dbt var lock_timeout)
  CURSOR_SPEND_SCHEDULE, _CATCHUP, _START_DATE, _END_DATE: the extract DAG's schedule (:func:`load_schedule`)

Without CURSOR_API_KEY(S), keys come from dlt's own configuration providers (:mod:`.api_keys`): ``[sources.cursor]
api_key`` or the table ``[sources.cursor.api_keys]`` in ``.dlt/secrets.toml`` (in the working directory or
DLT_PROJECT_DIR), the environment variables ``SOURCES__CURSOR__API_KEY(S)``, or dlt's Airflow Variable
(``org_api_key``, ``org_id``: the organization's). Under Airflow the connections win
(cursor_spend.airflow.connections). Keys are never logged.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from dlt_sources.cursor import settings as api
from dlt_sources.cursor.keys import OrgKey

from .api_keys import organization_from_env, teams_from_env
from .errors import ConfigError
from .warehouse import PostgresURL, Warehouse

PACKAGE_DIR = Path(__file__).resolve().parent
# the dbt project: dbt_project/ of a source checkout (or an editable install), else the copy a wheel installs
_CHECKOUT_DBT = PACKAGE_DIR.parent / "dbt_project"
DBT_PROJECT_DIR = _CHECKOUT_DBT if (_CHECKOUT_DBT / "dbt_project.yml").is_file() else PACKAGE_DIR / "dbt_project"
DEFAULT_DUCKDB = Path("warehouse") / "cursor_spend.duckdb"
DEFAULT_DUCKDB_MEMORY_LIMIT = "96MB"
REPORT_NAME = "cursor-spend-report.html"  # written beside the warehouse file
DEFAULT_SCHEDULE = "@daily"
DEFAULT_START_DATE = "2026-01-01"
DEFAULT_LOCK_WAIT = 600.0  # seconds: a daily extract or build takes a few minutes at most
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_$]{0,62}")  # a role name dbt's grants can write without quotes


@dataclass(frozen=True)
class Settings:
    base_url: str = api.DEFAULT_BASE_URL
    teams: dict[str, str] = field(default_factory=dict, repr=False)  # label -> API key (secret)
    organization: OrgKey | None = None  # CURSOR_ORG_ID and CURSOR_ORG_API_KEY (its repr holds no key)
    duckdb_path: Path = DEFAULT_DUCKDB
    warehouse_url: PostgresURL | None = None  # CURSOR_SPEND_WAREHOUSE, parsed (its repr holds no password)
    seat_price_usd: Decimal | None = None  # None: the dbt project's default (var seat_price_usd)
    lookback_days: int = api.DEFAULT_LOOKBACK_DAYS
    initial_days: int = api.DEFAULT_INITIAL_DAYS
    rate_limit_window: float = api.RATE_LIMIT_WINDOW_SECONDS
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
    dbt_vars: dict = field(default_factory=dict)  # more vars of the dbt project (CURSOR_SPEND_DBT_VARS)
    reader_roles: tuple[str, ...] = ()  # PostgreSQL roles granted the marts (dbt var reader_roles)
    lock_wait: float = DEFAULT_LOCK_WAIT  # seconds a run waits for the PostgreSQL warehouse's writer lock
    lock_timeout: float | None = None  # seconds a build's statement waits for a lock; None: the dbt var's default

    def __repr__(self) -> str:
        teams = "{" + ", ".join(f"{label!r}: '***'" for label in self.teams) + "}"
        return (
            f"Settings(base_url={self.base_url!r}, teams={teams}, {self.organization}, warehouse={self.warehouse}, "
            f"seat_price_usd={self.seat_price_usd}, lookback_days={self.lookback_days}, "
            f"initial_days={self.initial_days}, rate_limit_window={self.rate_limit_window}, "
            f"duckdb_memory_limit={self.duckdb_memory_limit!r}, dbt_vars={self.dbt_vars}, "
            f"reader_roles={self.reader_roles}, lock_wait={self.lock_wait:g}, lock_timeout={self.lock_timeout})"
        )

    @property
    def warehouse(self) -> Warehouse:
        """Where the raw tables and the marts live: the DuckDB file, or the PostgreSQL database."""
        return Warehouse(self.duckdb_path, self.duckdb_memory_limit, self.warehouse_url)

    @property
    def warehouse_dir(self) -> Path:
        """The local folder of dlt's working state, the exports and the report (beside the DuckDB file)."""
        return self.duckdb_path.parent

    @property
    def export_dir(self) -> Path:
        """Parquet copies of the marts, readable by BI tools without a database connection."""
        return self.warehouse_dir / "exports"

    @property
    def report_path(self) -> Path:
        """The HTML spend report ``cursor-spend report`` writes by default."""
        return self.warehouse_dir / REPORT_NAME

    @property
    def secrets(self) -> list[str]:
        keys = [*self.teams.values(), self.organization.api_key if self.organization else ""]
        return [key for key in keys if key] + self.warehouse.secrets

    def with_teams(self, labels: list[str] | None) -> Settings:
        """Only the named teams' keys, without the organization's (all, with it, when ``labels`` is empty)."""
        if not labels:
            return self
        unknown = [label for label in labels if label not in self.teams]
        if unknown:
            known = ", ".join(sorted(self.teams)) or "none"
            raise ConfigError(f"unknown team {', '.join(unknown)}; configured teams: {known}")
        return replace(self, teams={label: self.teams[label] for label in labels}, organization=None)


@dataclass(frozen=True)
class Schedule:
    """When the extract DAG runs (Airflow): a cron expression or preset, from the first to the last interval start
    (UTC midnights; no last: it runs on), missed intervals run or not."""

    cron: str
    start: datetime
    end: datetime | None
    catchup: bool


def whole_number(env: dict, name: str, default: int, minimum: int = 0) -> int:
    """A count of days from ``env[name]``: a whole number >= ``minimum``."""
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number of days (default {default})") from None
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum} (default {default})")
    return value


def seat_price(name: str, raw: str | float | Decimal | None) -> Decimal | None:
    """A monthly seat price in dollars: a finite number >= 0 (the same rule as the dbt var and the seed's rows)."""
    if raw in (None, ""):
        return None
    try:
        value: Decimal | None = Decimal(str(raw).strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0:
        raise ConfigError(f"{name}={raw!r} is not a seat price: give a monthly price in dollars >= 0, e.g. 40")
    return value


def seconds(env: Mapping[str, str], name: str, default: float | None, positive: bool = False) -> float | None:
    """A number of seconds from ``env[name]``: finite, and > 0 (``positive``) or >= 0."""
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        shown = f" (default {default:g})" if default is not None else ""
        raise ConfigError(f"{name}={raw!r} must be a number of seconds {'>' if positive else '>='} 0{shown}")
    return value


def reader_roles(raw: str | None) -> tuple[str, ...]:
    """CURSOR_SPEND_READER_ROLES: role names separated by commas."""
    roles = tuple(role.strip() for role in (raw or "").split(",") if role.strip())
    bad = [role for role in roles if not ROLE_NAME.fullmatch(role)]
    if bad:
        raise ConfigError(
            f"CURSOR_SPEND_READER_ROLES: {', '.join(map(repr, bad))} is not a role name dbt can grant to (lower-case "
            "letters, digits and _); give the PostgreSQL roles that read the marts, e.g. cursor_spend_reader,bi"
        )
    return roles


def _memory_limit(raw: str | None) -> str:
    raw = (raw or DEFAULT_DUCKDB_MEMORY_LIMIT).strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*(K|M|G|T)i?B", raw, re.IGNORECASE):
        raise ConfigError(f"CURSOR_SPEND_DUCKDB_MEMORY_LIMIT={raw!r} is not a size like 64MB or 1GB")
    return raw


def base_url(raw: str | None, name: str = "CURSOR_API_BASE_URL") -> str:
    url = (raw or api.DEFAULT_BASE_URL).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name}={url!r} is not an http(s) URL; e.g. {api.DEFAULT_BASE_URL}")
    return url


def _utc_midnight(name: str, raw: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(raw.strip()), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a day: give YYYY-MM-DD, e.g. 2026-01-01") from None


def load_schedule(env: Mapping[str, str] | None = None) -> Schedule:
    """The extract DAG's schedule: CURSOR_SPEND_SCHEDULE, CURSOR_SPEND_START_DATE, CURSOR_SPEND_END_DATE and
    CURSOR_SPEND_CATCHUP (``true`` turns catchup on)."""
    env = os.environ if env is None else env
    start, end = env.get("CURSOR_SPEND_START_DATE"), env.get("CURSOR_SPEND_END_DATE")
    return Schedule(
        cron=env.get("CURSOR_SPEND_SCHEDULE") or DEFAULT_SCHEDULE,
        start=_utc_midnight("CURSOR_SPEND_START_DATE", start or DEFAULT_START_DATE),
        end=_utc_midnight("CURSOR_SPEND_END_DATE", end) if end else None,
        catchup=(env.get("CURSOR_SPEND_CATCHUP") or "").strip().lower() in {"1", "true", "yes", "on"},
    )


def warehouse_url(env: Mapping[str, str] | None = None) -> PostgresURL | None:
    """CURSOR_SPEND_WAREHOUSE, parsed: a PostgreSQL URL with host and database, or None when unset (the DuckDB
    file). The DAG files read it alone for their pools and assets."""
    raw = (os.environ if env is None else env).get("CURSOR_SPEND_WAREHOUSE")
    return PostgresURL.parse(raw) if raw and raw.strip() else None


def _dbt_vars(raw: str | None) -> dict:
    try:
        values = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        values = None
    if not isinstance(values, dict):
        raise ConfigError('CURSOR_SPEND_DBT_VARS must be a JSON object like {"committed_seats": 50, "idle_days": 30}')
    if "seat_price_usd" in values:
        seat_price("CURSOR_SPEND_DBT_VARS seat_price_usd", values["seat_price_usd"])
    return values


def load_settings(env: dict | None = None, **overrides) -> Settings:
    """Settings from the environment, with explicit overrides (None means "not given")."""
    env = dict(os.environ if env is None else env)
    values = {
        "base_url": base_url(env.get("CURSOR_API_BASE_URL")),
        "teams": teams_from_env(env),
        "organization": organization_from_env(env),
        "duckdb_path": Path(env.get("CURSOR_SPEND_DUCKDB") or DEFAULT_DUCKDB),
        "warehouse_url": warehouse_url(env),
        "seat_price_usd": seat_price("CURSOR_SEAT_PRICE_USD", env.get("CURSOR_SEAT_PRICE_USD")),
        "lookback_days": whole_number(env, "CURSOR_LOOKBACK_DAYS", api.DEFAULT_LOOKBACK_DAYS),
        "initial_days": whole_number(env, "CURSOR_INITIAL_DAYS", api.DEFAULT_INITIAL_DAYS, 1),
        "rate_limit_window": seconds(env, "CURSOR_RATE_LIMIT_WINDOW", api.RATE_LIMIT_WINDOW_SECONDS, positive=True),
        "duckdb_memory_limit": _memory_limit(env.get("CURSOR_SPEND_DUCKDB_MEMORY_LIMIT")),
        "dbt_vars": _dbt_vars(env.get("CURSOR_SPEND_DBT_VARS")),
        "reader_roles": reader_roles(env.get("CURSOR_SPEND_READER_ROLES")),
        "lock_wait": seconds(env, "CURSOR_SPEND_LOCK_WAIT", DEFAULT_LOCK_WAIT),
        "lock_timeout": seconds(env, "CURSOR_SPEND_LOCK_TIMEOUT", None, positive=True),
    }
    if overrides.get("base_url") is not None:
        overrides["base_url"] = base_url(overrides["base_url"], "--base-url")
    values.update({k: v for k, v in overrides.items() if v is not None})
    values["duckdb_path"] = Path(values["duckdb_path"])
    return Settings(**values)
