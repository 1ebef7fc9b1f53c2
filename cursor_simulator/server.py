"""Serve a :class:`Simulator` over real HTTP with uvicorn: in a background thread for tests and the demo, or
in the foreground for ``cursor-spend simulate``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from .app import Simulator


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class SimulatorServer:
    """A simulator listening on ``host:port`` in a daemon thread."""

    def __init__(self, simulator: Simulator, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.simulator = simulator
        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(simulator.app, host=host, port=self.port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="cursor-api-simulator", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> SimulatorServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the simulator did not start on {self.base_url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@contextmanager
def serve(simulator: Simulator, host: str = "127.0.0.1", port: int | None = None) -> Iterator[SimulatorServer]:
    """Run the simulator for the duration of a ``with`` block."""
    server = SimulatorServer(simulator, host, port).start()
    try:
        yield server
    finally:
        server.stop()


def serve_forever(simulator: Simulator, host: str, port: int) -> None:
    uvicorn.run(simulator.app, host=host, port=port, log_level="warning", lifespan="off")
