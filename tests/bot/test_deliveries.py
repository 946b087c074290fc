"""A retried or doubly delivered request has exactly one effect, on each database, and
across two replicas on one database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.bot.harness import GENERAL, BotHarness, eventually
from vpctest.bot.deliveries import Deliveries, delivery_key
from vpctest.bot.store import Database
from vpctest.emulator import EmulatorServer
from vpctest.slack_emulator import SlackServer

SETTLE_S = 1.0  # long enough for a second diagnosis to post, were one started


async def test_a_retried_slash_command_posts_one_result(bot: BotHarness) -> None:
    first = await bot.platform.slash("orders-backend")
    assert first.ok and "Testing" in first.ack["text"]
    retries = [await bot.platform.redeliver(first, retry_num=n) for n in (1, 2)]
    assert [r.status for r in retries] == [200, 200]
    assert all(r.elapsed < 1.0 for r in retries)  # the retry's ack is quick
    await eventually(lambda: bot.slack.posted(GENERAL), what="the result")
    await asyncio.sleep(SETTLE_S)
    assert len(bot.slack.posted(GENERAL)) == 1


async def test_a_click_delivered_twice_opens_one_modal(bot: BotHarness) -> None:
    await bot.platform.slash("orders-backend")
    result = (await eventually(lambda: bot.slack.posted(GENERAL), what="the result"))[0]
    click = await bot.platform.click(result["ts"], "step_2")
    assert click.ok
    again = await bot.platform.redeliver(click)
    assert again.ok
    await eventually(lambda: bot.slack.calls_to("views.open"), what="the step modal")
    await asyncio.sleep(SETTLE_S)
    assert len(bot.slack.calls_to("views.open")) == 1
    # A second, real click (a new trigger_id) still works.
    await bot.platform.click(result["ts"], "step_2")
    await eventually(lambda: len(bot.slack.calls_to("views.open")) == 2, what="a second modal")


async def test_two_replicas_on_one_database_handle_a_retry_once(
    cloud: EmulatorServer, slack: SlackServer, database_url: str, bot: BotHarness
) -> None:
    other = await BotHarness.start(cloud, slack, database_url)
    try:
        first = await bot.platform.slash("orders-backend")
        # The retry reaches the other replica, as behind a load balancer.
        other.platform.signing_secret = bot.platform.signing_secret
        retry = await other.platform.redeliver(first, retry_num=1)
        assert first.ok and retry.ok
        await eventually(lambda: slack.posted(GENERAL), what="the result")
        await asyncio.sleep(SETTLE_S)
        assert len(slack.posted(GENERAL)) == 1
    finally:
        await other.stop()


def test_claims_and_prune_on_the_database(database_url: str) -> None:
    db = Database.open(database_url)
    try:
        now = datetime(2026, 5, 1, 12, tzinfo=UTC)
        deliveries = Deliveries(db, clock=lambda: now)
        assert deliveries.claim("command:T1") is True
        assert deliveries.claim("command:T1") is False
        assert deliveries.claim("command:T2") is True
        assert deliveries.prune(now + timedelta(seconds=1)) == 2
        assert deliveries.claim("command:T1") is True  # forgotten after the retention
    finally:
        db.close()


def test_keys_are_what_slack_repeats() -> None:
    command = {"command": "/vpc-test", "text": "x", "trigger_id": "13345.TRIG"}
    assert delivery_key(command) == "command:13345.TRIG"
    assert delivery_key({"type": "event_callback", "event_id": "Ev123"}) == "event:Ev123"
    click = {
        "type": "block_actions",
        "trigger_id": "1.2",
        "actions": [{"action_id": "rerun", "action_ts": "170.1"}],
        "container": {"message_ts": "169.9"},
    }
    other_click = {**click, "trigger_id": "1.3", "actions": [{"action_ts": "170.2"}]}
    assert delivery_key(click) == delivery_key(dict(click))
    assert delivery_key(click) != delivery_key(other_click)
    assert delivery_key(click).startswith("block_actions:")
    # Requests whose answer is the point are never skipped.
    assert delivery_key({"type": "url_verification", "challenge": "c"}) is None
    assert delivery_key({"type": "block_suggestion", "value": "or"}) is None
    # Anything else is keyed on its bytes.
    assert delivery_key({"x": 1}, "x=1") == delivery_key({"x": 1}, "x=1")
    assert delivery_key({"x": 1}, "x=1") != delivery_key({"x": 2}, "x=2")


async def test_claims_arriving_together_share_one_transaction_and_one_wins(
    database_url: str,
) -> None:
    db = Database.open(database_url)
    try:
        deliveries = Deliveries(db)
        batches: list[int] = []
        claim_many = deliveries.claim_many

        def counted(keys: list[str]) -> set[str]:
            batches.append(len(keys))
            return claim_many(keys)

        deliveries.claim_many = counted  # type: ignore[method-assign]
        keys = ["command:same"] * 5 + [f"command:{n}" for n in range(20)]
        won = await asyncio.gather(*(deliveries.first(k) for k in keys))
        assert won[:5].count(True) == 1 and all(won[5:])
        assert len(batches) <= 3 and sum(batches) == len(keys)
    finally:
        db.close()
