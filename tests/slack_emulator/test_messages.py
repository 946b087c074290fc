"""chat.* through slack_sdk's AsyncWebClient: state, recording, auth and body encodings."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from vpctest.slack_emulator import SlackServer

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*VPC access*: checking"}}
RERUN = {
    "type": "actions",
    "block_id": "controls",
    "elements": [
        {
            "type": "button",
            "action_id": "rerun",
            "text": {"type": "plain_text", "text": "Re-run"},
            "value": "run-42",
        }
    ],
}


async def test_post_then_update_keeps_ts_and_history(
    slack_server: SlackServer, web: AsyncWebClient
) -> None:
    posted = await web.chat_postMessage(channel="C0VPC0001", text="checking", blocks=[SECTION])
    ts = posted["ts"]
    assert posted["channel"] == "C0VPC0001"
    assert posted["message"]["bot_id"] == slack_server.identity.bot_id
    assert posted["message"]["blocks"][0]["block_id"]  # Slack fills block_ids in

    updated = await web.chat_update(channel="C0VPC0001", ts=ts, text="done", blocks=[RERUN])
    assert updated["ts"] == ts and updated["message"]["edited"]["ts"] > ts

    current = slack_server.message("C0VPC0001", ts)
    assert current is not None and current["text"] == "done"
    assert current["blocks"][0]["elements"][0]["value"] == "run-42"
    assert [m["ts"] for m in slack_server.posted("C0VPC0001")] == [ts]
    record = slack_server.message_record("C0VPC0001", ts)
    assert record is not None and [v["text"] for v in record.versions] == ["checking"]


async def test_update_without_blocks_keeps_them(
    slack_server: SlackServer, web: AsyncWebClient
) -> None:
    ts = (await web.chat_postMessage(channel="C0VPC0001", text="a", blocks=[RERUN]))["ts"]
    await web.chat_update(channel="C0VPC0001", ts=ts, text="b")
    current = slack_server.message("C0VPC0001", ts)
    assert current is not None and current["text"] == "b" and current["blocks"][0]["elements"]


async def test_timestamps_increase(slack_server: SlackServer, web: AsyncWebClient) -> None:
    stamps = [(await web.chat_postMessage(channel="C0A", text=str(i)))["ts"] for i in range(5)]
    assert stamps == sorted(stamps, key=float) and len(set(stamps)) == 5
    seconds, micros = stamps[0].split(".")
    assert len(seconds) == 10 and len(micros) == 6


async def test_update_and_delete_of_unknown_message(web: AsyncWebClient) -> None:
    for call in (
        web.chat_update(channel="C0A", ts="1700000000.000100", text="x"),
        web.chat_delete(channel="C0A", ts="1700000000.000100"),
    ):
        with pytest.raises(SlackApiError) as refused:
            await call
        assert refused.value.response["error"] == "message_not_found"


async def test_delete(slack_server: SlackServer, web: AsyncWebClient) -> None:
    ts = (await web.chat_postMessage(channel="C0A", text="bye"))["ts"]
    await web.chat_delete(channel="C0A", ts=ts)
    assert slack_server.posted("C0A") == [] and slack_server.message("C0A", ts) is None


async def test_ephemeral_is_kept_apart(slack_server: SlackServer, web: AsyncWebClient) -> None:
    sent = await web.chat_postEphemeral(channel="C0A", user="U0ALICE01", text="only you")
    assert sent["message_ts"]
    assert slack_server.posted("C0A") == []
    [shown] = slack_server.ephemerals(user="U0ALICE01")
    assert shown["text"] == "only you" and shown["channel"] == "C0A"
    with pytest.raises(SlackApiError):  # ephemeral messages cannot be updated through chat.update
        await web.chat_update(channel="C0A", ts=sent["message_ts"], text="x")


async def test_message_to_a_user_goes_to_the_dm(
    slack_server: SlackServer, web: AsyncWebClient
) -> None:
    posted = await web.chat_postMessage(channel="U0ALICE01", text="hello")
    assert posted["channel"] == "D0ALICE01"
    assert slack_server.posted("D0ALICE01")[0]["text"] == "hello"


async def test_calls_are_recorded(slack_server: SlackServer, web: AsyncWebClient) -> None:
    await web.chat_postMessage(channel="C0A", text="x", blocks=[SECTION])
    [call] = slack_server.calls_to("chat.postMessage")
    assert call.ok and call.status == 200
    assert call.payload["blocks"] == [SECTION] and "token" not in call.payload
    assert call.response["ts"] and call.time > 0


async def test_form_encoded_body_with_blocks_as_json_string(
    slack_server: SlackServer, web: AsyncWebClient
) -> None:
    answer = await web.api_call(
        "chat.postMessage",
        data={"channel": "C0A", "text": "form", "blocks": json.dumps([SECTION])},
    )
    assert answer["ok"]
    assert slack_server.calls_to("chat.postMessage")[0].payload["blocks"] == [SECTION]
    assert slack_server.posted("C0A")[0]["blocks"][0]["text"] == SECTION["text"]


async def test_token_in_a_form_field(slack_server: SlackServer) -> None:
    client = AsyncWebClient(base_url=slack_server.api_url)
    answer = await client.api_call("auth.test", data={"token": slack_server.token})
    assert answer["user_id"] == slack_server.identity.user_id


async def test_invalid_and_missing_token(slack_server: SlackServer) -> None:
    with pytest.raises(SlackApiError) as refused:
        await AsyncWebClient(token="xoxb-wrong", base_url=slack_server.api_url).auth_test()
    assert refused.value.response.status_code == 200
    assert refused.value.response.data == {"ok": False, "error": "invalid_auth"}
    with pytest.raises(SlackApiError) as refused:
        await AsyncWebClient(base_url=slack_server.api_url).chat_postMessage(
            channel="C0A", text="x"
        )
    assert refused.value.response["error"] == "not_authed"
    assert slack_server.posted("C0A") == []
    assert [c.error for c in slack_server.calls] == ["invalid_auth", "not_authed"]


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
async def test_no_text_is_refused_and_recorded(
    slack_server: SlackServer, web: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError) as refused:
        await web.chat_postMessage(channel="C0A")
    assert refused.value.response["error"] == "no_text"
    assert [v.error for v in slack_server.violations] == ["no_text"]
    slack_server.violations.clear()


async def test_strict_channels(slack_server_at: Callable[..., SlackServer]) -> None:
    server = slack_server_at(channels={"C0KNOWN01": "vpc-ops"}, strict=True)
    client = AsyncWebClient(token=server.token, base_url=server.api_url)
    await client.chat_postMessage(channel="C0KNOWN01", text="ok")
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel="C0OTHER01", text="x")
    assert refused.value.response["error"] == "channel_not_found"
    info = await client.conversations_info(channel="C0KNOWN01")
    assert info["channel"]["name"] == "vpc-ops"


async def test_reset_forgets_everything(slack_server: SlackServer, web: AsyncWebClient) -> None:
    await web.chat_postMessage(channel="C0A", text="x")
    slack_server.reset()
    assert slack_server.calls == [] and slack_server.posted("C0A") == []
    assert (await web.usergroups_users_list(usergroup="S0APPROVERS"))["users"]


async def test_changes_are_watched_and_the_call_log_can_be_capped(
    slack_server: SlackServer, web: AsyncWebClient
) -> None:
    seen: list[int] = []
    slack_server.watch(seen.append)
    slack_server.keep_calls = 2
    for text in ("one", "two", "three"):
        await web.chat_postMessage(channel="C0VPC0001", text=text)
    assert seen == sorted(seen) and len(seen) == 3 and seen[-1] == slack_server.version
    assert [c.payload["text"] for c in slack_server.calls] == ["two", "three"]
    assert [m["text"] for m in slack_server.messages()] == ["one", "two", "three"]  # state stays
