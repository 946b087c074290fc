"""Digests end to end: /vpc-test digest add, list, run, remove through the real bot."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.bot.harness import DEV, GENERAL, BotHarness, eventually
from vpctest.emulator import EmulatorServer
from vpctest.emulator.world import SgRule

GATEWAY_CIDR = "100.104.13.0/26"


@pytest.fixture
async def digest_bot(bot: BotHarness) -> AsyncIterator[BotHarness]:
    yield bot
    if bot.ctx.digests is not None:
        await asyncio.to_thread(bot.ctx.digests.close)


def text(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks", message.get("text")), ensure_ascii=False)


async def add(bot: BotHarness, args: str) -> str:
    delivery = await bot.platform.slash(f"digest add {args}")
    assert delivery.ok and not delivery.late
    found = re.search(r"`(DG-[0-9A-Z]+)`", delivery.ack["text"])
    assert found, delivery.ack["text"]
    return found[1]


async def run(bot: BotHarness, digest_id: str) -> str:
    """`digest run ID`: acked at once; returns the answer that follows."""
    before = len(bot.slack.ephemerals(DEV))
    delivery = await bot.platform.slash(f"digest run {digest_id}")
    assert delivery.ok and not delivery.late and "now" in delivery.ack["text"]
    answers = await eventually(
        lambda: [m for m in bot.slack.ephemerals(DEV)[before:] if "Running" not in text(m)],
        timeout=30,
        what="the run's answer",
    )
    return text(answers[-1])


def mend(cloud: EmulatorServer) -> None:
    rule = SgRule("sgr-gw", "TCP", "8080/8080", source_cidr=GATEWAY_CIDR)
    cloud.mutate(lambda w: w.security_group("sg-web").inbound.append(rule))


def rebreak(cloud: EmulatorServer) -> None:
    def drop(world: Any) -> None:
        group = world.security_group("sg-web")
        group.inbound = [r for r in group.inbound if r.source_cidr != GATEWAY_CIDR]

    cloud.mutate(drop)


async def test_add_list_run_then_recovered_and_newly_broken(digest_bot: BotHarness) -> None:
    bot = digest_bot
    digest_id = await add(bot, "weekdays 09:00 Europe/Berlin")
    listed = (await bot.platform.slash("digest list")).ack["text"]
    assert digest_id in listed and "weekdays at 09:00 Europe/Berlin" in listed

    assert "posted" in await run(bot, digest_id)
    [first] = bot.slack.posted(GENERAL)
    assert "0 pass, 1 fail, 0 unknown" in text(first)
    assert "orders-backend" in text(first) and "ecs.security_group" in text(first)
    assert "failing since" in text(first)

    await bot.platform.click(first["ts"], "details")  # the bot's own result view
    await eventually(
        lambda: any("orders-backend fails" in text(m) for m in bot.slack.posted(GENERAL)[1:]),
        what="the details result",
    )

    mend(bot.cloud)
    assert "posted" in await run(bot, digest_id)
    assert "*Recovered* (1): *orders-backend*" in text(bot.slack.posted(GENERAL)[-1])

    rebreak(bot.cloud)
    assert "posted" in await run(bot, digest_id)
    latest = text(bot.slack.posted(GENERAL)[-1])
    assert "*Newly broken* (1): *orders-backend*" in latest and "newly broken" in latest

    removed = (await bot.platform.slash(f"digest remove {digest_id}")).ack["text"]
    assert "Removed" in removed
    assert digest_id not in (await bot.platform.slash("digest list")).ack["text"]


async def test_only_changes_posts_nothing_on_an_unchanged_run(digest_bot: BotHarness) -> None:
    bot = digest_bot
    digest_id = await add(bot, "hourly --only-changes")
    assert "posted" in await run(bot, digest_id)  # the first digest always posts
    assert "nothing changed" in await run(bot, digest_id)
    assert len(bot.slack.posted(GENERAL)) == 1


async def test_a_refused_post_is_retried_and_posted_once(digest_bot: BotHarness) -> None:
    bot = digest_bot
    digest_id = await add(bot, "daily 09:00")
    bot.slack.rate_limit("chat.postMessage", next_calls=4, retry_after=0)  # beyond the SDK's 3
    assert "posted" in await run(bot, digest_id)
    assert len(bot.slack.posted(GENERAL)) == 1


async def test_digest_run_of_an_unknown_id_says_so(digest_bot: BotHarness) -> None:
    assert "No digest DG-ZZZZ" in await run(digest_bot, "DG-ZZZZ")
    assert digest_bot.slack.posted(GENERAL) == []


async def test_rerun_on_an_item_updates_its_line_in_place(digest_bot: BotHarness) -> None:
    bot = digest_bot
    digest_id = await add(bot, "daily")
    assert "posted" in await run(bot, digest_id)
    [digest] = bot.slack.posted(GENERAL)
    blocks_before = len(digest["blocks"])
    assert ":x: *orders-backend*" in text(digest)
    mend(bot.cloud)
    await bot.platform.click(digest["ts"], "digest_rerun")
    updated = await eventually(
        lambda: (m := bot.slack.message(GENERAL, digest["ts"])) and "re-run by" in text(m) and m,
        what="the item's line updated",
    )
    assert ":white_check_mark: *orders-backend*" in text(updated)
    assert len(updated["blocks"]) == blocks_before  # only that line changed
    assert len(bot.slack.posted(GENERAL)) == 1  # no new message
