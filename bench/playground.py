"""(e) The playground as a person meets it: how soon it is up, how soon a command's result
reaches the page (over server-sent events), and what it costs in memory."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]


def _peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's peak resident set, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Stream:
    """The page's server-sent events: the latest `state`, and a way to wait for one."""

    def __init__(self) -> None:
        self.state: dict[str, Any] = {}
        self.changed = asyncio.Event()

    async def follow(self, session: aiohttp.ClientSession, url: str) -> None:
        timeout = aiohttp.ClientTimeout(total=None)
        async with session.get(url + "api/events", timeout=timeout) as stream:
            name, data = "", ""
            async for raw in stream.content:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif not line and data:
                    if name == "state":
                        self.state = json.loads(data)
                        self.changed.set()
                    data = ""

    async def until(self, probe: Any, timeout: float = 20) -> Any:
        deadline = time.perf_counter() + timeout
        while (found := probe(self.state)) is None:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), deadline - time.perf_counter())
        return found


def _result(name: str, after: set[str]) -> Any:
    def probe(state: dict[str, Any]) -> dict[str, Any] | None:
        return next(
            (
                m
                for m in state.get("messages", [])
                if m["ts"] not in after
                and not m.get("ephemeral_to")
                and m.get("blocks")
                and m["text"].startswith(name)
            ),
            None,
        )

    return probe


async def _round_trips(url: str, runs: int) -> tuple[list[float], list[float], list[float]]:
    """(slash → ack at the page, slash → result on the page, Re-run → updated on the page), s."""
    acks, results, reruns = [], [], []
    async with aiohttp.ClientSession() as session:
        stream = Stream()
        follower = asyncio.create_task(stream.follow(session, url))
        await stream.until(lambda s: s or None)
        for _ in range(runs):
            seen = {m["ts"] for m in stream.state["messages"]}
            started = time.perf_counter()
            body = {"user": "U0DEVELOP1", "channel": "C0GENERAL1", "text": "billing-backend"}
            async with session.post(url + "api/slash", json=body) as answer:
                assert (await answer.json())["delivery"]["ok"]
            acks.append(time.perf_counter() - started)
            message = await stream.until(_result("billing-backend", seen))
            results.append(time.perf_counter() - started)
            block = next(b for b in message["blocks"] if "rerun" in json.dumps(b))
            started = time.perf_counter()
            click = {
                "user": "U0DEVELOP1",
                "target": message["ts"],
                "action_id": "rerun",
                "block_id": block["block_id"],
            }
            async with session.post(url + "api/click", json=click) as answer:
                assert (await answer.json())["delivery"]["ok"]
            edited = (message.get("edited") or {}).get("ts")

            def updated(state: dict[str, Any], ts: str = message["ts"], was: Any = edited) -> Any:
                m = next((m for m in state["messages"] if m["ts"] == ts), None)
                now = (m or {}).get("edited", {}).get("ts")
                blocks = (m or {}).get("blocks") or []
                done = now != was and "rerun" in json.dumps(blocks)
                return m if done else None

            await stream.until(updated)
            reruns.append(time.perf_counter() - started)
        follower.cancel()
    return acks, results, reruns


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:4.0f} ms, p95 {p95 * 1000:4.0f} ms"


def playground_bench(runs: int = 20) -> None:
    print(f"(e) the playground: start-up, and {runs} commands and Re-runs seen through the page")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ALIBABA_CLOUD_"))}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "vpctest.cli", "playground", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    url = ""
    for line in process.stdout:
        if line.startswith("vpc-test playground: "):
            url = line.split(": ", 1)[1].strip()
            address_s = time.perf_counter() - started
        if line.startswith("ready:"):
            ready_s = time.perf_counter() - started
            break
    try:
        acks, results, reruns = asyncio.run(_round_trips(url, runs))
        with urllib.request.urlopen(url + "api/state", timeout=10) as answer:
            bot_pid = json.load(answer)["bot"]["pid"]
        playground_mb, bot_mb = _peak_rss_mb(process.pid), _peak_rss_mb(bot_pid)
    finally:
        stopping = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        status = process.wait(30)
        stop_s = time.perf_counter() - stopping
    print(
        f"    address printed after {address_s:.1f} s; bot up and digest subscribed after "
        f"{ready_s:.1f} s"
    )
    print(f"    /vpc-test NAME → ack back at the page:     {_ms(acks)}")
    print(f"    /vpc-test NAME → result on the page (SSE): {_ms(results)}")
    print(f"    Re-run click   → message updated (SSE):    {_ms(reruns)}")
    print(
        f"    peak RSS: playground {playground_mb:.0f} MB (both emulators and the page's "
        f"server), bot {bot_mb:.0f} MB"
    )
    print(f"    SIGTERM → exited {status} after {stop_s:.2f} s, the bot with it")
