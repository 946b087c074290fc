"""`python -m bench`: the engine's latency and fleet benchmarks, the bot's ack latency,
the digest over a fleet and the playground's responsiveness, printed as figures.

The emulator runs in a child process, so the wall time, CPU and peak RSS measured here
are the diagnosing process's own, as in a real run against the cloud; the bot runs in
a process of its own too (bench/bot_ack.py).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import resource
import statistics
import subprocess
import sys
import time

from bench.goals import MISSED, at_most, below, mark
from bench.harness import emulator
from bench.worlds import fleet_world, latency_world
from diagnostics.cloud.clients import CloudSettings, build_clients, credential_client
from diagnostics.engine import Diagnoser

IDS_PER_CALL = 100  # ECS DescribeInstances / DescribeInstancesFullStatus batch size
BATCHED = {"ecs:DescribeInstances", "ecs:DescribeInstancesFullStatus"}
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


async def _diagnose(settings: CloudSettings, names: list[str] | None) -> tuple[float, Diagnoser]:
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


def latency_bench(latency_ms: int, runs: int) -> None:
    """(a) One diagnosis against 100 ms per call, over its critical path of dependent calls."""
    # Dependent calls, in order: DescribeVpcAccesses (with the gateway alongside) →
    #   ECS: DescribeInstances → DescribeSecurityGroupAttribute                    (3)
    #   CLB: DescribeLoadBalancerAttribute ∥ Listeners → backend DescribeInstances
    #        → DescribeSecurityGroupAttribute                                      (4)
    critical_path = {"ecs-0": 3, "lb-0-80": 4}
    print(f"(a) one diagnosis, {latency_ms} ms per call, median of {runs} runs")
    with emulator(latency_world(latency_ms)) as (settings, _):
        for name, depth in critical_path.items():
            times = [asyncio.run(_diagnose(settings, [name]))[0] for _ in range(runs)]
            wall = statistics.median(times)
            bound = depth * latency_ms / 1000
            kind = "ECS" if name.startswith("ecs") else "CLB"
            goal = at_most(f"(a) {kind} wall", wall / bound, 1.25, "1.25×")
            print(
                f"    {kind} target: {wall * 1000:6.0f} ms wall, critical path {depth} calls"
                f" = {bound * 1000:.0f} ms → {wall / bound:.2f}× {goal}"
            )


def fleet_bench(qps: float) -> None:
    """(b) --all over 500 authorizations sharing 50 groups and 20 CLBs, throttled per action."""
    world = fleet_world(qps=qps, actions=FLEET_ACTIONS)
    print(
        f"(b) --all over {len(world['vpc_accesses'])} authorizations, "
        f"{len(world['security_groups'])} security groups, {len(world['clb_instances'])} CLBs, "
        f"throttle {qps:.0f} calls/s per action"
    )
    with emulator(world) as (settings, served):
        cpu_before = time.process_time()
        wall, diagnoser = asyncio.run(_diagnose(settings, None))
        cpu = time.process_time() - cpu_before
    report_calls(diagnoser, world, served, qps, wall, cpu)


def report_calls(
    diagnoser: Diagnoser,
    world: dict,
    served: dict[str, int],
    qps: float,
    wall: float,
    cpu: float,
    label: str = "(b)",
) -> None:
    """Calls made against the distinct lookups needed, wall time against the throttle bound."""
    made = diagnoser.lookups.clients.caller.attempts
    needed = {
        action: math.ceil(n / IDS_PER_CALL) if action in BATCHED else n
        for action, n in diagnoser.lookups.distinct.items()
    }
    # Reading a load balancer takes its attribute and its listeners: two calls.
    needed["slb:DescribeLoadBalancerListeners"] = needed.get("slb:DescribeLoadBalancerAttribute", 0)
    # A listing needs one call per page of 100.
    needed["apigateway:DescribeVpcAccesses"] = math.ceil(len(world["vpc_accesses"]) / IDS_PER_CALL)
    bound = max(max(0.0, (n - qps) / qps) for n in needed.values())
    total_made, total_needed = sum(made.values()), sum(needed.values())
    print(f"    {'per action':46} {'made':>5} {'needed':>6}")
    for action in sorted(set(made) | set(needed)):
        print(f"      {action:44} {made.get(action, 0):5d} {needed.get(action, 0):6d}")
    ratio = total_made / total_needed
    print(
        f"    calls made {total_made} (emulator counted {sum(served.values())}) / "
        f"needed {total_needed} → {ratio:.2f}× {at_most(f'{label} calls', ratio, 1.1, '1.1×')}"
    )
    print(
        f"    wall {wall:.2f} s / throttle bound {bound:.2f} s → {wall / bound:.2f}× "
        f"{at_most(f'{label} wall', wall / bound, 1.3, '1.3×')}; CPU {cpu:.2f} s"
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"    peak RSS {rss_mb:.0f} MB {below(f'{label} RSS', rss_mb, 200, '200 MB')}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--qps", type=float, default=50)
    parser.add_argument("--commands", type=int, default=50, help="slash commands in the burst")
    parser.add_argument("--only", choices=("latency", "fleet", "bot", "digest", "playground"))
    args = parser.parse_args(argv)
    if args.only in (None, "latency"):
        latency_bench(args.latency_ms, args.runs)
    if args.only in (None, "fleet"):
        fleet_bench(args.qps)
    if args.only in (None, "bot"):
        from bench.bot_ack import bot_bench  # late: Slack's modules would swell (b)'s peak RSS

        bot_bench(args.latency_ms, args.commands)
    if args.only == "digest":
        from bench.digest_fleet import digest_bench

        digest_bench()
    elif args.only is None:  # in a process of its own, so its peak RSS is its own
        digest = subprocess.run([sys.executable, "-m", "bench", "--only", "digest"])
        mark("(d) digest (see above)", digest.returncode == 0)
    if args.only in (None, "playground"):
        from bench.playground import playground_bench

        playground_bench()
    if MISSED:
        print(f"goals MISSED: {'; '.join(MISSED)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
