"""Stand-ins for what Bolt hands a listener or middleware: `ack`, `respond`, the Web API
client, `next`, and the recorded Slack payloads in tests/bot/payloads/ they are called with.

The payloads were recorded from the Slack emulator driving the real bot (the same fields,
in the same shape, as Slack sends), with the response URLs rewritten to Slack's."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> dict[str, Any]:
    """A recorded payload, e.g. `payload("block_actions_rerun")`; a fresh copy each time."""
    return copy.deepcopy(json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8")))


class Recorder:
    """`ack` or `respond`: records the keyword arguments of each call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, **kwargs: Any) -> BoltResponse:
        self.calls.append(kwargs)
        return BoltResponse(status=200, body=json.dumps(kwargs) if kwargs else "")

    @property
    def only(self) -> dict[str, Any]:
        """The one call made; fails if there were none or several."""
        assert len(self.calls) == 1, self.calls
        return self.calls[0]


class FakeClient:
    """The Web API client: records each call and answers as Slack would."""

    def __init__(self, usergroups: Mapping[str, list[str]] | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.usergroups = dict(usergroups or {})
        self._ts = itertools.count(1)

    def called(self, method: str) -> list[dict[str, Any]]:
        """The keyword arguments of every call to `method` (e.g. "chat_postMessage")."""
        return [kwargs for name, kwargs in self.calls if name == method]

    async def _record(self, method: str, kwargs: dict[str, Any]) -> None:
        self.calls.append((method, kwargs))

    async def views_open(self, **kwargs: Any) -> dict[str, Any]:
        await self._record("views_open", kwargs)
        return {"ok": True, "view": {**kwargs["view"], "id": "V0UNIT0001", "hash": "1.h"}}

    async def views_update(self, **kwargs: Any) -> dict[str, Any]:
        await self._record("views_update", kwargs)
        return {"ok": True, "view": {**kwargs["view"], "id": kwargs["view_id"]}}

    async def chat_postMessage(self, **kwargs: Any) -> dict[str, Any]:
        await self._record("chat_postMessage", kwargs)
        return {"ok": True, "channel": kwargs["channel"], "ts": f"1800000000.{next(self._ts):06d}"}

    async def chat_update(self, **kwargs: Any) -> dict[str, Any]:
        await self._record("chat_update", kwargs)
        return {"ok": True, "channel": kwargs["channel"], "ts": kwargs["ts"]}

    async def chat_postEphemeral(self, **kwargs: Any) -> dict[str, Any]:
        await self._record("chat_postEphemeral", kwargs)
        return {"ok": True, "message_ts": f"1800000000.{next(self._ts):06d}"}

    async def usergroups_users_list(self, **kwargs: Any) -> dict[str, Any]:
        await self._record("usergroups_users_list", kwargs)
        return {"ok": True, "users": self.usergroups.get(kwargs["usergroup"], [])}


class Next:
    """Bolt's `next` for a middleware: records whether it was called."""

    def __init__(self) -> None:
        self.called = False

    async def __call__(self) -> None:
        self.called = True


def bolt_context(client: FakeClient | None = None, **values: Any) -> AsyncBoltContext:
    """A request context as Bolt makes one, with recording `ack` and `respond`."""
    return AsyncBoltContext(
        {"ack": Recorder(), "respond": Recorder(), "client": client or FakeClient(), **values}
    )
