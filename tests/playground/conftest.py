"""The playground's server in-process, its page API driven over HTTP.

`page` drives a Playground whose bot is the real Bolt app in this process (the `--bot-url` path);
tests of the managed child process and of the command start those themselves.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.bot.harness import BotHarness
from vpctest.cli.sandbox import demo_world_path
from vpctest.emulator import EmulatorServer
from vpctest.emulator.world import load_world
from vpctest.playground.run import listen, new_slack, serve_page
from vpctest.playground.server import Playground
from vpctest.slack_emulator import SlackServer


@dataclass
class Page:
    """What the page does: GET and POST JSON to the playground, read its server-sent events."""

    playground: Playground
    url: str
    session: aiohttp.ClientSession

    async def get(self, path: str) -> Any:
        async with self.session.get(self.url + path) as answer:
            assert answer.status == 200, await answer.text()
            return await answer.json()

    async def post(self, path: str, expect: int = 200, **body: Any) -> Any:
        async with self.session.post(self.url + path, json=body) as answer:
            payload = await answer.json()
            assert answer.status == expect, payload
            return payload

    async def events(self) -> AsyncIterator[tuple[str, Any]]:
        """(event name, data) for each server-sent event, as EventSource parses them."""
        timeout = aiohttp.ClientTimeout(total=None, sock_read=20)
        async with self.session.get(self.url + "/api/events", timeout=timeout) as stream:
            assert stream.headers["Content-Type"] == "text/event-stream"
            name, data = "message", []
            async for raw in stream.content:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
                elif not line and data:
                    yield name, json.loads("\n".join(data))
                    name, data = "message", []


async def until(probe: Callable[[], Any], timeout: float = 15.0, what: str = "it") -> Any:
    """Poll an async or plain probe until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = probe()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.fixture
def demo_cloud() -> Iterator[EmulatorServer]:
    with EmulatorServer(load_world(demo_world_path())) as server:
        yield server


@pytest.fixture
def playground_slack() -> Iterator[SlackServer]:
    with new_slack() as server:
        yield server
        assert server.violations == [], server.violations  # all the bot sent was valid


async def open_page(
    cloud: EmulatorServer, slack: SlackServer, events_url: str
) -> tuple[Page, Callable[[], Any]]:
    playground = Playground(cloud, slack, events_url, lambda: load_world(demo_world_path()))
    sock = listen(0)
    runner = await serve_page(playground, sock)
    await playground.start()
    session = aiohttp.ClientSession()
    page = Page(playground, f"http://127.0.0.1:{sock.getsockname()[1]}", session)

    async def close() -> None:
        await session.close()
        await playground.close()
        await runner.cleanup()

    return page, close


@pytest.fixture
async def page(
    demo_cloud: EmulatorServer, playground_slack: SlackServer, tmp_path: Path
) -> AsyncIterator[Page]:
    bot = await BotHarness.start(
        demo_cloud, playground_slack, f"sqlite:///{tmp_path}/bot.db", approver_groups=()
    )
    opened, close = await open_page(demo_cloud, playground_slack, bot.platform.events_url)
    yield opened
    await close()
    await bot.stop()
