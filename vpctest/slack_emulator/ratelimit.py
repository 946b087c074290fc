"""Per-method rate limits answered with HTTP 429 and `Retry-After`, like Slack's tiers."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

WINDOW = 60.0


@dataclass
class Limit:
    """`per_minute` calls in any 60 s, and/or refuse the next `refuse_next` calls outright."""

    per_minute: int | None = None
    refuse_next: int = 0
    retry_after: int | None = None  # the Retry-After to send; computed from the window if None
    recent: deque[float] = field(default_factory=deque)


class RateLimiter:
    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.limits: dict[str, Limit] = {}

    def set(
        self,
        method: str,
        *,
        per_minute: int | None = None,
        next_calls: int = 0,
        retry_after: int | None = None,
    ) -> None:
        self.limits[method] = Limit(per_minute, next_calls, retry_after)

    def clear(self, method: str | None = None) -> None:
        if method is None:
            self.limits.clear()
        else:
            self.limits.pop(method, None)

    def check(self, method: str) -> int | None:
        """Seconds to wait if this call is refused, else None (and the call counts)."""
        limit = self.limits.get(method)
        if limit is None:
            return None
        if limit.refuse_next > 0:
            limit.refuse_next -= 1
            return limit.retry_after if limit.retry_after is not None else 1
        if limit.per_minute is None:
            return None
        now = self.clock()
        while limit.recent and now - limit.recent[0] >= WINDOW:
            limit.recent.popleft()
        if len(limit.recent) >= limit.per_minute:
            if limit.retry_after is not None:
                return limit.retry_after
            return max(1, math.ceil(WINDOW - (now - limit.recent[0])))
        limit.recent.append(now)
        return None
