"""Progress of the source on the running pipeline's dlt collector, as ``"<resource> [<team>]"`` counters (pages,
or events); the CLI draws them as bars."""

from __future__ import annotations

from dlt.common.configuration.container import Container
from dlt.common.pipeline import PipelineContext


def count(resource: str, team: str, inc: int, total: int | None = None, inc_total: int | None = None) -> None:
    """Count work done on the running pipeline's collector (a no-op with dlt's null collector).

    The active pipeline is read from dlt's pipeline context: ``dlt.current.pipeline()`` resolves the pipeline's whole
    configuration on every call (milliseconds, once per page of events), and makes a new pipeline when none is
    active."""
    context = Container()[PipelineContext]
    if context.is_active():  # not when the source is used on its own
        context.pipeline().collector.update(f"{resource} [{team}]", inc=inc, total=total, inc_total=inc_total)
