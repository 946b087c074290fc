"""The bot end to end, on what keeps it safe to run: Slack's rate limits, allow-lists, the
audit log, listing, health, cloud errors, secrets, and `vpc-test serve` as a process."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from tests.bot.harness import ALICE, APPROVALS, DEV, EVE, GENERAL, BotHarness, eventually
from tests.bot.test_e2e import header, request_fix, result_of
from tests.cli_runner import ROOT, cli_env, run_cli
from vpctest.cli.sandbox import demo_world_path
from vpctest.emulator import EmulatorServer
from vpctest.slack_emulator import SlackPlatform, SlackServer

SCENARIO = Path("tests/scenarios/ecs-sg-missing.yaml")


def scenario(**changes: Any) -> dict[str, Any]:
    """The e2e scenario as a world mapping, with top-level keys replaced."""
    return {**yaml.safe_load(SCENARIO.read_text(encoding="utf-8")), **changes}


@pytest.fixture
def emulators() -> Iterator[list[EmulatorServer]]:
    """Start extra cloud emulators with `emulators.append(EmulatorServer(...).start())`."""
    started: list[EmulatorServer] = []
    yield started
    for server in started:
        server.stop()


async def test_a_rate_limited_post_lands_once_after_retry_after(bot) -> None:
    bot.slack.rate_limit("chat.postMessage", next_calls=1, retry_after=1)
    [message] = await result_of(bot)
    assert "orders-backend fails" in header(message)
    refused, posted = bot.slack.calls_to("chat.postMessage")
    assert refused.status == 429 and posted.ok
    assert posted.time - refused.time >= 0.95  # Retry-After: 1 was honoured
    await asyncio.sleep(0.2)
    assert len(bot.slack.posted(GENERAL)) == 1


async def test_users_and_channels_off_the_allow_lists_are_refused(
    cloud, slack, database_url
) -> None:
    bot = await BotHarness.start(
        cloud, slack, database_url, allowed_users=(DEV,), allowed_channels=(GENERAL,)
    )
    try:
        refused = await bot.platform.slash("orders-backend", user=EVE)
        assert refused.ack["response_type"] == "ephemeral"
        assert "not on the list" in refused.ack["text"]
        elsewhere = await bot.platform.slash("orders-backend", channel=APPROVALS)
        assert "does not run in this channel" in elsewhere.ack["text"]
        await asyncio.sleep(0.3)
        assert sum(cloud.calls.values()) == 0 and bot.slack.posted(GENERAL) == []

        [message] = await result_of(bot)  # DEV in GENERAL may
        calls = sum(cloud.calls.values())
        await bot.platform.click(message["ts"], "rerun", user=EVE)
        await eventually(lambda: bot.slack.ephemerals(EVE), what="the refusal")
        assert "not on the list" in json.dumps(bot.slack.ephemerals(EVE))
        assert sum(cloud.calls.values()) == calls  # the click ran nothing
        assert bot.slack.posted(GENERAL) == [message]
    finally:
        await bot.stop()


async def test_audit_lists_the_latest_requests_and_decisions(bot) -> None:
    [message] = await result_of(bot)
    approval_ts = await request_fix(bot, message)
    await bot.platform.click(approval_ts, "approve", user=ALICE)
    await eventually(
        lambda: "applied" in header(bot.slack.message(APPROVALS, approval_ts)), what="applied"
    )
    audit = (await bot.platform.slash("audit")).ack
    assert audit["response_type"] == "ephemeral"
    [request_id] = {e.request_id for e in bot.store.latest_audit(10) if e.request_id}
    lines = audit["text"].splitlines()
    assert lines[0] == "*Audit log* (latest first)"
    assert [line.split("` ", 1)[1] for line in lines[1:]] == [  # newest first
        f"{request_id} *applied* by <@{ALICE}>",
        f"{request_id} *approved* by <@{ALICE}>",
        f"{request_id} *requested* by <@{DEV}>",
    ]


async def test_list_shows_matching_authorizations_with_target_and_port(
    slack, database_url, emulators
) -> None:
    emulators.append(EmulatorServer(demo_world_path()).start())
    bot = await BotHarness.start(emulators[0], slack, database_url)
    try:
        delivery = await bot.platform.slash("list orders")
        assert delivery.ok and "Listing" in delivery.ack["text"]
        listing = await eventually(
            lambda: [m for m in bot.slack.ephemerals(DEV) if "va-" in m.get("text", "")],
            what="the listing",
        )
        lines = listing[-1]["text"].splitlines()
        assert lines == [  # by name, ID or target
            "`va-orders` *orders-backend* → i-orders:8080 in vpc-main",
            "`va-orders-ip` *orders-backend-by-ip* → 192.168.1.10:8080 in vpc-main",
            "`va-inventory` *inventory-backend* → i-orders:8080 in vpc-other",
        ]
        await bot.platform.slash("list nothing-like-this")
        await eventually(
            lambda: any("No authorization matches" in m["text"] for m in bot.slack.ephemerals(DEV)),
            what="the empty listing",
        )
        assert bot.slack.posted(GENERAL) == []
    finally:
        await bot.stop()


@pytest.mark.parametrize(
    "text", ["<!channel>", "--<!here>", "list <!channel>", "orders-backend --gateway <!here>"]
)
async def test_what_the_user_typed_is_echoed_as_text(bot, text: str) -> None:
    delivery = await bot.platform.slash(text)
    assert delivery.ok
    await eventually(lambda: len(bot.slack.ephemerals(DEV)) >= 2 or "Usage" in delivery.body)
    await asyncio.sleep(0.1)
    shown = [m.get("text", "") for m in bot.slack.ephemerals(DEV)]
    assert shown and all("<!" not in t for t in shown), shown  # &lt;! — no mention, no link
    assert bot.slack.posted(GENERAL) == []


async def test_healthz_answers_ok(bot) -> None:
    url = bot.platform.events_url.replace("/slack/events", "/healthz")
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        assert await response.json() == {"ok": True}


async def test_a_denied_cloud_call_is_an_unknown_line_naming_the_action(
    slack, database_url, emulators
) -> None:
    world = scenario(faults={"actions": {"ValidateVpcConnectivity": {"deny": True}}})
    emulators.append(EmulatorServer(world).start())
    bot = await BotHarness.start(emulators[0], slack, database_url)
    try:
        [message] = await result_of(bot)
        lines = [
            line
            for block in message["blocks"]
            for line in (block.get("text") or {}).get("text", "").splitlines()
        ]
        [line] = [line for line in lines if "`connectivity`" in line]
        assert line.startswith(":grey_question:")  # unknown, not failed
        assert "apigateway:ValidateVpcConnectivity" in line
        assert any("`ecs.security_group`" in line for line in lines)  # the rest still ran
        recorded = json.dumps([c.payload for c in bot.slack.calls])
        assert "Traceback" not in recorded and 'File "' not in recorded
    finally:
        await bot.stop()


async def test_secrets_never_reach_logs_or_slack(database_url, emulators, caplog) -> None:
    token, signing, access_secret = "xoxb-T0KEN-s3cret", "S1GNING-s3cret", "ACCESS-KEY-s3cret"
    credentials = {"access_key_id": "LTAI-e2e", "access_key_secret": access_secret}
    emulators.append(EmulatorServer(scenario(credentials=credentials)).start())
    caplog.set_level(logging.DEBUG)
    with SlackServer(token, signing, users=[DEV, ALICE], channels=[GENERAL, APPROVALS]) as slack:
        bot = await BotHarness.start(emulators[0], slack, database_url, approver_groups=())
        try:
            [message] = await result_of(bot)
            approval_ts = await request_fix(bot, message)
            await bot.platform.click(approval_ts, "approve", user=ALICE)
            await eventually(
                lambda: "applied" in header(bot.slack.message(APPROVALS, approval_ts)),
                what="applied",
            )
            await bot.platform.slash("audit")
        finally:
            await bot.stop()
        recorded = json.dumps([[c.method, c.payload, c.response] for c in slack.calls])
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert caplog.records and "chat.postMessage" in recorded
    for secret in (token, signing, access_secret):
        assert secret not in logged, f"{secret} was logged"
        assert secret not in recorded, f"{secret} was sent to Slack"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _wait_healthy(url: str, process: subprocess.Popen[str], timeout: float = 30) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            assert process.poll() is None, process.communicate()[1]
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return await response.json()
            except aiohttp.ClientConnectionError:
                pass
            assert asyncio.get_running_loop().time() < deadline, "no /healthz"
            await asyncio.sleep(0.1)


async def test_serve_sandbox_runs_as_a_process_and_stops_on_sigterm(tmp_path) -> None:
    port = _free_port()
    with SlackServer(users=[DEV], channels=[GENERAL]) as slack:
        env = cli_env(
            {
                "SLACK_API_URL": slack.api_url,
                "SLACK_BOT_TOKEN": slack.token,
                "SLACK_SIGNING_SECRET": slack.signing_secret,
                "PORT": str(port),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            }
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "vpctest.cli", "serve", "--sandbox"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            health = await _wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
            assert health == {"ok": True}
            events = f"http://127.0.0.1:{port}/slack/events"
            async with SlackPlatform(slack, events, user=DEV, channel=GENERAL) as platform:
                delivery = await platform.slash("orders-backend")
            assert delivery.ok and "Testing" in delivery.ack["text"]
            [result] = await eventually(lambda: slack.posted(GENERAL), what="the result")
            assert "orders-backend passes" in header(result)  # the demo world's
            assert len(slack.calls_to("auth.test")) == 1  # asked once, at start
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=15)
            assert process.returncode == 0, stderr
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()


def test_serve_without_a_bot_token_exits_3_naming_it() -> None:
    result = run_cli("serve", env={"SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": "x"})
    assert result.returncode == 3
    [line] = result.stderr.splitlines()
    assert "SLACK_BOT_TOKEN" in line and "Traceback" not in result.stderr


def test_serve_with_a_refused_bot_token_exits_3_at_start(tmp_path) -> None:
    with SlackServer() as slack:
        result = run_cli(
            "serve",
            "--sandbox",
            env={
                "SLACK_API_URL": slack.api_url,
                "SLACK_BOT_TOKEN": "xoxb-revoked",
                "SLACK_SIGNING_SECRET": slack.signing_secret,
                "PORT": str(_free_port()),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            },
        )
    assert result.returncode == 3
    assert result.stderr.splitlines()[-1] == (
        "vpc-test: SLACK_BOT_TOKEN was refused by Slack: invalid_auth"
    )
