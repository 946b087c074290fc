"""(c) The bot's ack latency under a burst of `/vpc-test NAME`, and its memory.

Three processes, as deployed: the bot (`python -m cli serve`), the Alibaba emulator
(every call slowed by `latency_ms`) and this one, which plays Slack: its Web API
(SlackServer, in a thread) and the platform sending signed slash commands.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench import raw_http
from bench.bot_process import bot_process, free_port
from bench.goals import below, mark
from bench.harness import emulator
from vpctest.cli.sandbox import demo_world_path
from vpctest.slack_emulator import SlackPlatform, SlackServer

GOAL_P99_MS = 100.0
RESULT_TIMEOUT_S = 120.0
USER, CHANNEL, APPROVALS, APPROVER = "U0BENCH001", "C0BENCH001", "C0APPROVE1", "U0ALICE01"
LOADED_CHANNEL = "C0BENCH002"  # the burst beside CPU-bound neighbours posts here
BUSY_LOOP = "while True: pass"


@contextmanager
def cpu_bound_neighbours(count: int | None = None) -> Iterator[int]:
    """One process per core spinning on the CPU beside the bot, as on a loaded machine."""
    count = count or os.cpu_count() or 1
    spinning = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(count)]
    try:
        time.sleep(0.5)  # let them take the cores
        yield count
    finally:
        for process in spinning:
            process.kill()
        for process in spinning:
            process.wait()


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


async def burst(
    slack: SlackServer, events_url: str, names: list[str], count: int, channel: str = CHANNEL
) -> Burst:
    """Send `count` slash commands at once (timed at the socket: bench/raw_http.py); wait for
    every result (or the timeout)."""
    async with SlackPlatform(slack, events_url, user=USER, channel=channel) as platform:
        prepared = [platform.prepare_slash(names[n % len(names)]) for n in range(count)]
    started = time.monotonic()
    answers = await raw_http.burst(events_url, [(p.body, p.headers) for p in prepared])
    acked = 0
    for slash, answer in zip(prepared, answers, strict=True):
        if answer.status == 200 and "Testing" in answer.body:
            acked += 1
            slack.acknowledge_command(slash.response_url, _ack_body(answer.body))
    deadline = started + RESULT_TIMEOUT_S
    while len(slack.posted(channel)) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    posts = [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.ok and c.payload.get("channel") == channel
    ]
    return Burst(
        acks_ms=[a.elapsed * 1000 for a in answers],
        acked=acked,
        posted=len(slack.posted(channel)),
        last_result_s=max((c.time for c in posts), default=started) - started,
    )


def _ack_body(body: str) -> Any:
    """What the bot acked with, as Slack reads it: JSON, or plain text."""
    try:
        return json.loads(body)
    except ValueError:
        return {"text": body}


def bot_bench(latency_ms: int, count: int) -> None:
    world = demo_world(latency_ms)
    names = [a["name"] for a in world["vpc_accesses"]]
    print(
        f"(c) the bot: {count} × /vpc-test NAME at once over HTTP ({len(names)} names), "
        f"{latency_ms} ms per cloud call"
    )
    with (
        tempfile.TemporaryDirectory(prefix="vpc-test-bench-") as tmp,
        SlackServer(users=[USER, APPROVER], channels=[CHANNEL, APPROVALS, LOADED_CHANNEL]) as slack,
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
        events_url = ""
        with bot_process(settings, Path(tmp) / "bot.log") as bot:
            events_url = f"{bot.url}/slack/events"
            idle_kb = bot.memory_kb("VmRSS")
            result = asyncio.run(burst(slack, events_url, names, count))
            peak_kb = bot.memory_kb("VmHWM")
            _print(result, count, "quiet machine")
            with cpu_bound_neighbours() as neighbours:
                loaded = asyncio.run(burst(slack, events_url, names, count, LOADED_CHANNEL))
            _print(loaded, count, f"beside {neighbours} CPU-bound neighbour process(es)")
    print(f"    bot RSS idle {idle_kb / 1024:.0f} MB, peak {peak_kb / 1024:.0f} MB")


def _print(result: Burst, count: int, where: str) -> None:
    acks = result.acks_ms
    p99 = percentile(acks, 99)
    finished = result.posted == count
    goal = below(f"(c) ack p99, {where}", p99, GOAL_P99_MS, f"{GOAL_P99_MS:.0f} ms")
    print(f"    {where}:")
    print(
        f"      ack p50 {statistics.median(acks):.0f} ms, p99 {p99:.0f} ms, max {max(acks):.0f} ms"
        f" {goal}; {result.acked}/{count} acked"
    )
    done = mark(f"(c) every result posted, {where}", finished and result.acked == count)
    print(
        f"      results {result.posted}/{count} posted (goal: every diagnosis finished: {done}),"
        f" the last {result.last_result_s:.2f} s after the burst"
    )
