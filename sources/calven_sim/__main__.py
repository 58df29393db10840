"""``python -m sources.calven_sim``: serve a simulated Calven API in the foreground."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from sources.calven_sim.control import SimulatorConfig
from sources.calven_sim.server import DEFAULT_PORT, LOOPBACK, serve
from sources.calven_sim.tenant import TenantConfig


def main(argv: Sequence[str] | None = None) -> None:
    """Parses the command line and serves until Ctrl-C."""
    defaults = TenantConfig()
    parser = argparse.ArgumentParser(
        prog="python -m sources.calven_sim", description="Serve a simulated Calven API."
    )
    parser.add_argument("--host", default=LOOPBACK, help="interface to bind (default: loopback)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--users", type=int, default=defaults.users)
    parser.add_argument("--locations", type=int, default=defaults.locations)
    parser.add_argument("--days", type=int, default=defaults.history_days, help="days of history")
    parser.add_argument("--future-days", type=int, default=defaults.future_days)
    args = parser.parse_args(argv)
    tenant = TenantConfig(
        seed=args.seed,
        users=args.users,
        locations=args.locations,
        history_days=args.days,
        future_days=args.future_days,
    )
    serve(host=args.host, port=args.port, config=SimulatorConfig(tenant=tenant))


if __name__ == "__main__":
    main()
