"""What the source keeps in dlt's state between runs: each windowed resource's last loaded day, per team.

A resource reads from its own last loaded day minus the lookback (:mod:`.windows`); it moves the day only after a
team's whole window was read, so an interrupted run reads the same window again.
"""

from __future__ import annotations

from datetime import date

import dlt


def last_loaded_day(team: str) -> date | None:
    """The running resource's last loaded day for ``team``; the source-wide day of earlier versions as a fallback."""
    last = dlt.current.resource_state().get("teams", {}).get(team, {}).get("last_loaded_day")
    if last is None:
        last = dlt.current.source_state().get("teams", {}).get(team, {}).get("last_loaded_day")
    return date.fromisoformat(last) if last else None


def mark_loaded(team: str, end: date) -> None:
    """After a team's whole window was read: a backfill of an old window never moves the point backwards."""
    team_state = dlt.current.resource_state().setdefault("teams", {}).setdefault(team, {})
    team_state["last_loaded_day"] = max(team_state.get("last_loaded_day", ""), end.isoformat())
