"""Collect every page of a PageNumber/PageSize listing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
PAGE_SIZE = 100


async def all_pages(fetch_page: Callable[[int], Awaitable[tuple[list[T], int]]]) -> list[T]:
    """`fetch_page(n)` returns (items of page n, the total); stop when the total is in.

    A short page is no end: a server may serve fewer than asked for. An empty page is,
    so a total that overstates the list cannot loop forever."""
    items: list[T] = []
    page = 1
    while True:
        page_items, total = await fetch_page(page)
        items.extend(page_items)
        if not page_items or len(items) >= total:
            return items
        page += 1
