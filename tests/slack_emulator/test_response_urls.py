"""Response URLs as respond() posts to them: ephemeral, in_channel, replace, delete, limits."""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.slack_emulator.conftest import Clock
from vpctest.slack_emulator import SlackServer

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "result"}}]


async def test_default_is_ephemeral_and_in_channel_is_public(slack_server: SlackServer) -> None:
    url = slack_server.mint_response_url("C0A", "U0ALICE01")
    hook = AsyncWebhookClient(url)
    answer = await hook.send(text="just you")
    assert answer.status_code == 200
    await hook.send(text="everyone", blocks=BLOCKS, response_type="in_channel")
    assert [m["text"] for m in slack_server.ephemerals(user="U0ALICE01")] == ["just you"]
    assert [m["text"] for m in slack_server.posted("C0A")] == ["everyone"]
    [first, _] = slack_server.calls_to("response_url")
    assert first.ok and first.payload["body"] == {"text": "just you"}


async def test_replace_and_delete_original(slack_server: SlackServer, web: AsyncWebClient) -> None:
    ts = (await web.chat_postMessage(channel="C0A", text="original", blocks=BLOCKS))["ts"]
    hook = AsyncWebhookClient(slack_server.mint_response_url("C0A", "U0ALICE01", message_ts=ts))
    await hook.send(text="replaced", replace_original=True)
    current = slack_server.message("C0A", ts)
    assert current is not None and current["text"] == "replaced" and "blocks" not in current
    await hook.send(delete_original=True)
    assert slack_server.message("C0A", ts) is None


async def test_five_uses_then_used_url(slack_server: SlackServer) -> None:
    hook = AsyncWebhookClient(slack_server.mint_response_url("C0A", "U0ALICE01"))
    for i in range(5):
        assert (await hook.send(text=str(i))).status_code == 200
    refused = await hook.send(text="sixth")
    assert refused.status_code == 404 and "used_url" in refused.body
    assert len(slack_server.ephemerals()) == 5


async def test_expires_after_thirty_minutes(
    slack_server_at: Callable[..., SlackServer], clock: Clock
) -> None:
    server = slack_server_at(clock)
    hook = AsyncWebhookClient(server.mint_response_url("C0A", "U0ALICE01"))
    clock.advance(1799)
    assert (await hook.send(text="in time")).status_code == 200
    clock.advance(2)
    refused = await hook.send(text="late")
    assert refused.status_code == 404 and "expired_url" in refused.body


async def test_unknown_url(slack_server: SlackServer) -> None:
    refused = await AsyncWebhookClient(f"{slack_server.url}/response/nope").send(text="x")
    assert refused.status_code == 404 and "invalid_url" in refused.body


async def test_invalid_blocks_are_refused_and_recorded(slack_server: SlackServer) -> None:
    hook = AsyncWebhookClient(slack_server.mint_response_url("C0A", "U0ALICE01"))
    bad = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
    refused = await hook.send(text="x", blocks=bad)
    assert refused.status_code == 400 and "invalid_blocks" in refused.body
    assert [v.method for v in slack_server.violations] == ["response_url"]
    assert slack_server.ephemerals() == []
    slack_server.violations.clear()
