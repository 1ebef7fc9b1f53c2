"""Settings of a cursor-spend run, resolved in one place from arguments and the environment.

Environment variables (all optional):

  CURSOR_API_BASE_URL        Cursor Admin API base URL (default https://api.cursor.com)
  CURSOR_API_KEY             the Admin API key of one team, labelled by CURSOR_TEAM (default "default")
  CURSOR_API_KEYS            several teams: JSON object {"label": "key", ...}
  CURSOR_SPEND_DUCKDB        the DuckDB warehouse file (default warehouse/cursor_spend.duckdb)
  CURSOR_SEAT_PRICE_USD      monthly seat price used for the seat-cost estimate (default 40)
  CURSOR_LOOKBACK_DAYS       days re-read before the last loaded day, because Cursor changes recent costs (2)
  CURSOR_INITIAL_DAYS        days backfilled by a first run with no state (30)
  CURSOR_RATE_LIMIT_WINDOW   seconds in the API's rate-limit window (60; only the simulator shortens it)
  CURSOR_SPEND_DUCKDB_MEMORY_LIMIT  DuckDB's memory limit while loading (96MB); past it DuckDB spills to disk

Without those variables, keys come from dlt's ``.dlt/secrets.toml`` in the working directory (or DLT_PROJECT_DIR):
``[sources.cursor] api_key = "crsr_..."`` for one team, or ``[sources.cursor.api_keys]`` with ``label = "crsr_..."``
lines for several. Under Airflow the ``cursor_default`` connection wins. Keys are never logged or stored.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
DEFAULT_BASE_URL = "https://api.cursor.com"
DEFAULT_DUCKDB = Path("warehouse") / "cursor_spend.duckdb"


class ConfigError(Exception):
    """A setting is missing or invalid; the message says which and how to set it."""


def _secret_repr(teams: dict[str, str]) -> str:
    return "{" + ", ".join(f"{label!r}: '***'" for label in teams) + "}"


@dataclass(frozen=True)
class Settings:
    base_url: str = DEFAULT_BASE_URL
    teams: dict[str, str] = field(default_factory=dict, repr=False)  # label -> API key (secret)
    duckdb_path: Path = DEFAULT_DUCKDB
    seat_price_usd: float = 40.0
    lookback_days: int = 2
    initial_days: int = 30
    rate_limit_window: float = 60.0
    duckdb_memory_limit: str = "96MB"  # DuckDB's memory_limit for loads: memory stays bounded, DuckDB spills past it
    dbt_vars: dict = field(default_factory=dict)  # more vars of the dbt project (CURSOR_SPEND_DBT_VARS)

    def __repr__(self) -> str:
        return (
            f"Settings(base_url={self.base_url!r}, teams={_secret_repr(self.teams)}, duckdb_path={self.duckdb_path!r}, "
            f"seat_price_usd={self.seat_price_usd}, lookback_days={self.lookback_days}, "
            f"initial_days={self.initial_days}, rate_limit_window={self.rate_limit_window}, "
            f"duckdb_memory_limit={self.duckdb_memory_limit!r}, dbt_vars={self.dbt_vars})"
        )

    @property
    def warehouse_dir(self) -> Path:
        return self.duckdb_path.parent

    @property
    def export_dir(self) -> Path:
        """Parquet copies of the marts, readable by BI tools without DuckDB's writer lock."""
        return self.warehouse_dir / "exports"

    @property
    def report_path(self) -> Path:
        """The HTML spend report ``cursor-spend report`` writes by default."""
        return self.warehouse_dir / "cursor-spend-report.html"

    @property
    def secrets(self) -> list[str]:
        return [key for key in self.teams.values() if key]

    def with_teams(self, labels: list[str] | None) -> Settings:
        """Only the named teams (all when ``labels`` is empty)."""
        if not labels:
            return self
        unknown = [label for label in labels if label not in self.teams]
        if unknown:
            known = ", ".join(sorted(self.teams)) or "none"
            raise ConfigError(f"unknown team {', '.join(unknown)}; configured teams: {known}")
        return replace(self, teams={label: self.teams[label] for label in labels})


def _number(env: dict, name: str, default: float, kind=float):
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = kind(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} is not a number") from exc
    if value < 0:
        raise ConfigError(f"{name} must not be negative")
    return value


def _memory_limit(env: dict, default: str) -> str:
    raw = (env.get("CURSOR_SPEND_DUCKDB_MEMORY_LIMIT") or default).strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*(K|M|G|T)i?B", raw, re.IGNORECASE):
        raise ConfigError(f"CURSOR_SPEND_DUCKDB_MEMORY_LIMIT={raw!r} is not a size like 64MB or 1GB")
    return raw


def _dbt_vars(env: dict) -> dict:
    raw = env.get("CURSOR_SPEND_DBT_VARS")
    try:
        values = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        values = None
    if not isinstance(values, dict):
        raise ConfigError('CURSOR_SPEND_DBT_VARS must be a JSON object like {"committed_seats": 50, "idle_days": 30}')
    return values


def teams_from_env(env: dict) -> dict[str, str]:
    raw = env.get("CURSOR_API_KEYS")
    if raw:
        try:
            teams = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError('CURSOR_API_KEYS must be a JSON object like {"team-label": "crsr_..."}') from exc
        if not isinstance(teams, dict) or not all(isinstance(v, str) for v in teams.values()):
            raise ConfigError('CURSOR_API_KEYS must be a JSON object like {"team-label": "crsr_..."}')
        return dict(teams)
    key = env.get("CURSOR_API_KEY")
    if key:
        return {env.get("CURSOR_TEAM") or "default": key}
    return teams_from_dlt_secrets(Path(env.get("DLT_PROJECT_DIR") or ".") / ".dlt" / "secrets.toml", env)


def teams_from_dlt_secrets(path: Path, env: dict) -> dict[str, str]:
    """Keys from dlt's secrets.toml, section ``[sources.cursor]``: ``api_key`` or a table ``api_keys``."""
    if not path.is_file():
        return {}
    try:
        section = tomllib.loads(path.read_text()).get("sources", {}).get("cursor", {})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    keys = section.get("api_keys")
    if isinstance(keys, dict) and all(isinstance(v, str) for v in keys.values()):
        return dict(keys)
    if isinstance(section.get("api_key"), str):
        return {env.get("CURSOR_TEAM") or "default": section["api_key"]}
    return {}


def load_settings(env: dict | None = None, **overrides) -> Settings:
    """Settings from the environment, with explicit overrides (None means "not given")."""
    env = dict(os.environ if env is None else env)
    values = {
        "base_url": (env.get("CURSOR_API_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
        "teams": teams_from_env(env),
        "duckdb_path": Path(env.get("CURSOR_SPEND_DUCKDB") or DEFAULT_DUCKDB),
        "seat_price_usd": _number(env, "CURSOR_SEAT_PRICE_USD", 40.0),
        "lookback_days": _number(env, "CURSOR_LOOKBACK_DAYS", 2, int),
        "initial_days": _number(env, "CURSOR_INITIAL_DAYS", 30, int),
        "rate_limit_window": _number(env, "CURSOR_RATE_LIMIT_WINDOW", 60.0),
        "duckdb_memory_limit": _memory_limit(env, Settings.duckdb_memory_limit),
        "dbt_vars": _dbt_vars(env),
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    values["duckdb_path"] = Path(values["duckdb_path"])
    return Settings(**values)
