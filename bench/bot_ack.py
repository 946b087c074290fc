"""(c) The bot's ack latency under a burst of `/vpc-test NAME`, and its memory.

Three processes, as deployed: the bot (`python -m cli serve`), the Alibaba emulator
(every call slowed by `latency_ms`) and this one, which plays Slack: its Web API
(SlackServer, in a thread) and the platform sending signed slash commands.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.bot_process import bot_process, free_port
from bench.harness import emulator
from cli.sandbox import demo_world_path
from emulator.slack import SlackPlatform, SlackServer

GOAL_P99_MS = 100.0
RESULT_TIMEOUT_S = 120.0
USER, CHANNEL, APPROVALS, APPROVER = "U0BENCH001", "C0BENCH001", "C0APPROVE1", "U0ALICE01"


def demo_world(latency_ms: int) -> dict[str, Any]:
    """The bundled demo world (several authorizations), every cloud call slowed."""
    world = yaml.safe_load(demo_world_path().read_text(encoding="utf-8"))
    world["faults"] = {**(world.get("faults") or {}), "latency_ms": latency_ms}
    return world


@dataclass
class Burst:
    acks_ms: list[float]  # as the sender saw them
    acked: int  # 200 with the "Testing …" ack
    posted: int  # results in the channel
    last_result_s: float  # from the first send to the last result posted


def percentile(values: list[float], p: int) -> float:
    """The p-th percentile, interpolated between the closest ranks."""
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


async def burst(slack: SlackServer, events_url: str, names: list[str], count: int) -> Burst:
    """Send `count` slash commands at once; wait for every result (or the timeout)."""
    async with SlackPlatform(slack, events_url, user=USER, channel=CHANNEL, timeout=30) as platform:
        started = time.monotonic()
        deliveries = await asyncio.gather(
            *(platform.slash(names[n % len(names)]) for n in range(count))
        )
    deadline = started + RESULT_TIMEOUT_S
    while len(slack.posted(CHANNEL)) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    posts = [c for c in slack.calls_to("chat.postMessage") if c.ok]
    return Burst(
        acks_ms=[d.elapsed * 1000 for d in deliveries],
        acked=sum(d.ok and "Testing" in str(d.ack) for d in deliveries),
        posted=len(slack.posted(CHANNEL)),
        last_result_s=max((c.time for c in posts), default=started) - started,
    )


def bot_bench(latency_ms: int, count: int) -> None:
    world = demo_world(latency_ms)
    names = [a["name"] for a in world["vpc_accesses"]]
    print(
        f"(c) the bot: {count} × /vpc-test NAME at once over HTTP ({len(names)} names), "
        f"{latency_ms} ms per cloud call"
    )
    with (
        tempfile.TemporaryDirectory(prefix="vpc-test-bench-") as tmp,
        SlackServer(users=[USER, APPROVER], channels=[CHANNEL, APPROVALS]) as slack,
        emulator(world) as (cloud, _),
    ):
        creds = world["credentials"]
        settings = {
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_SIGNING_SECRET": slack.signing_secret,
            "SLACK_API_URL": slack.api_url,
            "SLACK_APPROVAL_CHANNEL": APPROVALS,
            "VPCTEST_APPROVERS": APPROVER,
            "VPCTEST_REGION": world["region"],
            "ALIBABA_CLOUD_ENDPOINT": cloud.endpoint_url or "",
            "ALIBABA_CLOUD_ACCESS_KEY_ID": creds["access_key_id"],
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": creds["access_key_secret"],
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bot.db'}",
            "PORT": str(free_port()),
        }
        with bot_process(settings, Path(tmp) / "bot.log") as bot:
            idle_kb = bot.memory_kb("VmRSS")
            result = asyncio.run(burst(slack, f"{bot.url}/slack/events", names, count))
            peak_kb = bot.memory_kb("VmHWM")
    _print(result, count, idle_kb, peak_kb)


def _print(result: Burst, count: int, idle_kb: int, peak_kb: int) -> None:
    acks = result.acks_ms
    p99 = percentile(acks, 99)
    finished = result.posted == count
    print(
        f"    ack p50 {statistics.median(acks):.0f} ms, p99 {p99:.0f} ms, max {max(acks):.0f} ms"
        f" (goal p99 < {GOAL_P99_MS:.0f} ms: {'met' if p99 < GOAL_P99_MS else 'MISSED'});"
        f" {result.acked}/{count} acked"
    )
    print(
        f"    results {result.posted}/{count} posted"
        f" ({'every diagnosis finished' if finished else 'NOT all finished'}),"
        f" the last {result.last_result_s:.2f} s after the burst"
    )
    print(f"    bot RSS idle {idle_kb / 1024:.0f} MB, peak {peak_kb / 1024:.0f} MB")
