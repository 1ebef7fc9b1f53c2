"""How the simulator serves (rate limits, Retry-After, removed members, response shapes, faults): plain data, so
the command line can offer the choices without importing the HTTP server."""

from __future__ import annotations

from dataclasses import dataclass, field

from .faults import Fault

RATE_LIMIT_MODES = ("fixed", "sliding")


@dataclass
class SimulatorOptions:
    """How the simulator serves: rate limits (``rate_limit_mode`` "fixed": per window of ``window_seconds``
    starting on the clock's multiples; "sliding": over any trailing ``window_seconds``), Retry-After on 429s,
    removed members in ``/teams/members``, the faults active from the start, and the shape of ``/teams/spend``:
    ``spend_included_field`` adds ``includedSpendCents`` (an earlier live shape; DOC-CUR has no such field) and
    ``spend_overage_only`` makes ``spendCents`` the spend above the plan's included amount, 0 within it (a later
    live shape, reference §5.2). ``commit_details`` False turns the limited-alpha commit-detail route
    (``/analytics/ai-code/commits/:hash``) off: it then answers 404, as for a team without alpha access."""

    rate_limits: bool = True
    window_seconds: float = 60.0
    retry_after: bool = True
    include_removed_members: bool = False
    faults: list[Fault] = field(default_factory=list)
    rate_limit_mode: str = "fixed"
    spend_included_field: bool = False
    spend_overage_only: bool = False
    commit_details: bool = True

    def __post_init__(self) -> None:
        if self.rate_limit_mode not in RATE_LIMIT_MODES:
            raise ValueError(f"unknown rate limit mode {self.rate_limit_mode!r}; choose fixed or sliding")
