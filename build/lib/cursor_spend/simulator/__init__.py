"""A local, faithful simulator of the Cursor Admin API (DOC-CUR shapes), served over real HTTP.

    from cursor_spend.simulator import Simulator, TeamSpec, serve
    with serve(Simulator([TeamSpec(api_key="crsr_...", members=50, days=30, seed=7)])) as server:
        ...  # server.base_url

The simulator's own Python objects (``simulator.team().events_in(...)`` and friends) are the ground truth
that tests and benchmarks compare the warehouse with; ``simulator.team().planted`` says what the team's planted
scenarios (``TeamSpec(scenarios=(Scenario(...), ...))``) changed.
"""

from .app import RATE_LIMIT_MODES, Simulator, SimulatorOptions
from .faults import Fault
from .scenarios import SCENARIO_KINDS, Planted, Scenario
from .server import SimulatorServer, free_port, serve
from .team import PLANS, TeamSpec

__all__ = [
    "PLANS",
    "RATE_LIMIT_MODES",
    "SCENARIO_KINDS",
    "Fault",
    "Planted",
    "Scenario",
    "Simulator",
    "SimulatorOptions",
    "SimulatorServer",
    "TeamSpec",
    "free_port",
    "serve",
]
