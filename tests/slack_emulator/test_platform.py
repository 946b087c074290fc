"""SlackPlatform against a real Bolt AsyncApp served over aiohttp, calling the emulated Web API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from vpctest.slack_emulator import SlackPlatform, SlackServer, SubmissionRefused

APPROVALS = "C0APPROVE1"


def result_blocks(subject: str) -> list[dict[str, Any]]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{subject}*: 1 problem"}},
        {
            "type": "actions",
            "block_id": "controls",
            "elements": [
                {
                    "type": "button",
                    "action_id": "rerun",
                    "text": {"type": "plain_text", "text": "Re-run"},
                    "value": f"rerun:{subject}",
                },
                {
                    "type": "button",
                    "action_id": "request_fix",
                    "text": {"type": "plain_text", "text": "Request fix"},
                    "value": f"fix:{subject}",
                },
            ],
        },
    ]


FIX_MODAL = {
    "type": "modal",
    "callback_id": "fix_request",
    "title": {"type": "plain_text", "text": "Request a fix"},
    "submit": {"type": "plain_text", "text": "Send"},
    "notify_on_close": True,
    "blocks": [
        {
            "type": "input",
            "block_id": "reason",
            "label": {"type": "plain_text", "text": "Why?"},
            "element": {"type": "plain_text_input", "action_id": "reason", "max_length": 200},
        }
    ],
}


TITLE_DENIED = {"type": "plain_text", "text": "Denied"}
NOTICE = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Approval"},
    "blocks": [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "deny",
                    "text": {"type": "plain_text", "text": "Deny"},
                    "style": "danger",
                    "value": "req-9",
                }
            ],
        }
    ],
}


def bolt_app(server: SlackServer) -> AsyncApp:
    """A minimal bot using the interaction ids of docs/spec/bot.md."""
    client = AsyncWebClient(token=server.token, base_url=server.api_url)
    app = AsyncApp(client=client, signing_secret=server.signing_secret)

    @app.command("/vpc-test")
    async def command(
        ack: AsyncAck, respond: AsyncRespond, client: AsyncWebClient, command: dict[str, Any]
    ) -> None:
        await ack(text=f"Checking {command['text']}…")
        await client.chat_postMessage(
            channel=command["channel_id"], text="result", blocks=result_blocks(command["text"])
        )
        await respond(text="Posted the result.")

    @app.command("/vpc-steps")
    async def steps(ack: AsyncAck) -> None:
        step = {
            "type": "button",
            "action_id": "step_1",
            "text": {"type": "plain_text", "text": "Step 1"},
            "value": "1",
        }
        await ack(text="steps", blocks=[{"type": "actions", "elements": [step]}])

    @app.action("step_1")
    async def step_1(ack: AsyncAck, respond: AsyncRespond, body: dict[str, Any]) -> None:
        await ack()
        await respond(replace_original=True, text=f"step {body['actions'][0]['value']} shown")

    @app.action("deny")
    async def deny(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        view = body["view"]
        await client.views_update(
            view_id=view["id"], hash=view["hash"], view={**NOTICE, "title": TITLE_DENIED}
        )

    @app.action("rerun")
    async def rerun(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        action = body["actions"][0]
        await client.chat_update(
            channel=body["channel"]["id"],
            ts=body["message"]["ts"],
            text=f"re-run by {body['user']['id']} ({action['value']}, {action['block_id']})",
        )

    @app.action("request_fix")
    async def request_fix(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        value = body["actions"][0]["value"]
        await client.views_open(
            trigger_id=body["trigger_id"], view={**FIX_MODAL, "private_metadata": value}
        )

    @app.view("fix_request")
    async def fix_request(ack: AsyncAck, view: dict[str, Any], client: AsyncWebClient) -> None:
        reason = view["state"]["values"]["reason"]["reason"]["value"]
        if len(reason) < 5:
            await ack(response_action="errors", errors={"reason": "Say a little more."})
            return
        await ack()
        await client.chat_postMessage(
            channel=APPROVALS, text=f"Fix requested for {view['private_metadata']}: {reason}"
        )

    @app.view_closed("fix_request")
    async def closed(ack: AsyncAck) -> None:
        await ack()

    return app


@pytest.fixture
async def platform(slack_server: SlackServer) -> AsyncIterator[SlackPlatform]:
    bot = TestServer(bolt_app(slack_server).web_app(), host="127.0.0.1")
    await bot.start_server()
    async with SlackPlatform(
        slack_server, str(bot.make_url("/slack/events")), user="U0ALICE01", channel="C0VPC0001"
    ) as slack:
        yield slack
    await bot.close()


async def test_slash_command_reaches_the_handler(
    slack_server: SlackServer, platform: SlackPlatform
) -> None:
    delivery = await platform.slash("apigw-1")
    assert delivery.status == 200 and delivery.ack == {"text": "Checking apigw-1…"}
    assert delivery.elapsed < 3 and not delivery.late
    await slack_server.wait_for("response_url")

    [posted] = slack_server.posted("C0VPC0001")
    assert posted["blocks"][1]["elements"][0]["action_id"] == "rerun"
    shown = {m["text"] for m in slack_server.ephemerals(user="U0ALICE01")}  # in either order
    assert shown == {"Checking apigw-1…", "Posted the result."}
    [ack] = slack_server.calls_to("ack")
    assert ack.ok and ack.payload["body"] == {"text": "Checking apigw-1…"}
    sent = delivery.payload
    assert sent["command"] == "/vpc-test" and sent["user_id"] == "U0ALICE01"
    assert sent["response_url"].startswith(slack_server.url) and sent["trigger_id"]


async def test_click_sends_the_buttons_real_value(
    slack_server: SlackServer, platform: SlackPlatform
) -> None:
    await platform.slash("apigw-2")
    [posted] = await slack_server.wait_for("chat.postMessage")
    ts = posted.response["ts"]

    delivery = await platform.click(ts, "rerun", user="U0BOB0001")
    assert delivery.status == 200
    await slack_server.wait_for("chat.update")
    current = slack_server.message("C0VPC0001", ts)
    assert current is not None
    assert current["text"] == "re-run by U0BOB0001 (rerun:apigw-2, controls)"
    sent = delivery.payload
    assert sent["type"] == "block_actions" and sent["message"]["ts"] == ts
    assert sent["container"] == {
        "type": "message",
        "message_ts": ts,
        "channel_id": "C0VPC0001",
        "is_ephemeral": False,
    }


async def test_modal_round_trip(slack_server: SlackServer, platform: SlackPlatform) -> None:
    await platform.slash("apigw-3")
    [posted] = await slack_server.wait_for("chat.postMessage")
    await platform.click(posted.response["message"], "request_fix")
    [opened] = await slack_server.wait_for("views.open")
    assert opened.ok, opened.response
    view_id = opened.response["view"]["id"]
    assert [v["id"] for v in slack_server.views_for("U0ALICE01", open_only=True)] == [view_id]

    with pytest.raises(SubmissionRefused):  # Slack's client will not send an empty required input
        await platform.submit(view_id, {})

    refused = await platform.submit(view_id, {"reason": "why"})
    assert refused.json == {"response_action": "errors", "errors": {"reason": "Say a little more."}}
    assert slack_server.view(view_id)["is_open"]  # type: ignore[index]

    accepted = await platform.submit(view_id, {"reason": "the SG blocks 443"})
    assert accepted.status == 200 and accepted.body == ""
    request = (await slack_server.wait_for("chat.postMessage", count=2))[-1]
    assert request.payload["text"] == "Fix requested for fix:apigw-3: the SG blocks 443"
    assert not slack_server.view(view_id)["is_open"]  # type: ignore[index]
    sent = accepted.payload["view"]
    assert sent["state"]["values"]["reason"]["reason"] == {
        "type": "plain_text_input",
        "value": "the SG blocks 443",
    }


async def test_closing_a_modal_notifies_the_bot(
    slack_server: SlackServer, platform: SlackPlatform
) -> None:
    await platform.slash("apigw-4")
    [posted] = await slack_server.wait_for("chat.postMessage")
    await platform.click(posted.response["ts"], "request_fix")
    [opened] = await slack_server.wait_for("views.open")
    closed = await platform.close(opened.response["view"]["id"])
    assert closed is not None and closed.status == 200
    assert closed.payload["type"] == "view_closed"


@pytest.mark.parametrize("tamper", [{"forge_signature": True}, {"stale": True}])
async def test_bad_signatures_get_401(
    slack_server: SlackServer, platform: SlackPlatform, tamper: dict[str, bool]
) -> None:
    delivery = await platform.slash("apigw-5", **tamper)
    assert delivery.status == 401
    assert slack_server.calls == []  # the handler never ran: not even auth.test


async def test_click_in_an_ephemeral_message_and_replace_original(
    slack_server: SlackServer, platform: SlackPlatform
) -> None:
    await platform.slash(command="/vpc-steps")
    [shown] = slack_server.ephemerals(user="U0ALICE01")
    delivery = await platform.click(shown, "step_1")
    assert delivery.payload["container"]["is_ephemeral"] and "message" not in delivery.payload
    await slack_server.wait_for("response_url")
    [replaced] = slack_server.ephemerals(user="U0ALICE01")
    assert replaced["ts"] == shown["ts"] and replaced["text"] == "step 1 shown"


async def test_click_in_a_modal_updates_it_by_hash(
    slack_server: SlackServer, platform: SlackPlatform, web: AsyncWebClient
) -> None:
    trigger = slack_server.mint_trigger("U0BOB0001")
    view = (await web.views_open(trigger_id=trigger, view=NOTICE))["view"]
    delivery = await platform.click(view["id"], "deny")
    assert delivery.payload["container"] == {"type": "view", "view_id": view["id"]}
    assert delivery.payload["user"]["id"] == "U0BOB0001"
    [updated] = await slack_server.wait_for("views.update")
    assert updated.ok and slack_server.view(view["id"])["title"] == TITLE_DENIED  # type: ignore[index]


async def test_value_override_and_unknown_action(
    slack_server: SlackServer, platform: SlackPlatform
) -> None:
    await platform.slash("apigw-6")
    [posted] = await slack_server.wait_for("chat.postMessage")
    delivery = await platform.click(posted.response["ts"], "rerun", value="rerun:forged")
    assert delivery.payload["actions"][0]["value"] == "rerun:forged"
    with pytest.raises(LookupError):
        await platform.click(posted.response["ts"], "approve")
