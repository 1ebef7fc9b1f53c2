"""The key of an organization (the team keys are plain strings, by team label): cheap to import, as settings."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OrgKey:
    """An organization's id (``org_...``) and its Organization API key (secret: not in the repr)."""

    organization_id: str
    api_key: str = field(repr=False)
