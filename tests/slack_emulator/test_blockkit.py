"""Block Kit validation: Slack's answers to bad blocks and views, recorded as violations."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from vpctest.slack_emulator import SlackServer, message_errors, view_errors


def text(t: str, kind: str = "mrkdwn") -> dict[str, Any]:
    return {"type": kind, "text": t}


def button(label: str, action_id: str, **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": text(label, "plain_text"), "action_id": action_id, **extra}


def actions(*elements: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements), **extra}


def section(t: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": text(t), **extra}


def modal(title: str, blocks: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": text(title, "plain_text"),
        "blocks": blocks or [section("hi")],
        **extra,
    }


@pytest.mark.parametrize(
    ("blocks", "reason"),
    [
        ([section("x")] * 51, "must be less than 51 items [json-pointer:/blocks]"),
        ([actions(button("x" * 76, "a"))], "text attribute cannot exceed 75 characters"),
        ([actions(button("a", "a"), button("b", "a"))], "duplicate action_id: a"),
        ([section("a", accessory=button("a", "go")), actions(button("b", "go"))], "duplicate"),
        ([section("a", block_id="b"), section("b", block_id="b")], "duplicate block_id: b"),
        ([section("x" * 3001)], "text attribute cannot exceed 3000 characters"),
        ([{"type": "section", "fields": [text("f")] * 11}], "cannot exceed 10 items"),
        ([{"type": "section", "fields": [text("f" * 2001)]}], "/blocks/0/fields/0/text"),
        ([{"type": "header", "text": text("h" * 151, "plain_text")}], "cannot exceed 150"),
        ([{"type": "header", "text": text("h")}], "must be a plain_text text object"),
        ([actions(button("a", "a", value="v" * 2001))], "value attribute cannot exceed 2000"),
        ([actions(button("a", "a" * 256))], "action_id attribute cannot exceed 255"),
        ([section("a", block_id="b" * 256)], "block_id cannot exceed 255"),
        ([actions(*[button(str(i), f"a{i}") for i in range(26)])], "cannot exceed 25 elements"),
        ([{"type": "context", "elements": [text("c")] * 11}], "cannot exceed 10 elements"),
        ([actions(button("a", "a", style="red"))], "style"),
        ([{"type": "section", "text": "plain string"}], "must be a text object"),
        ([{"type": "section", "text": {**text("x"), "emoji": True}}], "additional property: emoji"),
        ([section("x", colour="red")], "invalid additional property: colour"),
        ([section("")], "must be more than 0 characters"),
        ([{"type": "carousel_of_doom"}], "unsupported type"),
        (
            [actions(button("a", "a", confirm={"title": text("t", "plain_text")}))],
            "missing required field: text",
        ),
        (
            [
                actions(
                    button(
                        "a",
                        "a",
                        confirm={
                            "title": text("t" * 101, "plain_text"),
                            "text": text("sure?"),
                            "confirm": text("Yes", "plain_text"),
                            "deny": text("No", "plain_text"),
                        },
                    )
                )
            ],
            "title attribute cannot exceed 100",
        ),
    ],
)
def test_message_rules(blocks: list[dict[str, Any]], reason: str) -> None:
    errors = message_errors("fallback", blocks)
    assert any(reason in e for e in errors), errors


def test_valid_message_and_text_limit() -> None:
    confirm = {
        "title": text("Apply?", "plain_text"),
        "text": text("This changes a security group."),
        "confirm": text("Apply", "plain_text"),
        "deny": text("Cancel", "plain_text"),
    }
    blocks = [
        {"type": "header", "text": text("VPC access", "plain_text")},
        section("ok", accessory=button("Details", "step_1", value="1")),
        {"type": "section", "fields": [text("a"), text("b")]},
        {"type": "context", "elements": [text("c")]},
        {"type": "divider"},
        actions(button("Re-run", "rerun", style="primary", confirm=confirm)),
    ]
    assert message_errors("fallback", blocks) == []
    assert message_errors("x" * 40_000, None) == []
    assert message_errors("x" * 40_001, None) == [
        "must be less than 40001 characters [json-pointer:/text]"
    ]


def test_action_ids_may_repeat_across_blocks_when_scoped_by_block() -> None:
    blocks = [section("a", accessory=button("a", "go")), actions(button("b", "go"))]
    assert message_errors("t", blocks, action_id_scope="block") == []


@pytest.mark.parametrize(
    ("view", "reason"),
    [
        (modal("x" * 25), "title must be between 1 and 24 characters"),
        (modal("ok", submit=text("s" * 25, "plain_text")), "submit cannot exceed 24"),
        (modal("ok", close=text("c" * 25, "plain_text")), "close cannot exceed 24"),
        (modal("ok", [section("s")] * 101), "must be less than 101 items"),
        (modal("ok", type="home"), 'must be "modal"'),
        ({**modal("ok"), "title": text("t")}, "must be a plain_text text object"),
        (modal("ok", private_metadata="m" * 3001), "private_metadata cannot exceed 3000"),
        (modal("ok", callback_id="c" * 256), "callback_id cannot exceed 255"),
        (
            modal(
                "ok",
                [
                    {
                        "type": "input",
                        "block_id": "reason",
                        "label": text("Reason", "plain_text"),
                        "element": {"type": "plain_text_input", "action_id": "reason"},
                    }
                ],
            ),
            "missing required field: submit",
        ),
        ({"type": "modal", "blocks": []}, "missing required field: title"),
        (modal("ok", bogus=1), "invalid additional property: bogus"),
    ],
)
def test_view_rules(view: dict[str, Any], reason: str) -> None:
    errors = view_errors(view)
    assert any(reason in e for e in errors), errors


async def test_invalid_blocks_are_refused_and_recorded(
    slack_server: SlackServer, web: AsyncWebClient
) -> None:
    bad = [
        [section("x")] * 51,
        [actions(button("x" * 76, "a"))],
        [actions(button("a", "dup"), button("b", "dup"))],
    ]
    for blocks in bad:
        with pytest.raises(SlackApiError) as refused:
            await web.chat_postMessage(channel="C0A", text="t", blocks=blocks)
        answer = refused.value.response
        assert answer["error"] == "invalid_blocks" and answer["errors"]
        assert answer["response_metadata"]["messages"][0].startswith("[ERROR] ")
    assert slack_server.posted("C0A") == []
    assert [v.method for v in slack_server.violations] == ["chat.postMessage"] * 3
    assert "duplicate action_id: dup" in slack_server.violations[2].messages[0]
    slack_server.violations.clear()


async def test_invalid_update_leaves_the_message(
    slack_server: SlackServer, web: AsyncWebClient
) -> None:
    ts = (await web.chat_postMessage(channel="C0A", text="t", blocks=[section("ok")]))["ts"]
    with pytest.raises(SlackApiError):
        await web.chat_update(channel="C0A", ts=ts, text="t", blocks=[section("x" * 3001)])
    assert slack_server.message("C0A", ts)["blocks"][0]["text"]["text"] == "ok"  # type: ignore[index]
    assert [v.method for v in slack_server.violations] == ["chat.update"]
    slack_server.violations.clear()


async def test_long_modal_title_is_refused(slack_server: SlackServer, web: AsyncWebClient) -> None:
    trigger = slack_server.mint_trigger("U0ALICE01")
    with pytest.raises(SlackApiError) as refused:
        await web.views_open(trigger_id=trigger, view=modal("A title that is far too long"))
    answer = refused.value.response
    assert answer["error"] == "invalid_arguments"
    assert "title" in answer["response_metadata"]["messages"][0]
    [violation] = slack_server.violations
    assert violation.method == "views.open" and violation.error == "invalid_arguments"
    slack_server.violations.clear()


async def test_too_long_text_is_msg_too_long(
    slack_server: SlackServer, web: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError) as refused:
        await web.chat_postMessage(channel="C0A", text="x" * 40_001)
    assert refused.value.response["error"] == "msg_too_long"
    assert [v.error for v in slack_server.violations] == ["msg_too_long"]
    slack_server.violations.clear()


async def test_unparsable_blocks_in_a_form(slack_server: SlackServer, web: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        await web.api_call("chat.postMessage", data={"channel": "C0A", "blocks": "[{oops"})
    assert refused.value.response["error"] == "invalid_blocks_format"
    slack_server.violations.clear()
