"""Where the Cursor API keys of a run come from: the environment (CURSOR_API_KEY(S), CURSOR_ORG_API_KEY and
CURSOR_ORG_ID), else dlt's own configuration providers (``[sources.cursor] api_key``, the table
``[sources.cursor.api_keys]``, ``org_api_key`` and ``org_id`` in ``.dlt/secrets.toml``, the ``SOURCES__CURSOR__*``
variables, dlt's Airflow Variable). Each is checked here, in one line naming where it came from and the fix."""

from __future__ import annotations

import json

from dlt_sources.cursor.keys import OrgKey

from .errors import ConfigError

DEFAULT_TEAM = "default"


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
        given = f"{where}={organization_id!r} is not an organization id" if organization_id else f"{where} is not set"
        raise ConfigError(
            f"{given}: an Organization API key needs its organization's id, org_... (in the Cursor dashboard's "
            "organization settings)"
        )
    return OrgKey(organization_id, api_key) if api_key else None


def organization_from_env(env: dict) -> OrgKey | None:
    """CURSOR_ORG_API_KEY and CURSOR_ORG_ID, else (no key in the environment) ``[sources.cursor] org_api_key``..."""
    if env.get("CURSOR_ORG_API_KEY") or env.get("CURSOR_API_KEY") or env.get("CURSOR_API_KEYS"):
        return org_key(env.get("CURSOR_ORG_ID"), env.get("CURSOR_ORG_API_KEY"))
    key = _from_dlt("sources.cursor.org_api_key", str)
    return org_key(_from_dlt("sources.cursor.org_id", str), key, "[sources.cursor] org_id of dlt's secrets")
