"""One effect per Slack delivery, however often Slack delivers it and to however many replicas.

Slack delivers a request again when an ack was late or lost (the Events API and Socket Mode
say so with a retry number; an interaction can simply arrive twice). Each request is keyed
by what Slack repeats in the copy: a command's `trigger_id`, an interaction's type,
`trigger_id`, `action_ts` and container, an event's `event_id`. The first delivery to insert
its key (INSERT … ON CONFLICT DO NOTHING, in the bot's database, so replicas on one
PostgreSQL agree) is handled; a later one is acked at once and does nothing else. Keys are
pruned after `retention`, far beyond Slack's retry window.

`Deliveries.middleware` is a Bolt global middleware, so it works the same over HTTP and
Socket Mode, after Bolt has verified the request.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from vpctest.bot.store.db import Database
from vpctest.bot.store.models import SlackDelivery

log = logging.getLogger(__name__)

RETENTION = timedelta(hours=6)
PRUNE_EVERY_S = 300.0
INTERACTIONS = (
    "block_actions",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "interactive_message",
)
ANSWERED = ("url_verification", "block_suggestion")  # their answer is the effect: never skip
# Threads of their own: a claim sits on the ack's path, so it never queues behind other work
# in the loop's default executor.
_CLAIMS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="deliveries")


def _digest(*parts: Any) -> str:
    return hashlib.sha256("\x1f".join(str(p or "") for p in parts).encode()).hexdigest()


def delivery_key(body: Mapping[str, Any], raw_body: str = "") -> str | None:
    """The key Slack repeats when it delivers this request again; None: never deduplicate."""
    kind = body.get("type")
    if kind in ANSWERED or not body:
        return None
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("command"):
        if body.get("trigger_id"):
            return f"command:{body['trigger_id']}"
    elif kind in INTERACTIONS:
        container = body.get("container") or {}
        view = body.get("view") or {}
        actions = body.get("actions") or []
        parts = (
            body.get("trigger_id"),
            body.get("action_ts"),
            *(a.get("action_ts") for a in actions),
            container.get("message_ts") or container.get("view_id") or view.get("id"),
            view.get("hash") if kind == "view_closed" else None,
        )
        if any(parts):
            return f"{kind}:{_digest(*parts)}"
    # Anything else: the body itself (Slack resends the same bytes).
    text = raw_body or json.dumps(body, sort_keys=True, default=str)
    return f"body:{_digest(text)}"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Deliveries:
    """The seen keys: in the bot's database (`slack_deliveries`), or in memory without one."""

    def __init__(
        self,
        db: Database | None,
        *,
        retention: timedelta = RETENTION,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.retention = retention
        self._clock = clock
        self._memory: dict[str, datetime] = {}
        self._lock = threading.Lock()
        self._pruned_at = time.monotonic()
        self._pending: list[tuple[str, asyncio.Future[bool]]] = []
        self._drainer: asyncio.Future[None] | None = None

    def claim(self, key: str) -> bool:
        """True for the first delivery of `key`, False for every later one."""
        return key in self.claim_many([key])

    def claim_many(self, keys: list[str]) -> set[str]:
        """The keys of `keys` delivered for the first time, claimed in one transaction."""
        now = self._clock()
        if time.monotonic() - self._pruned_at > PRUNE_EVERY_S:
            self._pruned_at = time.monotonic()
            self.prune(now - self.retention)
        unique = list(dict.fromkeys(keys))
        if self.db is None:
            with self._lock:
                won = {k for k in unique if k not in self._memory}
                self._memory.update(dict.fromkeys(won, now))
                return won
        dialect = postgresql if self.db.dialect == "postgresql" else sqlite
        statement = (
            dialect.insert(SlackDelivery)
            .values([{"key": k, "seen_at": now} for k in unique])
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(SlackDelivery.key)
        )
        return self.db.transaction(lambda session: set(session.scalars(statement)))

    def prune(self, older_than: datetime) -> int:
        """Forget the keys seen before `older_than`; how many went."""
        if self.db is None:
            with self._lock:
                old = [k for k, at in self._memory.items() if at < older_than]
                for k in old:
                    del self._memory[k]
                return len(old)
        statement = delete(SlackDelivery).where(SlackDelivery.seen_at < older_than)
        return self.db.transaction(lambda session: session.execute(statement).rowcount or 0)

    async def first(self, key: str) -> bool:
        """Whether this is the first delivery of `key`. Claims that arrive together (a burst)
        share one transaction: one commit instead of one each, in turn, before every ack."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((key, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.ensure_future(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                won = await loop.run_in_executor(_CLAIMS, self.claim_many, [k for k, _ in batch])
            except Exception as exc:  # the database is down: handle it rather than drop it
                log.warning("could not record deliveries (%s: %s)", type(exc).__name__, exc)
                won = {k for k, _ in batch}
            for key, future in batch:
                if not future.done():
                    future.set_result(key in won)
                won.discard(key)  # the same key twice in one batch: only the first wins

    async def middleware(
        self,
        req: AsyncBoltRequest,
        body: dict[str, Any],
        next: Callable[[], Awaitable[BoltResponse | None]],
    ) -> BoltResponse | None:
        """Bolt middleware: a repeated delivery is acked (200, empty) and goes no further."""
        key = delivery_key(body, req.raw_body)
        if key is None or await self.first(key):
            return await next()
        retry = (req.headers.get("x-slack-retry-num") or [""])[0]
        log.info("ignored a repeated delivery %s%s", key, f" (retry {retry})" if retry else "")
        return BoltResponse(status=200, body="")
