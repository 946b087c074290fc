"""Shared fixtures: the emulator serving a world, and the real SDK clients pointed at it.

- `emulator_server(world, host="127.0.0.1", port=0)` starts an `EmulatorServer` and returns it;
  `world` is a scenario name ("ecs-pass"), a path to a world file, a world mapping, or a `World`.
  Every server started is stopped at teardown. Read `server.calls` (a Counter of calls per action
  name) and `server.world`; change the live world with `server.mutate(fn)` or
  `server.set_world(...)`; `server.reset_calls()` clears the counts.
- `sdk_clients(server, access_key_id=None, access_key_secret=None, region=None)` returns
  `SdkClients(cloudapi, ecs, slb, region)`: the real SDK clients over HTTP to the server, with
  the world's AccessKey pair unless given. HTTP(S)_PROXY are cleared for the test.
- `scenario_path(name)` is the path of tests/scenarios/<name>.yaml.
"""

from __future__ import annotations

import os

# Never let the credential chain reach for the ECS metadata address from a test machine.
os.environ.setdefault("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_cloudapi20160714.client import Client as CloudApiClient
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_slb20140515.client import Client as SlbClient
from alibabacloud_tea_openapi import utils_models as open_api_models

from tests.fix_kinds import route_kind  # noqa: F401 (a fixture: a test-only fix kind)
from vpctest.emulator import EmulatorServer, World

SCENARIOS = Path(__file__).parent / "scenarios"
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")


@dataclass
class SdkClients:
    """The three product clients, pointed at one emulator."""

    cloudapi: CloudApiClient
    ecs: EcsClient
    slb: SlbClient
    region: str


def _world_source(world: Any) -> Any:
    """A bare scenario name means tests/scenarios/<name>.yaml."""
    if isinstance(world, str) and "/" not in world and not world.endswith((".yaml", ".yml")):
        return SCENARIOS / f"{world}.yaml"
    return world


@pytest.fixture
def scenario_path() -> Callable[[str], Path]:
    return lambda name: SCENARIOS / f"{name}.yaml"


@pytest.fixture
def emulator_server() -> Iterator[Callable[..., EmulatorServer]]:
    started: list[EmulatorServer] = []

    def start(
        world: str | Path | dict[str, Any] | World, host: str = "127.0.0.1", port: int = 0
    ) -> EmulatorServer:
        server = EmulatorServer(_world_source(world), host=host, port=port).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def sdk_clients(monkeypatch: pytest.MonkeyPatch) -> Callable[..., SdkClients]:
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)

    def make(
        server: EmulatorServer,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        region: str | None = None,
    ) -> SdkClients:
        creds = server.world.credentials
        region = region or server.world.region

        def config() -> open_api_models.Config:
            return open_api_models.Config(
                access_key_id=access_key_id or creds.access_key_id,
                access_key_secret=access_key_secret or creds.access_key_secret,
                endpoint=server.endpoint,
                protocol="http",
                region_id=region,
            )

        return SdkClients(
            cloudapi=CloudApiClient(config()),
            ecs=EcsClient(config()),
            slb=SlbClient(config()),
            region=region,
        )

    return make
