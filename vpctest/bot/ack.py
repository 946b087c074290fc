"""Answer Slack the moment a listener acks.

Bolt's asyncio runner starts a listener as a task, then polls `ack.response` every
10 ms before it answers; under a burst that poll wakes late, behind the other requests'
work. Here the ack signals, the HTTP handler answers at once, and Bolt's dispatch
finishes on its own (its answer is the same ack response).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse


class SignalledAck(AsyncAck):
    """Bolt's ack, which also sets `done` when called."""

    def __init__(self) -> None:
        super().__init__()
        self.done = asyncio.Event()

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        response = await super().__call__(*args, **kwargs)
        self.done.set()
        return response


log = logging.getLogger(__name__)
_finishing: set[asyncio.Task[Any]] = set()  # dispatches still running after their ack


def _finished(task: asyncio.Task[Any]) -> None:
    _finishing.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("dispatch failed after its ack", exc_info=task.exception())


async def dispatch(app: AsyncApp, request: AsyncBoltRequest) -> BoltResponse:
    """Bolt's answer to `request`: its ack response as soon as a listener acks."""
    ack = SignalledAck()
    request.context["ack"] = ack  # Bolt makes one only when the context has none
    task = asyncio.ensure_future(app.async_dispatch(request))
    acked = asyncio.ensure_future(ack.done.wait())
    try:
        await asyncio.wait((task, acked), return_when=asyncio.FIRST_COMPLETED)
    finally:
        acked.cancel()
    if task.done():
        return task.result()
    _finishing.add(task)
    task.add_done_callback(_finished)
    assert ack.response is not None
    return ack.response
