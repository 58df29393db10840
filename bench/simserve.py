"""Serve a simulated tenant in this process and print its port: the benchmarks' API server.

Benchmarks run the simulator in a child process (``python -m bench.simserve ...``) so that
rendering responses does not compete with the pipeline under test for the GIL. The first line
on stdout is the port; the demo keys follow from the seed (``default_keys``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import socket
import sys
from collections.abc import Sequence

import uvicorn

from sources.calven_sim.control import Simulator, SimulatorConfig
from sources.calven_sim.faults import Latency
from sources.calven_sim.server import uvicorn_config
from sources.calven_sim.tenant import TenantConfig


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the tenant from the command line, bind an ephemeral port, serve until killed."""
    parser = argparse.ArgumentParser(prog="python -m bench.simserve")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--locations", type=int, required=True)
    parser.add_argument("--days", type=int, required=True, help="days of history")
    parser.add_argument("--today", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--cache-user-days", type=int, default=0, help="see TenantConfig")
    args = parser.parse_args(argv)
    tenant = TenantConfig(
        seed=args.seed,
        users=args.users,
        locations=args.locations,
        history_days=args.days,
        future_days=0,
        today=args.today,
        cache_user_days=args.cache_user_days,
    )
    sim = Simulator(SimulatorConfig(tenant=tenant, latency=Latency(fixed_ms=args.latency_ms)))
    # IPPROTO_TCP so asyncio sets TCP_NODELAY (see sources.calven_sim.server).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    # Listening before the port is printed: early connections wait in the backlog.
    sock.listen(256)
    print(sock.getsockname()[1], flush=True)
    config = uvicorn_config(sim, "127.0.0.1", 0, "warning", own_logging=False)
    uvicorn.Server(config).run(sockets=[sock])
    sys.exit(0)


if __name__ == "__main__":
    main()
