"""(d) A digest over 1,000 authorizations on 5 gateway instances, 20 calls/s per action.

The digest's cloud part (bot.digest.run.diagnose) with no --gateway: each authorization is
tested from the gateway its APIs run on. Run in its own process (`--only digest`) so its
peak RSS is its own.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.fleet import report_calls
from bench.harness import emulator
from bench.worlds import GATEWAY, fleet_world
from vpctest.bot.diagnosis import DiagnosisService
from vpctest.bot.digest.run import diagnose
from vpctest.diagnostics.cloud.clients import CloudSettings, build_clients, credential_client
from vpctest.diagnostics.engine import Diagnoser

GATEWAYS = 5
QPS = 20.0
ACTIONS = (
    "DescribeInstances",
    "DescribeVpcAccesses",
    "ValidateVpcConnectivity",
    "DescribeApisByVpcAccess",
    "DescribeApiGroup",
    "DescribeInstancesFullStatus",
    "DescribeSecurityGroupAttribute",
    "DescribeLoadBalancerAttribute",
    "DescribeLoadBalancerListeners",
    "DescribeHealthStatus",
)


def digest_world() -> dict[str, Any]:
    """900 ECS and 100 CLB authorizations, each used by one API on one of 5 gateways."""
    world = fleet_world(ecs_targets=900, clbs=20, listeners_per_clb=5, qps=QPS, actions=ACTIONS)
    world["gateways"] = [
        {**GATEWAY, "id": f"apigateway-{g}", "name": f"gw-{g}"} for g in range(GATEWAYS)
    ]
    for n, access in enumerate(world["vpc_accesses"]):
        g = n % GATEWAYS
        access["apis"] = [
            {
                "id": f"api-{n}",
                "name": f"Api{n}",
                "group_id": f"grp-{g}",
                "gateway_id": f"apigateway-{g}",
            }
        ]
    return world


async def _run(settings: CloudSettings) -> tuple[float, Diagnoser, int, int]:
    clients = build_clients(settings, credential_client(settings))
    diagnoser = Diagnoser(clients)
    started = time.perf_counter()
    found = await diagnose(DiagnosisService(clients), None, diagnoser)
    wall = time.perf_counter() - started
    assert found.error is None, found.error
    return wall, diagnoser, len(found.reports), len(found.unknown)


def digest_bench() -> None:
    world = digest_world()
    print(
        f"(d) digest over {len(world['vpc_accesses'])} authorizations on {GATEWAYS} gateways, "
        f"throttle {QPS:.0f} calls/s per action"
    )
    with emulator(world) as (settings, served):
        cpu_before = time.process_time()
        wall, diagnoser, tested, unknown = asyncio.run(_run(settings))
        cpu = time.process_time() - cpu_before
    print(f"    {tested} tested, {unknown} unknown")
    report_calls(diagnoser, world, served, QPS, wall, cpu, label="(d)")
