"""The bot end to end: real signed HTTP requests in, the Slack emulator recording what it
posts, the Alibaba emulator as the cloud, the database on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json

from tests.bot.harness import (
    ALICE,
    APPROVALS,
    APPROVER_GROUP,
    BOB,
    DEV,
    EVE,
    GENERAL,
    BotHarness,
    eventually,
)
from vpctest.emulator import EmulatorServer


def header(message: dict) -> str:
    return message["blocks"][0]["text"]["text"]


async def result_of(bot: BotHarness, text: str = "orders-backend") -> dict:
    delivery = await bot.platform.slash(text)
    assert delivery.ok and not delivery.late
    assert "Testing" in delivery.ack["text"] and delivery.ack.get("response_type") == "ephemeral"
    return await eventually(lambda: bot.slack.posted(GENERAL), what="the result")


async def request_fix(
    bot: BotHarness, message: dict, reason: str = "orders are down", user: str = DEV
) -> str:
    await bot.platform.click(message["ts"], "request_fix", user=user)
    view = await eventually(
        lambda: next(
            (
                v
                for v in bot.slack.views_for(user, open_only=True)
                if v.get("callback_id") == "fix_request"
            ),
            None,
        ),
        what="the fix modal",
    )
    text = json.dumps(view["blocks"])
    assert (
        "sg-web" in text and "100.104.13.0/26" in text and "8080/8080" in text
    )  # the exact change
    await bot.platform.submit(view["id"], {"reason": reason}, user=user)
    approval = await eventually(lambda: bot.slack.posted(APPROVALS), what="the approval request")
    # The bot confirms to the requester after it has recorded the approval message.
    await eventually(
        lambda: "sent to the approvers" in json.dumps(bot.slack.ephemerals(user)),
        what="the requester's confirmation",
    )
    return approval[-1]["ts"]


def rules_for_gateway(cloud: EmulatorServer) -> list:
    return [
        r
        for r in cloud.world.security_group("sg-web").inbound
        if r.source_cidr == "100.104.13.0/26"
    ]


async def test_slash_command_posts_the_result_with_buttons(bot) -> None:
    [message] = await result_of(bot)
    assert "orders-backend fails" in header(message)
    text = json.dumps(message["blocks"])
    assert "ecs.security_group" in text and "Root cause" in text
    actions = {
        e["action_id"] for b in message["blocks"] for e in b.get("elements", []) if "action_id" in e
    }
    assert {"step_1", "step_2", "step_3", "rerun", "request_fix"} <= actions


async def test_forged_and_stale_signatures_are_rejected(bot) -> None:
    assert (await bot.platform.slash("help", forge_signature=True)).status == 401
    assert (await bot.platform.slash("help", stale=True)).status == 401
    assert bot.slack.posted(GENERAL) == []


async def test_help_unknown_names_and_malformed_commands_answer_ephemeral(bot) -> None:
    assert "Usage" in (await bot.platform.slash("help")).ack["text"]
    malformed = (await bot.platform.slash("a b c")).ack
    assert malformed["response_type"] == "ephemeral"
    assert "name one authorization" in malformed["text"] and "Usage" in malformed["text"]
    await bot.platform.slash("orders-backnd")
    found = await eventually(
        lambda: [m for m in bot.slack.ephemerals(DEV) if "did you mean" in json.dumps(m)],
        what="the suggestion",
    )
    assert "orders-backend" in json.dumps(found[-1])
    assert bot.slack.posted(GENERAL) == []  # errors go to the user, not the channel


async def test_all_summarises_with_a_details_button_per_failing_item(bot) -> None:
    delivery = await bot.platform.slash("all")
    assert delivery.ok and "every authorization" in delivery.ack["text"]
    [summary] = await eventually(lambda: bot.slack.posted(GENERAL), what="the summary")
    assert "0 pass, 1 fail" in header(summary)
    await bot.platform.click(summary["ts"], "details")
    posted = await eventually(
        lambda: len(bot.slack.posted(GENERAL)) == 2 and bot.slack.posted(GENERAL)
    )
    assert "orders-backend fails" in header(posted[-1])


async def test_step_button_opens_the_modal_with_the_deciding_evidence(bot) -> None:
    [message] = await result_of(bot)
    await bot.platform.click(message["ts"], "step_2")
    view = await eventually(
        lambda: next(
            (v for v in bot.slack.views_for(DEV) if "securityGroupDetail" in json.dumps(v)), None
        ),
        what="the step 2 modal",
    )
    text = json.dumps(view["blocks"])
    assert "no rule admits TCP 8080 from 100.104.13.0/26" in text


async def test_request_approve_apply_retest_and_audit(bot) -> None:
    [message] = await result_of(bot)
    approval_ts = await request_fix(bot, message)
    approval = bot.slack.message(APPROVALS, approval_ts)
    assert f"<@{ALICE}>" in json.dumps(approval) and f"<!subteam^{APPROVER_GROUP}>" in json.dumps(
        approval
    )

    await bot.platform.click(approval_ts, "approve", user=EVE)  # not an approver
    await bot.platform.click(approval_ts, "approve", user=DEV)  # the requester
    await eventually(lambda: bot.slack.ephemerals(EVE, APPROVALS), what="the outsider's refusal")
    await eventually(lambda: bot.slack.ephemerals(DEV, APPROVALS), what="the requester's refusal")
    assert "Only an approver" in json.dumps(bot.slack.ephemerals(EVE, APPROVALS))
    assert "Only an approver" in json.dumps(bot.slack.ephemerals(DEV, APPROVALS))
    assert rules_for_gateway(bot.cloud) == []
    assert "waiting for an approver" in header(bot.slack.message(APPROVALS, approval_ts))

    await bot.platform.click(approval_ts, "approve", user=BOB)  # an approver through the user group
    await eventually(
        lambda: "applied" in header(bot.slack.message(APPROVALS, approval_ts)), what="applied"
    )
    assert len(rules_for_gateway(bot.cloud)) == 1
    rule = rules_for_gateway(bot.cloud)[0]
    assert BOB in rule.description and "FR-" in rule.description
    result = await eventually(
        lambda: (
            "passes" in header(bot.slack.message(GENERAL, message["ts"]))
            and bot.slack.message(GENERAL, message["ts"])
        ),
        what="the result message updated",
    )
    assert "applied" in json.dumps(result["blocks"])
    entries = bot.store.latest_audit(50)
    actions = [
        e.action for e in reversed(entries) if e.request_id and e.request_id.startswith("FR-")
    ]
    assert (
        actions.count("requested") == 1
        and actions.count("approved") == 1
        and actions.count("applied") == 1
    )


async def test_an_approver_cannot_approve_their_own_request(bot) -> None:
    [message] = await result_of(bot)
    approval_ts = await request_fix(bot, message, user=ALICE)
    await bot.platform.click(approval_ts, "approve", user=ALICE)
    await eventually(lambda: bot.slack.ephemerals(ALICE, APPROVALS), what="the refusal")
    assert "your own" in json.dumps(bot.slack.ephemerals(ALICE, APPROVALS))
    assert rules_for_gateway(bot.cloud) == []
    assert any(e.action == "refused" for e in bot.store.latest_audit(20))


async def test_twenty_concurrent_approvals_apply_once(bot) -> None:

    [message] = await result_of(bot)
    approval_ts = await request_fix(bot, message)
    clicks = [
        bot.platform.click(approval_ts, "approve", user=ALICE if n % 2 else BOB) for n in range(20)
    ]
    deliveries = await asyncio.gather(*clicks)
    assert all(d.ok for d in deliveries)
    await eventually(
        lambda: "applied" in header(bot.slack.message(APPROVALS, approval_ts)), what="applied"
    )
    await asyncio.sleep(0.5)
    assert len(rules_for_gateway(bot.cloud)) == 1
    applied = [e for e in bot.store.latest_audit(200) if e.action == "applied"]
    assert len(applied) == 1


async def test_deny_with_a_reason(bot) -> None:
    [message] = await result_of(bot)
    approval_ts = await request_fix(bot, message)
    await bot.platform.click(approval_ts, "deny", user=ALICE)
    view = await eventually(
        lambda: next(
            (
                v
                for v in bot.slack.views_for(ALICE, open_only=True)
                if v.get("callback_id") == "deny_reason"
            ),
            None,
        ),
        what="the deny modal",
    )
    await bot.platform.submit(view["id"], {"reason": "change window closed"}, user=ALICE)
    updated = await eventually(
        lambda: (
            "denied" in header(bot.slack.message(APPROVALS, approval_ts))
            and bot.slack.message(APPROVALS, approval_ts)
        )
    )
    assert "change window closed" in json.dumps(updated) and rules_for_gateway(bot.cloud) == []
    buttons = [e.get("action_id") for b in updated["blocks"] for e in b.get("elements", [])]
    assert "approve" not in buttons and "deny" not in buttons  # decided: nothing left to click
    denied = [e for e in bot.store.latest_audit(50) if e.action == "denied"]
    assert len(denied) == 1 and denied[0].actor == ALICE


async def test_revert_removes_exactly_the_added_rule(bot) -> None:
    [message] = await result_of(bot)
    approval_ts = await request_fix(bot, message)
    await bot.platform.click(approval_ts, "approve", user=ALICE)
    await eventually(lambda: "applied" in header(bot.slack.message(APPROVALS, approval_ts)))
    before = len(bot.cloud.world.security_group("sg-web").inbound)
    await bot.platform.click(approval_ts, "revert", user=ALICE)
    await eventually(
        lambda: "reverted" in header(bot.slack.message(APPROVALS, approval_ts)), what="reverted"
    )
    assert rules_for_gateway(bot.cloud) == []
    assert len(bot.cloud.world.security_group("sg-web").inbound) == before - 1
    await eventually(lambda: "fails" in header(bot.slack.message(GENERAL, message["ts"])))


async def test_an_expired_request_cannot_be_applied(cloud, slack, database_url) -> None:
    from datetime import timedelta

    bot = await BotHarness.start(cloud, slack, database_url, request_ttl=timedelta(seconds=1))
    try:
        [message] = await result_of(bot)
        approval_ts = await request_fix(bot, message)
        await asyncio.sleep(1.2)
        await bot.platform.click(approval_ts, "approve", user=ALICE)
        await eventually(
            lambda: "expired" in header(bot.slack.message(APPROVALS, approval_ts)), what="expired"
        )
        assert rules_for_gateway(cloud) == []
    finally:
        await bot.stop()


async def test_a_request_survives_a_restart(cloud, slack, database_url) -> None:
    bot = await BotHarness.start(cloud, slack, database_url)
    [message] = await result_of(bot)
    approval_ts = await request_fix(bot, message)
    bot = await bot.restart(database_url)
    try:
        await bot.platform.click(approval_ts, "approve", user=ALICE)
        await eventually(
            lambda: "applied" in header(bot.slack.message(APPROVALS, approval_ts)), what="applied"
        )
        assert len(rules_for_gateway(cloud)) == 1
    finally:
        await bot.stop()


async def test_requests_from_another_workspace_are_refused(cloud, slack, database_url) -> None:
    bot = await BotHarness.start(cloud, slack, database_url, team_id="T0OTHER001")
    try:
        delivery = await bot.platform.slash("orders-backend")
        assert "another Slack workspace" in delivery.body
        await asyncio.sleep(0.3)
        assert bot.slack.posted(GENERAL) == []
    finally:
        await bot.stop()


async def test_an_apply_interrupted_by_a_crash_is_settled_and_said(bot) -> None:
    from datetime import timedelta

    from vpctest.bot.app import web_client
    from vpctest.bot.fixflow import FixFlow
    from vpctest.bot.store.service import utcnow

    [message] = await result_of(bot)
    approval_ts = await request_fix(bot, message)
    request = next(r for r in [bot.store.latest_audit(5)[0]] if r.request_id)
    # The approver's claim went through, then the bot died before applying.
    bot.store.claim_for_apply(request.request_id, ALICE, now=utcnow() - timedelta(minutes=30))
    flow = FixFlow(bot.ctx, bot.store)
    assert await flow.recover_interrupted(web_client(bot.ctx)) == 1
    assert bot.store.get(request.request_id).state == "apply_failed"
    shown = bot.slack.message(APPROVALS, approval_ts)
    assert "could not be applied" in header(shown) and "interrupted" in json.dumps(shown)
    assert await flow.recover_interrupted(web_client(bot.ctx)) == 0


async def test_digest_commands_answer_at_once(bot) -> None:
    for text in ("digest list", "digest add daily 09:00 Asia/Shanghai", "digest bogus"):
        delivery = await bot.platform.slash(text)
        assert delivery.ok and not delivery.late
        assert delivery.ack["response_type"] == "ephemeral"
    listed = (await bot.platform.slash("digest list")).ack["text"]
    assert "daily at 09:00 Asia/Shanghai" in listed and f"<#{GENERAL}>" in listed
    assert bot.slack.posted(GENERAL) == []
    await asyncio.to_thread(bot.ctx.digests.close)


async def test_a_probe_shows_running_then_the_message_updates_with_its_answer(
    bot, cloud: EmulatorServer
) -> None:
    cloud.world.faults.probe_running_ms = 1500  # a Cloud Assistant command that takes seconds
    delivery = await bot.platform.slash("orders-backend --probe")
    assert delivery.ok and not delivery.late
    [first] = await eventually(lambda: bot.slack.posted(GENERAL), what="the first result")
    assert "probing the port from inside the VPC" in json.dumps(first["blocks"])
    final = await eventually(
        lambda: next(
            (
                m
                for m in bot.slack.posted(GENERAL)
                if m["ts"] == first["ts"] and "probing the port" not in json.dumps(m["blocks"])
            ),
            None,
        ),
        what="the message updated with the probe",
    )
    assert len(bot.slack.posted(GENERAL)) == 1  # rewritten in place, not posted twice
    text = json.dumps(final["blocks"])
    assert "backend.port" in text and "Cloud Assistant probe" in text
    assert cloud.qualified_calls["ecs:DescribeSecurityGroupAttribute"] == 1  # one run's lookups
