"""Collect every page of a PageNumber/PageSize listing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
PAGE_SIZE = 100


async def all_pages(fetch_page: Callable[[int], Awaitable[tuple[list[T], int]]]) -> list[T]:
    """`fetch_page(n)` returns (items of page n, TotalCount); stop when all are in."""
    items: list[T] = []
    page = 1
    while True:
        page_items, total = await fetch_page(page)
        items.extend(page_items)
        if not page_items or len(items) >= total or len(page_items) < PAGE_SIZE:
            return items
        page += 1
