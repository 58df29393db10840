"""run_simulator and the command line: loopback binding, keep-alive speed, argument mapping."""

from __future__ import annotations

import time

import httpx

from sources.calven_sim import __main__ as cli
from sources.calven_sim.control import SimulatorConfig
from sources.calven_sim.tenant import TenantConfig


def test_runs_on_loopback_with_an_ephemeral_port(shared_simulator):
    host, port = shared_simulator.base_url.removeprefix("http://").split(":")
    assert host == "127.0.0.1" and int(port) > 0
    assert shared_simulator.keys == shared_simulator.sim.keys
    assert shared_simulator.key(role="all").role == "all"


def test_keep_alive_requests_do_not_wait_for_delayed_acks(shared_simulator):
    # Without TCP_NODELAY every keep-alive response waits ~40 ms for the client's delayed ACK.
    with httpx.Client(base_url=shared_simulator.base_url) as client:
        client.get("/_sim/state")
        started = time.perf_counter()
        for _ in range(30):
            assert client.get("/_sim/state").status_code == 200
        assert time.perf_counter() - started < 0.9


def test_servers_stop_when_the_block_ends():
    from sources.calven_sim.server import run_simulator

    config = SimulatorConfig(tenant=TenantConfig(users=10, locations=1, history_days=5))
    with run_simulator(config) as running:
        url = f"{running.base_url}/_sim/state"
        assert httpx.get(url).status_code == 200
    try:
        httpx.get(url, timeout=1)
    except httpx.ConnectError:
        return
    raise AssertionError("the server still answers after run_simulator returned")


def test_command_line_maps_to_the_config(monkeypatch):
    seen = {}
    monkeypatch.setattr(cli, "serve", lambda **kwargs: seen.update(kwargs))
    argv = ["--port", "9001", "--seed", "5", "--users", "30", "--locations", "2", "--days", "40"]
    cli.main([*argv, "--future-days", "3"])
    assert seen["host"] == "127.0.0.1" and seen["port"] == 9001
    tenant = seen["config"].tenant
    assert (tenant.seed, tenant.users, tenant.locations, tenant.history_days) == (5, 30, 2, 40)
    assert tenant.future_days == 3 and tenant.today is None
    cli.main(["--host", "0.0.0.0"])
    assert seen["host"] == "0.0.0.0" and seen["config"].tenant == TenantConfig()
