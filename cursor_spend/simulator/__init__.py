"""A local, faithful simulator of the Cursor Admin API (DOC-CUR shapes), served over real HTTP.

    from cursor_spend.simulator import Simulator, TeamSpec, serve
    with serve(Simulator([TeamSpec(api_key="crsr_...", members=50, days=30, seed=7)])) as server:
        ...  # server.base_url

The simulator's own Python objects (``simulator.team().events_in(...)`` and friends) are the ground truth
that tests and benchmarks compare the warehouse with.
"""

from .app import Simulator, SimulatorOptions
from .faults import Fault
from .server import SimulatorServer, free_port, serve
from .team import PLANS, TeamSpec

__all__ = [
    "PLANS",
    "Fault",
    "Simulator",
    "SimulatorOptions",
    "SimulatorServer",
    "TeamSpec",
    "free_port",
    "serve",
]
