"""`python -m bench`: the engine's latency and fleet benchmarks, the bot's ack latency,
the digest over a fleet and the playground's responsiveness, printed as figures.

The emulator runs in a child process, so the wall time, CPU and peak RSS measured here
are the diagnosing process's own, as in a real run against the cloud; the bot runs in
a process of its own too (bench/bot_ack.py).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys

from bench.fleet import compare, diagnose_fleet, run_in_child
from bench.goals import MISSED, at_most, mark
from bench.harness import emulator
from bench.worlds import latency_world


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
            times = [asyncio.run(diagnose_fleet(settings, [name]))[0] for _ in range(runs)]
            wall = statistics.median(times)
            bound = depth * latency_ms / 1000
            kind = "ECS" if name.startswith("ecs") else "CLB"
            goal = at_most(f"(a) {kind} wall", wall / bound, 1.25, "1.25×")
            print(
                f"    {kind} target: {wall * 1000:6.0f} ms wall, critical path {depth} calls"
                f" = {bound * 1000:.0f} ms → {wall / bound:.2f}× {goal}"
            )


def fleet_benches(qps: float, only: str | None) -> None:
    """(b) the first edition's fleet and (b2) one of real shape, each in a process of its
    own, then their figures side by side."""
    first = run_in_child("first", qps) if only in (None, "fleet") else None
    real = run_in_child("real", qps) if only in (None, "fleet", "real-fleet") else None
    if first and real:
        print("(b) the two fleets side by side")
        compare(first, real)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--qps", type=float, default=50)
    parser.add_argument("--commands", type=int, default=50, help="slash commands in the burst")
    parser.add_argument(
        "--only", choices=("latency", "fleet", "real-fleet", "bot", "digest", "playground")
    )
    args = parser.parse_args(argv)
    if args.only in (None, "latency"):
        latency_bench(args.latency_ms, args.runs)
    if args.only in (None, "fleet", "real-fleet"):
        fleet_benches(args.qps, args.only)
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
