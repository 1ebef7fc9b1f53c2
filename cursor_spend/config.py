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
  CURSOR_SPEND_SCHEDULE, _CATCHUP, _START_DATE, _END_DATE: the extract DAG's schedule (:func:`load_schedule`)

Without CURSOR_API_KEY(S), keys come from dlt's own configuration providers: ``[sources.cursor] api_key`` or the
table ``[sources.cursor.api_keys]`` in ``.dlt/secrets.toml`` (in the working directory or DLT_PROJECT_DIR), the
environment variables ``SOURCES__CURSOR__API_KEY(S)``, or dlt's Airflow Variable (``org_api_key``, ``org_id``: the
organization's). Under Airflow the connections win (cursor_spend.airflow.connections). Keys are never logged.
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

from .errors import ConfigError
from .warehouse import PostgresURL, Warehouse

PACKAGE_DIR = Path(__file__).resolve().parent
# the dbt project: dbt_project/ of a source checkout (or an editable install), else the copy a wheel installs
_CHECKOUT_DBT = PACKAGE_DIR.parent / "dbt_project"
DBT_PROJECT_DIR = _CHECKOUT_DBT if (_CHECKOUT_DBT / "dbt_project.yml").is_file() else PACKAGE_DIR / "dbt_project"
DEFAULT_DUCKDB = Path("warehouse") / "cursor_spend.duckdb"
DEFAULT_DUCKDB_MEMORY_LIMIT = "96MB"
REPORT_NAME = "cursor-spend-report.html"  # written beside the warehouse file
DEFAULT_TEAM = "default"
DEFAULT_SCHEDULE = "@daily"
DEFAULT_START_DATE = "2026-01-01"


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

    def __repr__(self) -> str:
        teams = "{" + ", ".join(f"{label!r}: '***'" for label in self.teams) + "}"
        return (
            f"Settings(base_url={self.base_url!r}, teams={teams}, {self.organization}, warehouse={self.warehouse}, "
            f"seat_price_usd={self.seat_price_usd}, lookback_days={self.lookback_days}, "
            f"initial_days={self.initial_days}, rate_limit_window={self.rate_limit_window}, "
            f"duckdb_memory_limit={self.duckdb_memory_limit!r}, dbt_vars={self.dbt_vars})"
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


def _window(raw: str | None) -> float:
    if raw in (None, ""):
        return api.RATE_LIMIT_WINDOW_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        default = api.RATE_LIMIT_WINDOW_SECONDS
        raise ConfigError(f"CURSOR_RATE_LIMIT_WINDOW={raw!r} must be a number of seconds > 0 (default {default:g})")
    return value


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


def _checked_teams(teams: object, where: str) -> dict[str, str]:
    if not isinstance(teams, dict) or not all(isinstance(v, str) for v in teams.values()):
        raise ConfigError(f'{where} must be a JSON object like {{"team-label": "crsr_..."}}')
    empty = [label for label, key in teams.items() if not key.strip()]
    if empty:
        raise ConfigError(f"{where}: team {', '.join(map(repr, empty))} has an empty key; give each team its key")
    return {str(label): key.strip() for label, key in teams.items()}


def teams_from_env(env: dict) -> dict[str, str]:
    """Team label -> key: CURSOR_API_KEYS, else CURSOR_API_KEY, else dlt's configuration providers."""
    raw = env.get("CURSOR_API_KEYS")
    if raw:
        try:
            return _checked_teams(json.loads(raw), "CURSOR_API_KEYS")
        except json.JSONDecodeError:
            raise ConfigError('CURSOR_API_KEYS must be a JSON object like {"team-label": "crsr_..."}') from None
    label = env.get("CURSOR_TEAM") or DEFAULT_TEAM
    if env.get("CURSOR_API_KEY"):
        return _checked_teams({label: env["CURSOR_API_KEY"]}, "CURSOR_API_KEY")
    return teams_from_dlt(label)


def _from_dlt(name: str, kind: type):
    """A value of dlt's providers (secrets.toml, SOURCES__CURSOR__* variables, dlt's Airflow Variable)."""
    import dlt
    from dlt.common.configuration.exceptions import ConfigurationException

    try:
        return dlt.secrets.get(name, kind)
    except ConfigurationException as exc:
        raise ConfigError(f"dlt's secrets are not readable: {exc}".splitlines()[0]) from None


def teams_from_dlt(label: str = DEFAULT_TEAM) -> dict[str, str]:
    """Keys from dlt's providers: ``[sources.cursor.api_keys]``, else ``[sources.cursor] api_key``."""
    keys = _from_dlt("sources.cursor.api_keys", dict)
    if keys:
        return _checked_teams(keys, "[sources.cursor.api_keys] of dlt's secrets")
    key = _from_dlt("sources.cursor.api_key", str)
    return _checked_teams({label: key}, "[sources.cursor] api_key of dlt's secrets") if key else {}


def org_key(organization_id: str | None, api_key: str | None, where: str = "CURSOR_ORG_ID") -> OrgKey | None:
    """The Organization API key and its organization's id (``org_...``, required with the key)."""
    organization_id, api_key = (organization_id or "").strip(), (api_key or "").strip()
    if api_key and not organization_id.startswith("org_"):
        raise ConfigError(f"{where}={organization_id!r}: an Organization API key needs its organization's id: org_...")
    return OrgKey(organization_id, api_key) if api_key else None


def organization_from_env(env: dict) -> OrgKey | None:
    """CURSOR_ORG_API_KEY and CURSOR_ORG_ID, else (no key in the environment) ``[sources.cursor] org_api_key``..."""
    if env.get("CURSOR_ORG_API_KEY") or env.get("CURSOR_API_KEY") or env.get("CURSOR_API_KEYS"):
        return org_key(env.get("CURSOR_ORG_ID"), env.get("CURSOR_ORG_API_KEY"))
    key = _from_dlt("sources.cursor.org_api_key", str)
    return org_key(_from_dlt("sources.cursor.org_id", str), key, "[sources.cursor] org_id of dlt's secrets")


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
        "rate_limit_window": _window(env.get("CURSOR_RATE_LIMIT_WINDOW")),
        "duckdb_memory_limit": _memory_limit(env.get("CURSOR_SPEND_DUCKDB_MEMORY_LIMIT")),
        "dbt_vars": _dbt_vars(env.get("CURSOR_SPEND_DBT_VARS")),
    }
    if overrides.get("base_url") is not None:
        overrides["base_url"] = base_url(overrides["base_url"], "--base-url")
    values.update({k: v for k, v in overrides.items() if v is not None})
    values["duckdb_path"] = Path(values["duckdb_path"])
    return Settings(**values)
