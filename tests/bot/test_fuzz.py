"""Fuzzing, seeded and bounded: a few thousand random, truncated and mutated Slack requests
(signed and unsigned) to the real bot over HTTP, and mutated world files to the world
loader and the CLI. Nothing may answer 5xx, log a traceback or post anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
import yaml

from tests.bot.harness import DEV, GENERAL, BotHarness
from tests.bot.raw import FORM, JSON, post
from tests.cli_runner import run_cli
from vpctest.emulator import EmulatorServer
from vpctest.emulator.world import WorldError, load_world, parse_world
from vpctest.slack_emulator import SlackServer

SEED = 20260520
REQUESTS = 2400
IN_FLIGHT = 40
WORLDS_IN_PROCESS = 1500
WORLDS_THROUGH_CLI = 4
SCENARIOS = Path(__file__).parents[1] / "scenarios"

# Actions no listener handles, and commands answered in the ack: a request the bot accepts
# posts nothing either, so any post at all is a request that should have been refused.
NOOP_ACTIONS = ("fuzz_noop", "", "step_9", "digest_nothing")
TEXTS = ("help", "", "help help", "--gateway", "digest", "digest add", "x" * 300)


def slash_form(rng: random.Random, team: str, response_url: str) -> dict[str, str]:
    return {
        "token": "legacy",
        "team_id": team,
        "team_domain": "fuzz",
        "channel_id": GENERAL,
        "channel_name": "general",
        "user_id": DEV,
        "user_name": "dev",
        "command": "/vpc-test",
        "text": rng.choice(TEXTS),
        "api_app_id": "A0FUZZ",
        "response_url": response_url,
        "trigger_id": f"{rng.randrange(10**9)}.{rng.randrange(10**9)}",
    }


def interaction(rng: random.Random, team: str) -> dict[str, Any]:
    kind = rng.choice(["block_actions", "view_closed", "shortcut", "message_action", "weird"])
    return {
        "type": kind,
        "team": {"id": team, "domain": "fuzz"},
        "user": {"id": DEV, "team_id": team, "name": "dev"},
        "api_app_id": "A0FUZZ",
        "trigger_id": f"{rng.randrange(10**9)}.{rng.randrange(10**9)}",
        "container": {"type": "message", "message_ts": "1700000000.000100"},
        "channel": {"id": GENERAL, "name": "general"},
        "actions": [
            {
                "type": "button",
                "action_id": rng.choice(NOOP_ACTIONS),
                "block_id": "b1",
                "value": rng.choice(["", "{}", "null", "[1]", '{"va": 1}']),
                "action_ts": f"{rng.randrange(10**9)}.1",
            }
        ],
        "view": {"id": "V0FUZZ", "hash": "h", "callback_id": "nothing", "state": {"values": {}}},
    }


def event(rng: random.Random, team: str) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": team,
        "api_app_id": "A0FUZZ",
        "type": rng.choice(["event_callback", "app_rate_limited", "weird"]),
        "event_id": f"Ev{rng.randrange(10**12)}",
        "event_time": int(time.time()),
        "event": {"type": rng.choice(["reaction_added", "app_home_opened"]), "user": DEV},
        "authorizations": [{"team_id": team, "user_id": "U0BOT", "is_bot": True}],
    }


def junk(rng: random.Random, depth: int = 0) -> Any:
    choices = [
        lambda: rng.randrange(-(10**12), 10**12),
        lambda: rng.random() * 1e6,
        lambda: None,
        lambda: rng.choice([True, False]),
        lambda: "".join(chr(rng.randrange(1, 0x2FF)) for _ in range(rng.randrange(12))),
    ]
    if depth < 3:
        choices += [
            lambda: [junk(rng, depth + 1) for _ in range(rng.randrange(3))],
            lambda: {str(junk(rng, 3)): junk(rng, depth + 1) for _ in range(rng.randrange(3))},
        ]
    return rng.choice(choices)()


def mutate_tree(rng: random.Random, value: Any) -> Any:
    """Replace, drop or add one value somewhere in a JSON tree."""
    if isinstance(value, dict) and value and rng.random() < 0.7:
        key = rng.choice(list(value))
        roll = rng.random()
        if roll < 0.2:
            value.pop(key)
        elif roll < 0.6:
            value[key] = junk(rng)
        else:
            value[key] = mutate_tree(rng, value[key])
        return value
    if isinstance(value, list) and value and rng.random() < 0.7:
        i = rng.randrange(len(value))
        value[i] = mutate_tree(rng, value[i]) if rng.random() < 0.5 else junk(rng)
        return value
    return junk(rng)


def mutate_bytes(rng: random.Random, raw: bytes) -> bytes:
    roll = rng.random()
    if roll < 0.35 and raw:
        return raw[: rng.randrange(len(raw))]  # truncated
    data = bytearray(raw)
    for _ in range(rng.randrange(1, 6)):
        if not data:
            break
        i = rng.randrange(len(data))
        op = rng.random()
        if op < 0.4:
            data[i] = rng.randrange(256)
        elif op < 0.7:
            data.insert(i, rng.choice(b'{}[]"%&=\\\x00\xff,:'))
        else:
            del data[i]
    return bytes(data)


def requests(
    rng: random.Random, team: str, response_url: str
) -> Iterator[tuple[bytes, str, str | None, bool, bool]]:
    """(body, content type, timestamp, signed, with a retry header)."""
    for _ in range(REQUESTS):
        shape = rng.random()
        if shape < 0.35:
            form = slash_form(rng, team, response_url)
            if rng.random() < 0.5:
                form[rng.choice(list(form))] = str(junk(rng))
            body, ctype = urlencode(form).encode(), FORM
        elif shape < 0.75:
            payload = interaction(rng, team)
            for _ in range(rng.randrange(1, 4)):
                payload = mutate_tree(rng, payload)
            text = json.dumps(payload) if rng.random() < 0.9 else str(payload)
            body, ctype = urlencode({"payload": text}).encode(), FORM
        else:
            envelope = event(rng, team)
            for _ in range(rng.randrange(1, 3)):
                envelope = mutate_tree(rng, envelope)
            body, ctype = json.dumps(envelope).encode(), JSON
        if rng.random() < 0.4:
            body = mutate_bytes(rng, body)
        if rng.random() < 0.1:
            ctype = rng.choice([JSON, FORM, "text/plain", "application/json; charset=utf-8", ""])
        stamp = None
        if rng.random() < 0.1:
            stamp = rng.choice(["abc", "", "-5", "1e9", "99999999999999999999", "0", " 1"])
        yield body, ctype, stamp, rng.random() < 0.85, rng.random() < 0.1


@pytest.fixture
async def fuzzed_bot(tmp_path: Path, slack: SlackServer) -> Any:
    cloud = EmulatorServer(SCENARIOS / "ecs-sg-missing.yaml").start()
    bot = await BotHarness.start(cloud, slack, f"sqlite:///{tmp_path / 'fuzz.db'}")
    try:
        yield bot
    finally:
        await bot.stop()
        cloud.stop()


async def test_fuzzed_slack_requests_get_no_5xx_no_traceback_and_post_nothing(
    fuzzed_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    bot = fuzzed_bot
    caplog.set_level(logging.WARNING)
    rng = random.Random(SEED)
    secret = bot.slack.signing_secret
    statuses: list[int] = []
    failures: list[tuple[Any, ...]] = []
    limit = asyncio.Semaphore(IN_FLIGHT)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:

        async def send(body: bytes, ctype: str, stamp: str | None, signed: bool, retry: bool):
            async with limit:
                answer = await post(
                    session,
                    bot.platform.events_url,
                    body,
                    secret=secret if signed else None,
                    content_type=ctype,
                    timestamp=stamp,
                    headers={"X-Slack-Retry-Num": "1"} if retry else None,
                )
                statuses.append(answer.status)
                if answer.status >= 500:
                    failures.append((body[:300], ctype, stamp, signed, answer.body[:200]))

        # Slack's own response URL (a real request always carries one Slack minted).
        url = bot.slack.mint_response_url(GENERAL, DEV)
        await asyncio.gather(*(send(*r) for r in requests(rng, bot.slack.identity.team_id, url)))
    await asyncio.sleep(0.5)  # work a listener started after its ack
    assert len(statuses) == REQUESTS
    assert not failures, failures[:3]
    assert any(s == 200 for s in statuses) and any(400 <= s < 500 for s in statuses)
    tracebacks = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not tracebacks, tracebacks[0].getMessage()
    assert all("\n" not in r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert bot.slack.calls_to("chat.postMessage") == []
    assert bot.slack.calls_to("views.open") == []
    # And the bot still serves.
    delivery = await bot.platform.slash("help")
    assert delivery.ok and "Usage" in delivery.ack["text"]


def world_mutations(rng: random.Random) -> Iterator[Any]:
    bases = [yaml.safe_load(p.read_text()) for p in sorted(SCENARIOS.glob("*.yaml"))[:6]]
    for _ in range(WORLDS_IN_PROCESS):
        world = copy.deepcopy(rng.choice(bases))
        for _ in range(rng.randrange(1, 4)):
            world = mutate_tree(rng, world)
        yield world


def test_fuzzed_worlds_are_loaded_or_refused_with_a_world_error() -> None:
    rng = random.Random(SEED)
    loaded = refused = 0
    for world in world_mutations(rng):
        try:
            parse_world(world, source="fuzz.yaml")
        except WorldError as exc:
            refused += 1
            assert "\n" not in str(exc).strip() or str(exc).count("\n") < 3, str(exc)
        else:
            loaded += 1
    assert refused > 0 and loaded + refused == WORLDS_IN_PROCESS


def test_fuzzed_world_files_through_the_loader_and_the_cli(tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    base = (SCENARIOS / "ecs-pass.yaml").read_bytes()
    paths = []
    for n in range(200):
        path = tmp_path / f"world-{n}.yaml"
        path.write_bytes(mutate_bytes(rng, base))
        paths.append(path)
        with contextlib.suppress(WorldError):
            load_world(path)
    for path in rng.sample(paths, WORLDS_THROUGH_CLI):
        done = run_cli("check", "--sandbox", str(path), "--all", timeout=120)
        assert done.returncode in (0, 1, 2, 3), (done.returncode, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        if done.returncode == 3:
            assert len(done.stderr.splitlines()) == 1, done.stderr
