"""`--sandbox [FILE]`: serve a world with the emulator in this process and point the
clients at it. The only product code that imports `emulator`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from vpctest.diagnostics.cloud.clients import CloudSettings
from vpctest.diagnostics.errors import UsageError


def demo_world_path() -> Path:
    return Path(str(resources.files("vpctest.emulator") / "worlds" / "demo.yaml"))


@contextmanager
def sandbox(world_file: str | None) -> Iterator[CloudSettings]:
    from vpctest.emulator.server import EmulatorServer
    from vpctest.emulator.world import WorldError, load_world

    path = Path(world_file) if world_file else demo_world_path()
    if not path.is_file():
        raise UsageError(f"--sandbox {path}: no such world file")
    try:
        world = load_world(path)
    except WorldError as exc:
        raise UsageError(str(exc)) from exc  # it names the file and the key's path
    for proxy in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        os.environ.pop(proxy, None)  # the SDK would send even loopback calls through a proxy
    with EmulatorServer(world) as server:
        yield CloudSettings(
            region=world.region,
            endpoint_url=server.url,
            access_key_id=world.credentials.access_key_id,
            access_key_secret=world.credentials.access_key_secret,
        )
