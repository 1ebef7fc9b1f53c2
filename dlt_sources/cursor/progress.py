"""Progress of the source on the running pipeline's dlt collector, as ``"<resource> [<team>]"`` counters (pages,
or events); the CLI draws them as bars."""

from __future__ import annotations

import dlt


def count(resource: str, team: str, inc: int, total: int | None = None, inc_total: int | None = None) -> None:
    """Count work done on the running pipeline's collector (a no-op with dlt's null collector)."""
    try:
        collector = dlt.current.pipeline().collector
    except Exception:  # no active pipeline (the source used on its own)
        return
    collector.update(f"{resource} [{team}]", inc=inc, total=total, inc_total=inc_total)
