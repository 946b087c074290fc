"""The engine as the bot uses it: one set of cloud clients, a fresh run per request.

Every diagnosis, fix and cloud read runs on the *work loop*: an event loop in a thread of
its own, shared by the process. The serving loop only parses requests, acks them and
posts what the work loop returns, so an ack never waits behind a diagnosis (the SDK's
signing and parsing, the engine, rendering a report). `offload` runs other such work
(rendering the messages) there too.
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from vpctest.diagnostics.cloud.clients import (
    CloudClients,
    CloudSettings,
    build_clients,
    credential_client,
)
from vpctest.diagnostics.engine import Diagnoser
from vpctest.diagnostics.facts import VpcAccess
from vpctest.diagnostics.fixes import AppliedFix, Fix
from vpctest.diagnostics.report import Report
from vpctest.diagnostics.snapshot import ProbeRequest

T = TypeVar("T")

_work_loop: asyncio.AbstractEventLoop | None = None
_work_lock = threading.Lock()


def work_loop() -> asyncio.AbstractEventLoop:
    """The process's work loop, started on first use (a daemon thread)."""
    global _work_loop
    with _work_lock:
        if _work_loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="vpc-test-work", daemon=True).start()
            _work_loop = loop
        return _work_loop


class AcksFirst:
    """Requests being answered on the serving loop; new work waits until there are none.

    The work loop shares the interpreter lock with the serving loop: work started by the
    first ack of a burst (signing and sending its first cloud calls) would otherwise take
    turns with the other acks of the burst. Waiting is bounded by MAX_DEFER_S, so a steady
    stream of requests cannot starve the work. One count per serving loop.
    """

    MAX_DEFER_S = 0.5
    QUIET_S = 0.02  # a burst's requests arrive over some milliseconds: wait out the gaps

    def __init__(self) -> None:
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list[float]] = (
            weakref.WeakKeyDictionary()
        )

    def _state(self) -> list[float]:
        """[requests being answered, when the last one was answered] on this loop."""
        loop = asyncio.get_running_loop()
        state = self._loops.get(loop)
        if state is None:
            state = self._loops[loop] = [0, -1.0]
        return state

    def begin(self) -> None:
        self._state()[0] += 1

    def end(self) -> None:
        state = self._state()
        state[0] = max(0, state[0] - 1)
        state[1] = time.monotonic()

    async def wait(self) -> None:
        """Until no request is being answered and none was for QUIET_S (at most MAX_DEFER_S)."""
        state = self._state()
        deadline = time.monotonic() + self.MAX_DEFER_S
        while (now := time.monotonic()) < deadline:
            quiet_for = now - state[1]
            if state[0] == 0 and quiet_for >= self.QUIET_S:
                return
            await asyncio.sleep(max(0.002, self.QUIET_S - quiet_for if state[0] == 0 else 0.005))


acks_first = AcksFirst()  # used by the serving loop only (bot/serve.py)


async def offload(work: Callable[[], Awaitable[T]]) -> T:
    """`await work()` on the work loop (directly when already there), once the serving loop
    has answered the requests in hand; cancelling the caller cancels the work."""
    loop = work_loop()
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        return await work()
    await acks_first.wait()

    async def job() -> T:
        return await work()

    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(job(), loop))


@dataclass
class DiagnosisService:
    """Each run reads fresh facts (its own lookups); the clients and their pacing are shared."""

    clients: CloudClients
    default_gateway: str | None = None

    @classmethod
    def from_settings(
        cls, settings: CloudSettings, default_gateway: str | None
    ) -> DiagnosisService:
        return cls(build_clients(settings, credential_client(settings)), default_gateway)

    @staticmethod
    async def offload(work: Callable[[], Awaitable[T]]) -> T:
        return await offload(work)

    def new_run(self) -> Diagnoser:
        """One run's lookups, to share between the stages of a staged diagnosis."""
        return Diagnoser(self.clients)

    async def run(
        self,
        name_or_id: str,
        gateway_id: str | None = None,
        probe: bool = False,
        diagnoser: Diagnoser | None = None,
    ) -> Report:
        """With `diagnoser` from `new_run()`, facts it already read are not read again: a
        probe after a first report costs only the probe's own calls."""

        async def work() -> Report:
            run = diagnoser or Diagnoser(self.clients)
            gateway = await run.gateway(gateway_id or self.default_gateway)
            access = await run.find(name_or_id)
            return await run.diagnose(access, gateway, ProbeRequest() if probe else None)

        return await offload(work)

    async def run_all(self, gateway_id: str | None = None) -> list[Report]:
        async def work() -> list[Report]:
            diagnoser = Diagnoser(self.clients)
            gateway = await diagnoser.gateway(gateway_id or self.default_gateway)
            accesses = await diagnoser.vpc_accesses()
            return [r async for r in diagnoser.diagnose_many(accesses, gateway)]

        return await offload(work)

    async def accesses(self) -> list[VpcAccess]:
        return await offload(lambda: Diagnoser(self.clients).vpc_accesses())

    async def apply(self, fix: Fix, description: str) -> AppliedFix:
        return await offload(lambda: fix.apply(self.clients, description))

    async def revert(self, fix: Fix, applied: AppliedFix) -> None:
        await offload(lambda: fix.revert(self.clients, applied))
