"""(b) `--all` over a throttled fleet: the first edition's, and one of the second edition's
real shape. Each runs in a process of its own (`run_in_child`), so its peak RSS is its own.

The calls made are the emulator's per-action counts; the calls needed are one per distinct
key the run read, with ECS instance ids and ENI ids batched 100 a call, listings 100 a page
and a CLB ACL 50 entries a page.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing as mp
import resource
import sys
import time
from collections.abc import Mapping
from typing import Any

from bench.goals import MISSED, at_most, below
from bench.harness import emulator
from bench.worlds import fleet_world, real_fleet_world
from vpctest.diagnostics.cloud.clients import CloudSettings, build_clients, credential_client
from vpctest.diagnostics.engine import Diagnoser

IDS_PER_CALL = 100  # ECS DescribeInstances / DescribeInstancesFullStatus / ENIs batch size
BATCHED = {
    "ecs:DescribeInstances",
    "ecs:DescribeInstancesFullStatus",
    "ecs:DescribeNetworkInterfaces",
}
ACL_ACTION = "slb:DescribeAccessControlListAttribute"
ACL_PAGE = 50  # entries a DescribeAccessControlListAttribute page serves
FLEET_ACTIONS = (
    "DescribeInstances",
    "DescribeVpcAccesses",
    "ValidateVpcConnectivity",
    "DescribeApisByVpcAccess",
    "DescribeInstancesFullStatus",
    "DescribeSecurityGroupAttribute",
    "DescribeLoadBalancerAttribute",
    "DescribeLoadBalancerListeners",
    "DescribeHealthStatus",
)
# Every action the diagnosis of a vServer-group CLB behind an ACL calls.
REAL_FLEET_ACTIONS = (
    *FLEET_ACTIONS,
    "DescribeVServerGroupAttribute",
    "DescribeAccessControlListAttribute",
    "DescribeNetworkInterfaces",
)


async def diagnose_fleet(
    settings: CloudSettings, names: list[str] | None
) -> tuple[float, Diagnoser]:
    """`--all` (or the authorizations named): wall time and the run, every verdict a pass."""
    diagnoser = Diagnoser(build_clients(settings, credential_client(settings)))
    started = time.perf_counter()
    gateway, accesses = await asyncio.gather(diagnoser.gateway(None), diagnoser.vpc_accesses())
    if names is not None:
        accesses = [a for a in accesses if a.name in names]
    reports = [r async for r in diagnoser.diagnose_many(accesses, gateway)]
    elapsed = time.perf_counter() - started
    assert all(r.verdict.value == "pass" for r in reports), [
        (r.vpc_access.name, r.verdict, r.root_causes) for r in reports if r.verdict.value != "pass"
    ]
    return elapsed, diagnoser


def needed_calls(distinct: Mapping[str, int], world: dict[str, Any]) -> dict[str, int]:
    """The calls the distinct lookups of a run need at the APIs' batch and page sizes."""
    needed = {
        action: math.ceil(n / IDS_PER_CALL) if action in BATCHED else n
        for action, n in distinct.items()
    }
    # Reading a load balancer takes its attribute and its listeners: two calls.
    needed["slb:DescribeLoadBalancerListeners"] = needed.get("slb:DescribeLoadBalancerAttribute", 0)
    # A listing needs one call per page of 100.
    needed["apigateway:DescribeVpcAccesses"] = math.ceil(len(world["vpc_accesses"]) / IDS_PER_CALL)
    if ACL_ACTION in needed:  # every ACL a listener turns on, read once, 50 entries a page
        used = {
            listener["acl"]["id"]
            for lb in world["clb_instances"]
            for listener in lb["listeners"]
            if listener.get("acl", {}).get("status") == "on"
        }
        assert len(used) == distinct[ACL_ACTION], (sorted(used), distinct[ACL_ACTION])
        needed[ACL_ACTION] = sum(
            math.ceil(max(1, len(acl["entries"])) / ACL_PAGE)
            for acl in world["clb_acls"]
            if acl["id"] in used
        )
    return needed


def report_calls(
    diagnoser: Diagnoser,
    world: dict,
    served: dict[str, int],
    qps: float,
    wall: float,
    cpu: float,
    label: str = "(b)",
) -> dict[str, float]:
    """Calls made (the emulator's count) against the distinct lookups needed, wall time
    against the throttle bound, peak RSS; printed, and returned as figures."""
    sent = diagnoser.lookups.clients.caller.attempts
    needed = needed_calls(diagnoser.lookups.distinct, world)
    # A token bucket starts full: the first `qps` calls of an action pass at once.
    bound = max(max(0.0, (n - qps) / qps) for n in needed.values())
    total_made, total_needed = sum(served.values()), sum(needed.values())
    print(f"    {'per action':46} {'made':>5} {'needed':>6}")
    for action in sorted(set(served) | set(needed)):
        print(f"      {action:44} {served.get(action, 0):5d} {needed.get(action, 0):6d}")
    ratio = total_made / total_needed
    print(
        f"    calls made {total_made} (the client sent {sum(sent.values())}) / "
        f"needed {total_needed} → {ratio:.2f}× {at_most(f'{label} calls', ratio, 1.1, '1.1×')}"
    )
    print(
        f"    wall {wall:.2f} s / throttle bound {bound:.2f} s → {wall / bound:.2f}× "
        f"{at_most(f'{label} wall', wall / bound, 1.3, '1.3×')}; CPU {cpu:.2f} s"
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"    peak RSS {rss_mb:.0f} MB {below(f'{label} RSS', rss_mb, 200, '200 MB')}")
    return {
        "made": total_made,
        "needed": total_needed,
        "calls": ratio,
        "wall": wall,
        "bound": bound,
        "wall_ratio": wall / bound,
        "cpu": cpu,
        "rss": rss_mb,
    }


def fleet_bench(qps: float) -> dict[str, float]:
    """(b) --all over 500 authorizations sharing 50 groups and 20 CLBs, throttled per action."""
    world = fleet_world(qps=qps, actions=FLEET_ACTIONS)
    print(
        f"(b) first edition: --all over {len(world['vpc_accesses'])} authorizations, "
        f"{len(world['security_groups'])} security groups, {len(world['clb_instances'])} CLBs, "
        f"throttle {qps:.0f} calls/s per action"
    )
    return _run(world, qps, "(b)")


def real_fleet_bench(qps: float) -> dict[str, float]:
    """(b2) --all over 500 CLB authorizations: vServer groups with ENIs, ACLs of 200–1,000."""
    world = real_fleet_world(qps=qps, actions=REAL_FLEET_ACTIONS)
    lbs = world["clb_instances"]
    groups = [g for lb in lbs for g in lb["vserver_groups"]]
    sizes = [len(acl["entries"]) for acl in world["clb_acls"]]
    print(
        f"(b2) real shape: --all over {len(world['vpc_accesses'])} authorizations on {len(lbs)} "
        f"CLBs, {len(groups)} vServer groups of {min(len(g['backends']) for g in groups)}–"
        f"{max(len(g['backends']) for g in groups)} backends ({len(world['ecs_instances'])} ECS, "
        f"{len(world['network_interfaces'])} ENIs), {len(sizes)} ACLs of {min(sizes)}–"
        f"{max(sizes)} entries, throttle {qps:.0f} calls/s per action"
    )
    return _run(world, qps, "(b2)")


def _run(world: dict[str, Any], qps: float, label: str) -> dict[str, float]:
    with emulator(world) as (settings, served):
        cpu_before = time.process_time()
        wall, diagnoser = asyncio.run(diagnose_fleet(settings, None))
        cpu = time.process_time() - cpu_before
    return report_calls(diagnoser, world, served, qps, wall, cpu, label=label)


BENCHES = {"first": fleet_bench, "real": real_fleet_bench}


def _child(kind: str, qps: float, conn: Any) -> None:
    figures = BENCHES[kind](qps)
    conn.send((figures, list(MISSED)))


def run_in_child(kind: str, qps: float) -> dict[str, float] | None:
    """One fleet's bench in a spawned process of its own; its misses count here too."""
    sys.stdout.flush()  # what this process printed comes first
    parent, child = mp.Pipe()
    process = mp.get_context("spawn").Process(target=_child, args=(kind, qps, child))
    process.start()
    child.close()
    try:
        figures, missed = parent.recv()
    except EOFError:  # the child failed (its traceback is on stderr)
        figures, missed = None, [f"{kind} fleet bench ran"]
    process.join()
    MISSED.extend(missed)
    return figures


def compare(first: dict[str, float] | None, real: dict[str, float] | None) -> None:
    """The two fleets' figures side by side."""
    rows = (
        (
            "calls made / needed (≤ 1.1×)",
            lambda f: f"{f['made']:.0f}/{f['needed']:.0f} = {f['calls']:.2f}×",
        ),
        (
            "wall / throttle bound (≤ 1.3×)",
            lambda f: f"{f['wall']:.2f}/{f['bound']:.2f} s = {f['wall_ratio']:.2f}×",
        ),
        ("peak RSS (< 200 MB)", lambda f: f"{f['rss']:.0f} MB"),
        ("CPU", lambda f: f"{f['cpu']:.2f} s"),
    )
    print(f"    {'':32} {'(b) first edition':>24} {'(b2) real shape':>24}")
    for name, cell in rows:
        a = cell(first) if first else "failed"
        b = cell(real) if real else "failed"
        print(f"    {name:32} {a:>24} {b:>24}")
