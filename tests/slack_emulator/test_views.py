"""views.open/push/update: trigger ids (single use, 3 s), ids, hashes, stacks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.slack_emulator.conftest import Clock
from vpctest.slack_emulator import SlackServer


def modal(title: str = "Request a fix", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "fix_request",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "Reason"},
                "element": {"type": "plain_text_input", "action_id": "reason"},
            }
        ],
        **extra,
    }


async def refusal(call: Any) -> str:
    with pytest.raises(SlackApiError) as refused:
        await call
    return refused.value.response["error"]


async def test_open_and_update(slack_server: SlackServer, web: AsyncWebClient) -> None:
    trigger = slack_server.mint_trigger("U0ALICE01")
    opened = (await web.views_open(trigger_id=trigger, view=modal(private_metadata="req-1")))[
        "view"
    ]
    assert opened["id"].startswith("V") and opened["hash"]
    assert opened["callback_id"] == "fix_request" and opened["private_metadata"] == "req-1"
    assert opened["root_view_id"] == opened["id"] and opened["state"] == {"values": {}}

    updated = (
        await web.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Sent"))
    )["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert (
        await refusal(
            web.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Stale"))
        )
        == "hash_conflict"
    )

    [mine] = slack_server.views_for("U0ALICE01")
    assert mine["title"]["text"] == "Sent" and mine["is_open"]
    assert slack_server.views_for("U0BOB0001") == []


async def test_trigger_is_single_use(slack_server: SlackServer, web: AsyncWebClient) -> None:
    trigger = slack_server.mint_trigger("U0ALICE01")
    await web.views_open(trigger_id=trigger, view=modal())
    assert await refusal(web.views_open(trigger_id=trigger, view=modal())) == (
        "exchanged_trigger_id"
    )
    assert await refusal(web.views_open(trigger_id="123.456.abc", view=modal())) == (
        "invalid_trigger_id"
    )


async def test_trigger_expires_after_three_seconds(
    slack_server_at: Callable[..., SlackServer], clock: Clock
) -> None:
    server = slack_server_at(clock)
    web = AsyncWebClient(token=server.token, base_url=server.api_url)
    fresh, late = server.mint_trigger("U0ALICE01"), server.mint_trigger("U0ALICE01")
    clock.advance(2.9)
    await web.views_open(trigger_id=fresh, view=modal())
    clock.advance(0.2)
    assert await refusal(web.views_open(trigger_id=late, view=modal())) == "expired_trigger_id"


async def test_an_invalid_view_does_not_use_the_trigger(
    slack_server: SlackServer, web: AsyncWebClient
) -> None:
    trigger = slack_server.mint_trigger("U0ALICE01")
    assert await refusal(web.views_open(trigger_id=trigger, view=modal("x" * 25))) == (
        "invalid_arguments"
    )
    await web.views_open(trigger_id=trigger, view=modal())
    assert len(slack_server.violations) == 1
    slack_server.violations.clear()


async def test_push_from_a_modal_interaction(
    slack_server: SlackServer, web: AsyncWebClient
) -> None:
    root = await web.views_open(trigger_id=slack_server.mint_trigger("U0BOB0001"), view=modal())
    root_id = root["view"]["id"]
    pushed = []
    for step in range(2):
        trigger = slack_server.mint_trigger("U0BOB0001", view_id=root_id)
        view = (await web.views_push(trigger_id=trigger, view=modal(f"Step {step}")))["view"]
        assert view["root_view_id"] == root_id
        pushed.append(view["id"])
    assert slack_server.view(pushed[1])["previous_view_id"] == pushed[0]  # type: ignore[index]
    trigger = slack_server.mint_trigger("U0BOB0001", view_id=root_id)
    assert await refusal(web.views_push(trigger_id=trigger, view=modal())) == ("push_limit_reached")


async def test_update_by_external_id_and_unknown_view(
    slack_server: SlackServer, web: AsyncWebClient
) -> None:
    trigger = slack_server.mint_trigger("U0ALICE01")
    await web.views_open(trigger_id=trigger, view=modal(external_id="fix-7"))
    updated = await web.views_update(external_id="fix-7", view=modal("Again", external_id="fix-7"))
    assert updated["view"]["title"]["text"] == "Again"
    assert await refusal(web.views_update(view_id="V0NOPE", view=modal())) == "not_found"
    trigger = slack_server.mint_trigger("U0ALICE01")
    assert await refusal(web.views_open(trigger_id=trigger, view=modal(external_id="fix-7"))) == (
        "duplicate_external_id"
    )
