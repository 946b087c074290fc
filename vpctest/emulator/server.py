"""The emulator's HTTP server: CloudAPI, ECS and SLB on one loopback port, as the SDKs call them."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from aiohttp import web

from vpctest.emulator.actions import RuntimeState, lookup
from vpctest.emulator.errors import ApiError, error_body
from vpctest.emulator.faults import FaultInjector
from vpctest.emulator.params import Params
from vpctest.emulator.signing import SignedRequest, verify
from vpctest.emulator.world import World, load_world, parse_world
from vpctest.loopback import ThreadedServer

log = logging.getLogger("emulator")
T = TypeVar("T")
WorldSource = World | str | Path | dict[str, Any]
INTERNAL_ERROR = (
    "The request processing has failed due to some unknown error, exception or failure."
)


def as_world(world: WorldSource) -> World:
    """A World from a World, a world file path, or a world mapping."""
    if isinstance(world, World):
        return world
    if isinstance(world, dict):
        return parse_world(world, source="<dict>")
    return load_world(world)


class EmulatorServer(ThreadedServer):
    """Serves a world over HTTP on loopback, from its own event loop in a daemon thread.

    Thread-safety: the world is read and written only on the server's loop thread while it runs.
    From another thread, change it with `mutate(fn)` (runs `fn(world)` on that loop, waits, and
    returns what `fn` returns) or swap it with `set_world(...)`. Reading `world` or `calls` while
    no request is in flight is safe.
    """

    thread_name = "emulator-server"

    def __init__(self, world: WorldSource, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self._world = as_world(world)
        self._faults = FaultInjector(self._world.faults.seed)
        self._state = RuntimeState()
        self.calls: Counter[str] = Counter()  # authenticated calls per action name
        self.qualified_calls: Counter[str] = Counter()  # the same, keyed "ecs:DescribeInstances"

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    # --- what tests and tools use -----------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """`host:port`, as the SDK's Config(endpoint=…) wants it."""
        return f"{self.host}:{self.port}"

    @property
    def world(self) -> World:
        """The live world (mutated by write actions); change it through `mutate`."""
        return self._world

    @property
    def state(self) -> RuntimeState:
        """Cloud Assistant invocations run so far."""
        return self._state

    def reset_calls(self) -> None:
        self.calls.clear()
        self.qualified_calls.clear()

    def mutate(self, fn: Callable[[World], T]) -> T:
        """Run `fn(world)` on the server's loop (between requests) and return its result."""
        if self._thread is None or self._loop is None or threading.current_thread() is self._thread:
            return fn(self._world)

        async def call() -> T:
            return fn(self._world)

        return asyncio.run_coroutine_threadsafe(call(), self._loop).result(timeout=30)

    def set_world(self, world: WorldSource) -> None:
        """Serve another world from now on (faults' random source and buckets start afresh)."""
        new = as_world(world)

        def swap(_: World) -> None:
            self._world = new
            self._faults = FaultInjector(new.faults.seed)

        self.mutate(swap)

    # --- serving ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        request_id = str(uuid.uuid4()).upper()
        host_id, product = request.host, "Unknown"
        try:
            path, _, raw_query = request.raw_path.partition("?")
            query = dict(parse_qsl(raw_query, keep_blank_values=True))
            form: dict[str, str] = {}
            if body and request.content_type == "application/x-www-form-urlencoded":
                form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            headers: dict[str, list[str]] = {}
            for name, value in request.headers.items():
                headers.setdefault(name.lower(), []).append(value)
            name = request.headers.get("x-acs-action") or query.get("Action") or form.get("Action")
            version = (
                request.headers.get("x-acs-version") or query.get("Version") or form.get("Version")
            )
            spec = lookup(version, name)
            if spec is None or request.method not in ("GET", "POST") or path != "/":
                raise ApiError(
                    404,
                    "InvalidAction.NotFound",
                    "Specified api is not found, please check your url and method.",
                )
            host_id = spec.product.host.format(region=self._world.region)
            product = spec.product.name
            credentials = self._world.credentials
            access_key_id = verify(
                SignedRequest(request.method, path, query, headers, body),
                {credentials.access_key_id: credentials.access_key_secret},
            )
            self.calls[spec.name] += 1
            self.qualified_calls[f"{spec.product.key}:{spec.name}"] += 1
            await self._faults.apply(self._world.faults, spec.product.key, spec.name, access_key_id)
            context = spec.context(self._world, Params({**query, **form}), self._state)
            return self._json(200, {"RequestId": request_id, **spec.handler(context)}, request_id)
        except ApiError as err:
            body_json = error_body(err, request_id, host_id, product)
            return self._json(err.status, body_json, request_id, err.headers)
        except Exception:
            log.exception("emulator: request %s failed", request_id)
            err = ApiError(500, "InternalError", INTERNAL_ERROR)
            return self._json(500, error_body(err, request_id, host_id, product), request_id)

    @staticmethod
    def _json(
        status: int, body: dict[str, Any], request_id: str, headers: dict[str, str] | None = None
    ) -> web.Response:
        return web.Response(
            status=status,
            text=json.dumps(body, ensure_ascii=False),
            content_type="application/json",
            charset="utf-8",
            headers={"x-acs-request-id": request_id, **(headers or {})},
        )
