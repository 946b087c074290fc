"""Fixtures for the Slack emulator's tests.

- `slack_server`: a started `SlackServer` (user group S0APPROVERS = U0ALICE01, U0BOB0001), stopped
  at teardown, where it also asserts `violations == []`: a test that provokes violations asserts
  them and clears the list.
- `web`: slack_sdk's AsyncWebClient on the server's Web API.
- `clock`: a settable clock; `slack_server_at(clock, **options)` starts a server reading it.
- Every test runs with connections refused to anything but loopback.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from vpctest.slack_emulator import SlackServer

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")
GROUPS = {"S0APPROVERS": ["U0ALICE01", "U0BOB0001"]}
USERS = [{"id": "U0ALICE01", "name": "alice", "is_admin": True}, "U0BOB0001"]


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing here may reach the real Slack: refuse connections beyond loopback."""
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    connect = socket.socket.connect

    def guarded(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
                raise ConnectionRefusedError(f"test tried to reach {host}")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _checked(server: SlackServer) -> None:
    server.stop()
    assert server.violations == [], [v.messages for v in server.violations]


@pytest.fixture
def slack_server_at() -> Iterator[Callable[..., SlackServer]]:
    started: list[SlackServer] = []

    def start(clock: Callable[[], float] | None = None, **options: Any) -> SlackServer:
        options.setdefault("users", USERS)
        options.setdefault("usergroups", GROUPS)
        if clock is not None:
            options["clock"] = clock
        server = SlackServer(**options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        _checked(server)


@pytest.fixture
def slack_server(slack_server_at: Callable[..., SlackServer]) -> SlackServer:
    return slack_server_at()


@pytest.fixture
async def web(slack_server: SlackServer) -> AsyncIterator[AsyncWebClient]:
    client = AsyncWebClient(token=slack_server.token, base_url=slack_server.api_url)
    yield client
    if client.session is not None:
        await client.session.close()
