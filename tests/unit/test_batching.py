from __future__ import annotations

import asyncio

import pytest

from vpctest.diagnostics.batching import Batcher


async def test_loads_close_together_share_one_call_and_keys_load_once() -> None:
    calls: list[list[str]] = []

    async def fetch(keys):
        calls.append(list(keys))
        return {k: k.upper() for k in keys if k != "missing"}

    batcher = Batcher(fetch, max_batch=3)
    results = await asyncio.gather(*(batcher.load(k) for k in ["a", "b", "a", "c", "d", "missing"]))
    assert results == ["A", "B", "A", "C", "D", None]
    assert sorted(k for call in calls for k in call) == ["a", "b", "c", "d", "missing"]
    assert all(len(call) <= 3 for call in calls)
    assert len(calls) == 2


async def test_an_error_reaches_every_waiter() -> None:
    async def fetch(keys):
        raise RuntimeError("boom")

    batcher = Batcher(fetch)
    first, second = batcher.load("a"), batcher.load("b")
    for waiter in (first, second):
        with pytest.raises(RuntimeError):
            await waiter
