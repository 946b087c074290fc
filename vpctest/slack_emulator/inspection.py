"""Reading the emulated Slack's state: calls, messages and views, safely from any thread."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

from vpctest.slack_emulator.messages import Message
from vpctest.slack_emulator.records import Call
from vpctest.slack_emulator.views import ViewRecord
from vpctest.slack_emulator.workspace import Workspace


class Inspection:
    """SlackServer's read helpers; message and view dicts are copies of the current state."""

    workspace: Workspace
    calls: list[Call]
    _lock: threading.RLock

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 3.0,
    ) -> list[Call]:
        """Wait until `count` calls to `method` (matching `predicate`) are recorded; return them."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.calls_to(method) if predicate is None or predicate(c)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)}/{count} calls to {method} after {timeout}s")
            await asyncio.sleep(0.01)

    def posted(self, channel: str) -> list[dict[str, Any]]:
        """The live (not deleted, not ephemeral) messages in `channel`, oldest first."""
        with self._lock:
            return [
                _listed(m)
                for m in self.workspace.messages.all()
                if m.channel == channel and not m.deleted and not m.ephemeral_to
            ]

    def ephemerals(
        self, user: str | None = None, channel: str | None = None
    ) -> list[dict[str, Any]]:
        """The live ephemeral messages, for `user` and/or in `channel`, oldest first."""
        with self._lock:
            return [
                _listed(m)
                for m in self.workspace.messages.all()
                if m.ephemeral_to
                and not m.deleted
                and user in (None, m.ephemeral_to)
                and channel in (None, m.channel)
            ]

    def messages(self) -> list[dict[str, Any]]:
        """Every live message of every channel, ephemeral ones too, oldest first."""
        with self._lock:
            return [_listed(m) for m in self.workspace.messages.all() if not m.deleted]

    def open_views(self) -> list[dict[str, Any]]:
        """Every open view, of every user, oldest first."""
        with self._lock:
            return [_listed_view(v) for v in self.workspace.views.views.values() if v.is_open]

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        """The current state of message `ts` (ephemeral ones too), or None if absent or deleted."""
        with self._lock:
            record = self.message_record(channel, ts)
            return None if record is None or record.deleted else _listed(record)

    def message_record(self, channel: str, ts: str) -> Message | None:
        """The stored Message, deleted or not, with its `versions`."""
        with self._lock:
            found = self.workspace.messages.find(ts)
            return found if found is not None and found.channel == channel else None

    def find_message(self, ts: str) -> dict[str, Any] | None:
        """The current state of the live message with this ts, in whichever channel."""
        with self._lock:
            found = self.workspace.messages.find(ts)
            return None if found is None or found.deleted else _listed(found)

    def views_for(self, user: str, open_only: bool = False) -> list[dict[str, Any]]:
        """The views opened for `user` (current state, `user`/`is_open` added), oldest first."""
        with self._lock:
            return [_listed_view(v) for v in self.workspace.views.for_user(user, open_only)]

    def view(self, view_id: str) -> dict[str, Any] | None:
        """The current state of a view, `user`/`is_open` added; None if never opened."""
        with self._lock:
            record = self.workspace.views.views.get(view_id)
            return None if record is None else _listed_view(record)


def _listed(message: Message) -> dict[str, Any]:
    """A message payload with where it lives: `channel`, and `ephemeral_to` for ephemeral ones."""
    listed = {**message.payload(), "channel": message.channel}
    if message.ephemeral_to:
        listed["ephemeral_to"] = message.ephemeral_to
    return listed


def _listed_view(record: ViewRecord) -> dict[str, Any]:
    """A view payload with whose it is (`user`) and whether it is still open (`is_open`)."""
    return {**record.payload(), "user": record.user, "is_open": record.is_open}
