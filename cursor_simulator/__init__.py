"""A local, faithful simulator of the Cursor Admin API (DOC-CUR shapes), served over real HTTP.

    from cursor_simulator import Simulator, TeamSpec, serve
    with serve(Simulator([TeamSpec(api_key="crsr_...", members=50, days=30, seed=7)])) as server:
        ...  # server.base_url

The simulator's own Python objects (``simulator.team().events_in(...)`` and friends) are the ground truth
that tests and benchmarks compare the warehouse with; ``simulator.team().planted`` says what the team's planted
scenarios (``TeamSpec(scenarios=(Scenario(...), ...))``) changed, and ``simulator.team().ai_code.costs()`` what each
commit and repository cost (:mod:`.analytics`). An organization of some of the teams (``Simulator(teams,
organizations=[OrgSpec(...)])``) answers the Organization API; ``simulator.organization().pool`` is the ground truth
of its contract pool per day (:mod:`.pool`). Its command line is :mod:`cursor_simulator.cli`
(``cursor-spend simulate``). Names load on first use, so the command line offers its options without importing the
HTTP server.
"""

from __future__ import annotations

from importlib import import_module

_WHERE = {
    "Simulator": "app",
    "Fault": "faults",
    "RATE_LIMIT_MODES": "options",
    "SimulatorOptions": "options",
    "OrgSpec": "organization",
    "organization_of": "organization",
    "SCENARIO_KINDS": "scenarios",
    "Planted": "scenarios",
    "Scenario": "scenarios",
    "SimulatorServer": "server",
    "free_port": "server",
    "serve": "server",
    "PLANS": "team",
    "TeamSpec": "team",
}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(name)


__all__ = sorted(_WHERE)
