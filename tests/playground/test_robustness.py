"""When the bot is down, refuses, or answers after Slack's three seconds, the page is told so."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

from tests.playground.conftest import Page, open_page, until
from vpctest.emulator import EmulatorServer
from vpctest.playground.people import DEVELOPER, GENERAL
from vpctest.playground.run import free_port
from vpctest.slack_emulator import SlackServer

Reply = Callable[[web.Request], Awaitable[web.Response]]


@pytest.fixture
async def fake_bot() -> AsyncIterator[Callable[[Reply], Awaitable[str]]]:
    """Serve a stand-in bot whose /slack/events answers with `reply`; returns its events URL."""
    runners: list[web.AppRunner] = []

    async def start(reply: Reply) -> str:
        app = web.Application()
        app.router.add_post("/slack/events", reply)
        app.router.add_get("/healthz", _ok)
        runner = web.AppRunner(app, shutdown_timeout=0.5)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        runners.append(runner)
        return f"http://127.0.0.1:{port}/slack/events"

    yield start
    for runner in runners:
        await runner.cleanup()


async def _ok(_: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def slash(page: Page) -> dict:
    answer = await page.post(
        "/api/slash", user=DEVELOPER.id, channel=GENERAL.id, text="billing-backend"
    )
    return answer["delivery"]


async def test_a_bot_that_is_down_is_named_with_what_slack_would_show(
    demo_cloud: EmulatorServer, playground_slack: SlackServer
) -> None:
    url = f"http://127.0.0.1:{free_port()}/slack/events"
    page, close = await open_page(demo_cloud, playground_slack, url)
    try:
        delivery = await slash(page)
        assert not delivery["ok"] and delivery["status"] is None
        assert f"The bot is not answering at {url}" in delivery["error"]
        assert "dispatch_failed" in delivery["error"]

        async def down() -> dict | None:
            bot = (await page.get("/api/state"))["bot"]
            return bot if bot["status"] == "down" else None

        bot = await until(down, what="the bot to be reported down")
        assert "/healthz" in bot["detail"] and not bot["managed"]
        restart = await page.post("/api/bot/restart", expect=400)
        assert "--bot-url" in restart["error"]  # it is not ours to restart
    finally:
        await close()


async def test_an_ack_after_three_seconds_is_shown_late_and_dropped(
    demo_cloud: EmulatorServer, playground_slack: SlackServer, fake_bot
) -> None:
    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(3.2)
        return web.json_response({"response_type": "ephemeral", "text": "Testing…"})

    page, close = await open_page(demo_cloud, playground_slack, await fake_bot(slow))
    try:
        delivery = await slash(page)
        assert delivery["late"] and not delivery["ok"] and delivery["elapsed_ms"] >= 3200
        assert "operation_timeout" in delivery["error"]
        assert "3.2 s" in delivery["error"]
        state = await page.get("/api/state")
        assert state["messages"] == []  # Slack drops an ack that comes too late
        assert state["deliveries"][-1]["late"]
    finally:
        await close()


async def test_a_refused_request_shows_the_status_and_body(
    demo_cloud: EmulatorServer, playground_slack: SlackServer, fake_bot
) -> None:
    async def refuse(_: web.Request) -> web.Response:
        return web.Response(status=401, text="invalid signature")

    page, close = await open_page(demo_cloud, playground_slack, await fake_bot(refuse))
    try:
        delivery = await slash(page)
        assert delivery["status"] == 401 and not delivery["ok"]
        assert "HTTP 401 (invalid signature)" in delivery["error"]
    finally:
        await close()
