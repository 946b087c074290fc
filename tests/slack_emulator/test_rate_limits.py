"""HTTP 429 with Retry-After, and slack_sdk's own retry handler getting through."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.slack_emulator.conftest import Clock
from vpctest.slack_emulator import SlackServer


async def test_next_calls_are_refused_with_retry_after(
    slack_server: SlackServer, web: AsyncWebClient
) -> None:
    slack_server.rate_limit("chat.postMessage", next_calls=1, retry_after=7)
    with pytest.raises(SlackApiError) as refused:
        await web.chat_postMessage(channel="C0A", text="x")
    answer = refused.value.response
    assert answer.status_code == 429 and answer["error"] == "ratelimited"
    assert answer.headers["Retry-After"] == "7"
    await web.chat_postMessage(channel="C0A", text="x")  # the limit is spent
    assert [c.status for c in slack_server.calls] == [429, 200]


async def test_sdk_retry_handler_succeeds_after_429(slack_server: SlackServer) -> None:
    slack_server.rate_limit("chat.update", next_calls=1, retry_after=0)
    web = AsyncWebClient(
        token=slack_server.token,
        base_url=slack_server.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )
    ts = (await web.chat_postMessage(channel="C0A", text="a"))["ts"]
    updated = await web.chat_update(channel="C0A", ts=ts, text="b")
    assert updated["ok"]
    assert [c.status for c in slack_server.calls_to("chat.update")] == [429, 200]


async def test_per_minute_window(slack_server_at: Callable[..., SlackServer], clock: Clock) -> None:
    server = slack_server_at(clock)
    web = AsyncWebClient(token=server.token, base_url=server.api_url)
    server.rate_limit("users.info", per_minute=2)
    await web.users_info(user="U0ALICE01")
    clock.advance(20)
    await web.users_info(user="U0ALICE01")
    with pytest.raises(SlackApiError) as refused:
        await web.users_info(user="U0ALICE01")
    assert refused.value.response.headers["Retry-After"] == "40"
    await web.auth_test()  # other methods are not limited
    clock.advance(40)
    await web.users_info(user="U0ALICE01")
    server.clear_rate_limits()
    for _ in range(3):
        await web.users_info(user="U0ALICE01")
