"""Running the simulator: in a background thread for tests, or in the foreground for the demo."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

from sources.calven_sim.api.errors import DropConnection
from sources.calven_sim.app import create_app
from sources.calven_sim.auth import ApiKey
from sources.calven_sim.control import Simulator, SimulatorConfig, pick_key

logger = logging.getLogger(__name__)
LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8765
STARTUP_TIMEOUT_SECONDS = 15.0
SHUTDOWN_GRACE_SECONDS = 2

__all__ = ["RunningSimulator", "SimulatorConfig", "run_simulator", "serve"]


@dataclass(frozen=True)
class RunningSimulator:
    """A simulator serving on loopback: where it is, and the object that controls it."""

    base_url: str
    sim: Simulator

    @property
    def keys(self) -> list[ApiKey]:
        """The API keys the server accepts."""
        return self.sim.keys

    def key(self, role: str = "warehouse", basic: bool = False) -> ApiKey:
        """The first key with this role and Basic setting."""
        return pick_key(self.sim.keys, role, basic)


class _DropFilter(logging.Filter):
    """Hides uvicorn's error record for the connection resets the simulator injects on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DropConnection))


def _quiet_injected_resets() -> None:
    server_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropFilter) for f in server_log.filters):
        server_log.addFilter(_DropFilter())


def uvicorn_config(
    sim: Simulator, host: str, port: int, log_level: str, own_logging: bool
) -> uvicorn.Config:
    # Access logging costs measurable throughput and the request log already records requests.
    # Embedded (tests, demo), uvicorn must not replace the host process's logging configuration.
    extra: dict[str, Any] = {} if own_logging else {"log_config": None}
    return uvicorn.Config(
        create_app(sim),
        host=host,
        port=port,
        http="httptools",
        lifespan="off",
        access_log=False,
        log_level=log_level,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
        **extra,
    )


@contextmanager
def run_simulator(config: SimulatorConfig | None = None) -> Iterator[RunningSimulator]:
    """Serves a new simulator on 127.0.0.1 and an ephemeral port while the block runs.

    Raises:
        RuntimeError: When the server does not start within 15 s.
    """
    sim = Simulator(config)
    _quiet_injected_resets()
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and
    # without it every keep-alive response waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(sim, LOOPBACK, port, "warning", own_logging=False))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"calven-sim-{port}", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"simulator did not start on {LOOPBACK}:{port}")
            time.sleep(0.01)
        logger.debug("simulator serving on %s:%d", LOOPBACK, port)
        yield RunningSimulator(base_url=f"http://{LOOPBACK}:{port}", sim=sim)
    finally:
        server.should_exit = True
        thread.join(timeout=SHUTDOWN_GRACE_SECONDS + 5)
        sock.close()


def serve(
    host: str = LOOPBACK, port: int = DEFAULT_PORT, config: SimulatorConfig | None = None
) -> None:
    """Serves in the foreground until Ctrl-C, after printing the address and the demo keys."""
    sim = Simulator(config)
    _quiet_injected_resets()
    tenant = sim.tenant
    print(f"Calven API simulator on http://{host}:{port}  (OpenAPI: /docs, /openapi.json)")
    print(f"tenant: seed={sim.config.tenant.seed} days {tenant.first_day} .. {tenant.today}")
    print("demo credentials (api key id / secret, role, auth):")
    for key in sim.keys:
        auth = "Basic (/basic endpoints)" if key.basic_enabled else "HMAC or client secret"
        print(f"  {key.key_id}  {key.secret}  {key.role:<9}  {auth}")
    uvicorn.Server(uvicorn_config(sim, host, port, "info", own_logging=True)).run()
