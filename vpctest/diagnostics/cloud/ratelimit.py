"""Client-side pacing per API action, learned from the server's throttling.

An action starts unpaced. When the server throttles it, the pace is set just under
the rate the server was accepting, and is tightened on every further throttle and
loosened after a quiet while; so a large run settles at the quota instead of
burning calls on retries.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

WINDOW_S = 1.0  # how far back accepted calls are counted to estimate the quota
QUIET_S = 1.0  # no throttle for this long → raise the pace
TIGHTEN = 0.9
LOOSEN = 1.1
MIN_RATE = 1.0


class AdaptivePace:
    """A token bucket whose rate is learned; `None` rate means unpaced."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self.rate: float | None = None
        self._next_slot = 0.0
        self._accepted: deque[float] = deque()
        self._last_throttle = 0.0
        self._lock = asyncio.Lock()
        self.generation = 0  # bumped by every throttle: older reservations are stale

    async def wait(self) -> int:
        """Wait for this call's slot; returns the generation it was reserved under."""
        generation = self.generation
        if self.rate is None:
            return generation
        async with self._lock:
            now = self._clock()
            self._maybe_loosen(now)
            slot = max(now, self._next_slot)
            self._next_slot = slot + 1.0 / self.rate
        delay = slot - now
        if delay > 0:
            await asyncio.sleep(delay)
        return generation

    def stale(self, generation: int) -> bool:
        """A slot reserved before the latest throttle was reserved at the wrong pace."""
        return generation != self.generation

    def accepted(self) -> None:
        now = self._clock()
        self._accepted.append(now)
        while self._accepted and self._accepted[0] < now - WINDOW_S:
            self._accepted.popleft()

    def throttled(self) -> None:
        now = self._clock()
        recent = sum(1 for t in self._accepted if t >= now - WINDOW_S) / WINDOW_S
        if self.rate is None:
            self.rate = max(MIN_RATE, recent * TIGHTEN)
        elif now - self._last_throttle > 1.0 / self.rate:
            self.rate = max(MIN_RATE, min(self.rate, recent or self.rate) * TIGHTEN)
        self._last_throttle = now
        self._next_slot = max(self._next_slot, now + 1.0 / self.rate)
        self.generation += 1

    def _maybe_loosen(self, now: float) -> None:
        if self.rate is not None and now - self._last_throttle > QUIET_S:
            self.rate *= LOOSEN
            self._last_throttle = now - QUIET_S / 2
