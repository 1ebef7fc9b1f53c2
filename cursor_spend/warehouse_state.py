"""Where each resource and team stands: the warehouse's word, not the local folder's.

dlt keeps the source's state (each windowed resource's last loaded day per team: dlt_sources/cursor/state.py) in the
pipeline's working folder beside the warehouse, and with every load that changes it in the warehouse itself (dlt's
table ``_dlt_pipeline_state``, written in the same load as the rows). Before each run dlt syncs the two: it takes
the warehouse's state when that one is as new as the local one or newer (a new machine, a lost working folder), and
keeps a newer local one. When the warehouse went back (a DuckDB file restored from a copy, a PostgreSQL database
from a dump) the newer local state would make the run read only the lookback after days the warehouse no longer
holds, and the days between would never come back.

:func:`follow_the_warehouse` reads the warehouse's state as dlt does (``load_pipeline_state_from_destination``) and,
when the local one is ahead of it, drops the local working folder, so that dlt's own sync takes the warehouse's
state: each resource reads again from its last loaded day there. One case of a newer local state is no restore: a
run interrupted after its extract left its load package pending, whose state is the local one (one version ahead);
that package is loaded first (:func:`cursor_spend.load.finish_pending`) and nothing is missing.

Why dlt's state table rather than the raw tables' newest day per team: it says how far each resource read, also
for a resource without rows on its last days (audit logs, a team without usage), it is written with the rows it
describes, and dlt reads it the same way on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import logging

import dlt
from dlt.common.destination.exceptions import DestinationUndefinedEntity
from dlt.pipeline.state_sync import load_pipeline_state_from_destination

log = logging.getLogger(__name__)

VERSION = "_state_version"


def follow_the_warehouse(pipeline: dlt.Pipeline, warehouse: str) -> dlt.Pipeline:
    """The pipeline, or a fresh one that takes the warehouse's state when the local state is ahead of it."""
    local = pipeline.state
    try:
        with pipeline.destination_client() as client:
            remote = load_pipeline_state_from_destination(pipeline.pipeline_name, client)
    except DestinationUndefinedEntity:  # no raw dataset yet: dlt's sync starts the local state afresh
        return pipeline
    if remote is None or remote[VERSION] >= local[VERSION]:
        return pipeline
    if pipeline.has_pending_data and remote[VERSION] == local[VERSION] - 1:
        return pipeline  # an interrupted load: its package holds the local state
    days = ", ".join(
        f"{team!r} {there} there, {here} here" for team, (there, here) in _last_days(remote, local).items()
    )
    log.warning(
        "the %s holds an older load than the local dlt state in %s (restored from a copy, or loaded from another "
        "machine since): reading again from the warehouse's last loaded days (%s)",
        warehouse, pipeline.pipelines_dir, days or "none",
    )  # fmt: skip
    return pipeline.drop()


def _last_days(remote: dict, local: dict) -> dict[str, tuple[str | None, str | None]]:
    """Team -> the earliest last loaded day of its resources, in the warehouse's state and in the local one."""

    def earliest(state: dict) -> dict[str, str]:
        days: dict[str, str] = {}
        for source in state.get("sources", {}).values():
            for resource in source.get("resources", {}).values():
                for team, team_state in resource.get("teams", {}).items():
                    if day := team_state.get("last_loaded_day"):
                        days[team] = min(days.get(team, day), day)
        return days

    there, here = earliest(remote), earliest(local)
    return {team: (there.get(team), here.get(team)) for team in sorted(there.keys() | here.keys())}
