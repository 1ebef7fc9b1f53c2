"""Settings of a task: the Airflow connection ``cursor_default`` over the environment, every key masked.

The Cursor Admin API key comes, in this order, from:

* the connection ``cursor_default``: the key in the password field; optional host = API base URL; optional extra
  ``{"team": "label"}`` (names the password's team) or ``{"teams": {"label": "key", ...}}``;
* the environment: ``CURSOR_API_KEY`` (+ ``CURSOR_TEAM``) or ``CURSOR_API_KEYS`` (see :mod:`cursor_spend.config`).

The Organization API key likewise: the connection ``cursor_organization`` (the key in the password field, the
organization's id ``org_...`` in the login field), else ``CURSOR_ORG_API_KEY`` and ``CURSOR_ORG_ID``.

Every key is registered with Airflow's secrets masker before anything is logged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cursor_spend.api_keys import DEFAULT_TEAM, org_key
from cursor_spend.config import Settings, base_url, load_settings
from cursor_spend.errors import ConfigError

from .failures import airflow_errors

if TYPE_CHECKING:
    from airflow.sdk import Connection

CONN_ID = "cursor_default"
ORG_CONN_ID = "cursor_organization"  # password = the Organization API key, login = the organization's id
# Alert channels: Airflow connections, each optional (README "Alerts"); the environment's channels fill the rest
WEBHOOK_CONN = "cursor_spend_webhook"  # HTTP: host = the webhook's whole URL
SLACK_CONN = "cursor_spend_slack"  # Slack incoming webhook (slackwebhook): the webhook URL or token
SMTP_CONN = "cursor_spend_smtp"  # SMTP; extra {"from_email": ..., "to": "a@x.io, b@x.io"}


def get_connection(conn_id: str) -> Connection | None:
    """The Airflow connection ``conn_id``, or None where it does not exist."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        return None


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
        teams.setdefault(str(extra.get("team") or DEFAULT_TEAM), conn.password)
    overrides: dict[str, Any] = {}
    if teams:
        overrides["teams"] = teams
    if url := _base_url(conn):
        overrides["base_url"] = base_url(url, f"the host of connection {CONN_ID}")
    return replace(settings, **overrides)


def with_organization(settings: Settings, conn: Connection | None) -> Settings:
    """The Organization API key of ``conn`` (``cursor_organization``) over the environment's, when it has one."""
    if conn is None or not conn.password:
        return settings
    return replace(settings, organization=org_key(conn.login, conn.password, f"the login of connection {ORG_CONN_ID}"))


def mask_keys(settings: Settings) -> None:
    """Register every API key with Airflow's secrets masker (task and supervisor logs)."""
    from airflow.sdk.log import mask_secret

    for label, key in settings.teams.items():
        mask_secret(key, name=f"cursor_api_key_{label}")
    if settings.organization:
        mask_secret(settings.organization.api_key, name="cursor_org_api_key")


def airflow_settings(require_key: bool = True, conn_id: str = CONN_ID) -> Settings:
    """Settings for a task: the ``cursor_default`` connection over the environment, keys masked."""
    with airflow_errors():
        settings = with_organization(settings_from_connection(get_connection(conn_id)), get_connection(ORG_CONN_ID))
        mask_keys(settings)
        if require_key and not settings.teams and not settings.organization:
            raise ConfigError(
                f"no Cursor Admin API key: set the password of the Airflow connection {conn_id!r} (or "
                f"{ORG_CONN_ID!r}) or the environment variable CURSOR_API_KEY (or CURSOR_API_KEYS, CURSOR_ORG_API_KEY)"
            )
        return settings
