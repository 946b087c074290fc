"""Serve a benchmark world from a child process (spawned: importable, not in __main__)."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from vpctest.diagnostics.cloud.clients import CloudSettings

START_TIMEOUT_S = 60


def _serve(world: dict[str, Any], conn: Any) -> None:
    from vpctest.emulator.server import EmulatorServer
    from vpctest.emulator.world import parse_world

    with EmulatorServer(parse_world(world, source="bench")) as server:
        conn.send(server.url)
        conn.recv()  # wait for "stop"
        conn.send(dict(server.qualified_calls))


@contextmanager
def emulator(world: dict[str, Any]) -> Iterator[tuple[CloudSettings, dict[str, int]]]:
    """Serve `world` from a child process; the dict fills with its call counts at exit."""
    parent, child = mp.Pipe()
    process = mp.get_context("spawn").Process(target=_serve, args=(world, child), daemon=True)
    process.start()
    if not parent.poll(START_TIMEOUT_S):
        process.kill()
        raise RuntimeError("the emulator did not start")
    url = parent.recv()
    calls: dict[str, int] = {}
    creds = world["credentials"]
    settings = CloudSettings(
        region=world["region"],
        endpoint_url=url,
        access_key_id=creds["access_key_id"],
        access_key_secret=creds["access_key_secret"],
    )
    try:
        yield settings, calls
    finally:
        parent.send("stop")
        if parent.poll(30):
            calls.update(parent.recv())
        process.join(timeout=10)
