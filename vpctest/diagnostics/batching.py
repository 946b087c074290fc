"""Coalesce single-key loads made close together into one call for many keys."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Batcher(Generic[K, V]):
    """`load(key)` waits up to `window_s` for company, then one `fetch_many` serves them all.

    Keys are loaded once: a second `load` of the same key shares the first one's result,
    or its error. A key that `fetch_many` does not return resolves to None.
    """

    def __init__(
        self,
        fetch_many: Callable[[Sequence[K]], Awaitable[dict[K, V]]],
        max_batch: int = 100,
        window_s: float = 0.005,
    ) -> None:
        self._fetch_many = fetch_many
        self._max_batch = max_batch
        self._window_s = window_s
        self._results: dict[K, asyncio.Future[V | None]] = {}
        self._pending: list[K] = []
        self._timer: asyncio.TimerHandle | None = None
        self._in_flight: set[asyncio.Task[None]] = set()

    def load(self, key: K) -> asyncio.Future[V | None]:
        if key in self._results:
            return self._results[key]
        loop = asyncio.get_running_loop()
        future: asyncio.Future[V | None] = loop.create_future()
        self._results[key] = future
        self._pending.append(key)
        if len(self._pending) >= self._max_batch:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self._window_s, self._flush)
        return future

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        keys, self._pending = self._pending, []
        if keys:
            task = asyncio.ensure_future(self._serve(keys))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    async def _serve(self, keys: list[K]) -> None:
        try:
            found = await self._fetch_many(keys)
        except Exception as exc:
            for key in keys:
                self._settle(key, exc=exc)
            return
        for key in keys:
            self._settle(key, value=found.get(key))

    def _settle(self, key: K, value: V | None = None, exc: Exception | None = None) -> None:
        future = self._results[key]
        if future.done():
            return
        if exc is not None:
            future.set_exception(exc)
            future.exception()  # a result nobody awaits must not warn at exit
        else:
            future.set_result(value)
