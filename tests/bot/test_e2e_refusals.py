"""Refusals end to end, through signed requests to the real bot: a forged, truncated or
stale button value and an outsider are each told why in one ephemeral message, acked 200,
and nothing runs."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlencode

import aiohttp

from tests.bot.harness import ALICE, APPROVALS, DEV, EVE, GENERAL, BotHarness, eventually
from tests.bot.raw import post
from tests.bot.recorders import payload
from tests.bot.test_e2e import header, request_fix, result_of
from vpctest.bot.refs import DenyDraft


def button(message: dict, action_id: str) -> dict:
    return next(
        e
        for b in message["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == action_id
    )


async def told(bot: BotHarness, user: str, channel: str | None, before: int) -> str:
    """The one ephemeral message `user` was shown after the first `before`."""
    shown = await eventually(
        lambda: bot.slack.ephemerals(user, channel)[before:], what="the refusal"
    )
    await asyncio.sleep(0.1)
    assert len(bot.slack.ephemerals(user, channel)[before:]) == 1  # told once
    return shown[0]["text"]


async def test_a_forged_button_value_is_refused_in_words_and_runs_nothing(bot) -> None:
    [message] = await result_of(bot)
    calls, before = sum(bot.cloud.calls.values()), len(bot.slack.ephemerals(DEV))
    delivery = await bot.platform.click(message["ts"], "rerun", value='{"va": 7}')
    assert delivery.ok and delivery.body == ""
    text = await told(bot, DEV, GENERAL, before)
    assert text == (
        "This button's value is not one vpc-test made: 'va' is not text. "
        "Re-run the test for fresh buttons."
    )
    await asyncio.sleep(0.2)
    assert sum(bot.cloud.calls.values()) == calls  # nothing was diagnosed
    assert bot.slack.posted(GENERAL) == [message]  # the result stays as it was


async def test_a_truncated_step_value_opens_no_modal(bot) -> None:
    [message] = await result_of(bot)
    value, before = button(message, "step_2")["value"], len(bot.slack.ephemerals(DEV))
    delivery = await bot.platform.click(message["ts"], "step_2", value=value[: len(value) // 2])
    assert delivery.ok
    assert "it is not JSON, perhaps cut short" in await told(bot, DEV, GENERAL, before)
    assert bot.slack.views_for(DEV) == []


async def test_an_approve_naming_no_request_is_refused(bot) -> None:
    [message] = await result_of(bot)
    approval_ts = await request_fix(bot, message)
    delivery = await bot.platform.click(
        approval_ts, "approve", user=ALICE, value='{"id":"FR-ZZZZZZ"}'
    )
    assert delivery.ok
    assert await told(bot, ALICE, APPROVALS, 0) == "There is no fix request FR-ZZZZZZ."
    assert "waiting for an approver" in header(bot.slack.message(APPROVALS, approval_ts))


async def test_an_outsider_cannot_open_the_fix_modal(cloud, slack, database_url) -> None:
    bot = await BotHarness.start(cloud, slack, database_url, allowed_users=(DEV,))
    try:
        [message] = await result_of(bot)
        delivery = await bot.platform.click(message["ts"], "request_fix", user=EVE)
        assert delivery.ok
        assert (
            await told(bot, EVE, None, 0)
            == "You are not on the list of users who may run vpc-test."
        )
        await asyncio.sleep(0.2)
        assert bot.slack.views_for(EVE) == []
        assert bot.store.latest_audit(5) == []  # no request was made
    finally:
        await bot.stop()


async def test_a_forged_deny_submission_by_an_outsider_changes_nothing(bot) -> None:
    """A view Slack never opened for EVE, signed: the middleware refuses it in the modal's
    own error slot, audits it, and the request stays pending."""
    [message] = await result_of(bot)
    approval_ts = await request_fix(bot, message)
    [request_id] = {e.request_id for e in bot.store.latest_audit(5) if e.request_id}
    forged = payload("view_submission_deny_reason")
    forged["user"]["id"] = EVE
    forged["view"]["private_metadata"] = DenyDraft(request_id).encode()
    async with aiohttp.ClientSession() as session:
        answer = await post(
            session,
            bot.platform.events_url,
            urlencode({"payload": json.dumps(forged)}),
            secret=bot.slack.signing_secret,
        )
    assert answer.status == 200
    assert json.loads(answer.body) == {
        "response_action": "errors",
        "errors": {"reason": "Only an approver may decide fix requests."},
    }
    assert bot.store.get(request_id).state == "pending"
    assert "waiting for an approver" in header(bot.slack.message(APPROVALS, approval_ts))
    refused = [e for e in bot.store.latest_audit(10) if e.action == "refused"]
    assert [(e.actor, e.request_id) for e in refused] == [(EVE, request_id)]
