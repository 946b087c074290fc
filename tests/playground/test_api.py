"""The page's API against the real bot: the story, the refusals, and the live updates."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.playground.conftest import Page, until
from vpctest.playground.people import APPROVALS, APPROVER, DEVELOPER, DIGESTS, GENERAL, OUTSIDER


def in_channel(state: dict[str, Any], channel: str, user: str | None = None) -> list[dict]:
    """The messages `user` sees in `channel`: posted ones and the user's own ephemeral ones."""
    return [
        m
        for m in state["messages"]
        if m["channel"] == channel and m.get("ephemeral_to") in (None, user)
    ]


def result_message(state: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next(
        (
            m
            for m in in_channel(state, GENERAL.id)
            if not m.get("ephemeral_to") and m["text"].startswith(name) and m.get("blocks")
        ),
        None,
    )


def rules_of(world: dict[str, Any], group: str) -> list[dict[str, Any]]:
    return next(g["rules"] for g in world["security_groups"] if g["id"] == group)


async def run_test(page: Page, name: str) -> dict[str, Any]:
    answer = await page.post("/api/slash", user=DEVELOPER.id, channel=GENERAL.id, text=name)
    assert answer["delivery"]["ok"], answer
    return await until(lambda: _latest_result(page, name), what=f"the result of {name}")


async def _latest_result(page: Page, name: str) -> dict[str, Any] | None:
    return result_message(await page.get("/api/state"), name)


async def test_the_whole_story_through_the_api(page: Page) -> None:
    result = await run_test(page, "billing-backend")
    assert "fails" in result["text"]

    await page.post(
        "/api/click",
        user=DEVELOPER.id,
        target=result["ts"],
        action_id="step_2",
        block_id=_block_of(result, "step_2"),
    )
    state = await until(
        lambda: _open_view(page, DEVELOPER.id, "sg-billing"),
        what="the step-2 modal naming the group that decides",
    )

    await page.post("/api/close", user=DEVELOPER.id, view_id=state["id"])
    await page.post(
        "/api/click",
        user=DEVELOPER.id,
        target=result["ts"],
        action_id="request_fix",
        block_id=_block_of(result, "request_fix"),
    )
    modal = await until(lambda: _open_view(page, DEVELOPER.id, "'reason'"), what="the fix modal")
    assert modal["callback_id"] == "fix_request"
    refused = await page.post(
        "/api/submit", expect=400, user=DEVELOPER.id, view_id=modal["id"], values={}
    )
    assert "reason" in refused["error"]  # Slack's client would not submit an empty required input
    sent = await page.post(
        "/api/submit",
        user=DEVELOPER.id,
        view_id=modal["id"],
        values={"reason": "billing calls time out"},
    )
    assert sent["delivery"]["ok"]

    request = await until(lambda: _posted(page, APPROVALS.id), what="the approval request")
    approve_block = _block_of(request, "approve")
    await page.post(
        "/api/click",
        user=OUTSIDER.id,
        target=request["ts"],
        action_id="approve",
        block_id=approve_block,
    )
    refusal = await until(
        lambda: _ephemeral(page, APPROVALS.id, OUTSIDER.id), what="the outsider's refusal"
    )
    assert "approver" in refusal["text"].lower()
    assert not [
        r
        for r in rules_of(await page.get("/api/world"), "sg-billing")
        if "100.104.13.0/26" in r["source"]
    ]

    await page.post(
        "/api/click",
        user=APPROVER.id,
        target=request["ts"],
        action_id="approve",
        block_id=approve_block,
    )

    async def passed() -> bool:
        state = await page.get("/api/state")
        return any(
            m["ts"] == result["ts"] and "passes" in m["text"] for m in in_channel(state, GENERAL.id)
        )

    await until(passed, what="the result to turn to pass")
    added = [
        r
        for r in rules_of(await page.get("/api/world"), "sg-billing")
        if r["source"] == "100.104.13.0/26"
    ]
    assert len(added) == 1 and added[0]["port_range"] == "8080/8080"


async def test_a_digest_posts_in_the_digest_channel(page: Page) -> None:
    await page.playground.subscribe_digest(reuse=False)
    digest_id = (await page.get("/api/state"))["digest"]["id"]
    assert digest_id.startswith("DG-")
    await page.playground.subscribe_digest()  # a later playground on the same database
    assert page.playground.digest_id == digest_id  # reuses it rather than adding another
    answer = await page.post("/api/digest/run", user=OUTSIDER.id)
    assert answer["delivery"]["ok"]
    digest = await until(lambda: _posted(page, DIGESTS.id), what="the digest")
    assert "failing" in str(digest).lower() or "fail" in digest["text"].lower()


async def test_breaking_the_world_shows_in_the_next_run(page: Page) -> None:
    before = await run_test(page, "orders-backend")
    assert "passes" in before["text"]
    [gateway_rule] = [
        r for r in rules_of(await page.get("/api/world"), "sg-orders") if r["source"] == "pl-apigw"
    ]
    changed = await page.post(
        "/api/world", op="sg.remove_rule", group="sg-orders", rule=gateway_rule["id"]
    )
    assert gateway_rule["id"] not in [r["id"] for r in rules_of(changed["world"], "sg-orders")]
    await page.post(
        "/api/click",
        user=DEVELOPER.id,
        target=before["ts"],
        action_id="rerun",
        block_id=_block_of(before, "rerun"),
    )

    async def failing() -> bool:
        state = await page.get("/api/state")
        return any(m["ts"] == before["ts"] and "fails" in m["text"] for m in state["messages"])

    await until(failing, what="the re-run to fail")
    reset = await page.post("/api/world", op="reset")
    assert gateway_rule["id"] in [r["id"] for r in rules_of(reset["world"], "sg-orders")]


async def test_changes_are_pushed_as_server_sent_events(page: Page) -> None:
    events = page.events()
    first = [await anext(events), await anext(events)]
    assert [name for name, _ in first] == ["state", "world"]
    await page.post("/api/slash", user=DEVELOPER.id, channel=GENERAL.id, text="billing-backend")
    async for name, data in events:
        if name == "state" and result_message(data, "billing-backend"):
            break
    await page.post("/api/world", op="ecs.status", instance="i-billing", status="Stopped")
    async for name, data in events:
        if name == "world":
            [billing] = [i for i in data["ecs"] if i["id"] == "i-billing"]
            if billing["status"] == "Stopped":
                break
    await events.aclose()


async def test_refusals_say_what_to_change(page: Page) -> None:
    unknown = await page.post(
        "/api/slash", expect=400, user="U0NOBODY1", channel=GENERAL.id, text="help"
    )
    assert "U0DEVELOP1 (dana)" in unknown["error"]
    missing = await page.post("/api/click", expect=400, user=DEVELOPER.id)
    assert "target" in missing["error"] and "action_id" in missing["error"]
    gone = await page.post(
        "/api/click", expect=404, user=DEVELOPER.id, target="1.000001", action_id="rerun"
    )
    assert "no message" in gone["error"]
    bad_op = await page.post(
        "/api/world",
        expect=400,
        op="sg.add_rule",
        group="sg-billing",
        protocol="TCP",
        port_range="8080",
        policy="accept",
        priority=1,
        source_cidr="100.104.13.0/26",
    )
    assert "8080/8080" in bad_op["error"]
    async with page.session.post(page.url + "/api/slash", data="user=x") as form:
        assert form.status == 415  # a form post is what another site could make a browser send
    async with page.session.get(page.url + "/api/state", headers={"Host": "evil.test"}) as other:
        assert other.status == 403  # DNS rebinding: only loopback names are served


async def test_someone_elses_ephemeral_message_cannot_be_clicked(page: Page) -> None:
    await page.post("/api/slash", user=DEVELOPER.id, channel=GENERAL.id, text="help")
    mine = await until(lambda: _ephemeral(page, GENERAL.id, DEVELOPER.id), what="the help")
    answer = await page.post(
        "/api/click", expect=404, user=OUTSIDER.id, target=mine["ts"], action_id="rerun"
    )
    assert "only visible to someone else" in answer["error"]


# --- helpers ---------------------------------------------------------------------------------


def _block_of(message: dict[str, Any], action_id: str) -> str:
    for block in message["blocks"]:
        elements = [*(block.get("elements") or []), block.get("accessory") or {}]
        if any(e.get("action_id") == action_id for e in elements):
            return block["block_id"]
    raise AssertionError(f"no {action_id} button in {message['text']!r}")


async def _open_view(page: Page, user: str, showing: str = "") -> dict[str, Any] | None:
    """The user's topmost open modal, once it shows `showing`."""
    views = [v for v in (await page.get("/api/state"))["views"] if v["user"] == user]
    return views[-1] if views and showing in str(views[-1]["blocks"]) else None


async def _posted(page: Page, channel: str) -> dict[str, Any] | None:
    posted = [
        m
        for m in in_channel(await page.get("/api/state"), channel)
        if not m.get("ephemeral_to") and m.get("blocks")
    ]
    return posted[-1] if posted else None


async def _ephemeral(page: Page, channel: str, user: str) -> dict[str, Any] | None:
    mine = [
        m
        for m in (await page.get("/api/state"))["messages"]
        if m["channel"] == channel and m.get("ephemeral_to") == user
    ]
    return mine[-1] if mine else None


async def test_a_payload_slack_would_refuse_is_shown_with_slacks_reasons(page: Page) -> None:
    slack = page.playground.slack
    web = AsyncWebClient(token=slack.token, base_url=slack.api_url)  # as the bot calls it
    header = {"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        await web.chat_postMessage(channel=GENERAL.id, text="too long", blocks=[header])
    [refused] = (await page.get("/api/state"))["refused"]
    assert refused["method"] == "chat.postMessage" and refused["error"] == "invalid_blocks"
    assert any("150" in reason for reason in refused["messages"])
    slack.violations.clear()  # provoked on purpose
