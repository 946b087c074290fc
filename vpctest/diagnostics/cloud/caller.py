"""One place where every cloud call goes: bounded concurrency, pacing, retries, typed errors."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from darabonba.exceptions import UnretryableException

from vpctest.diagnostics.cloud.ratelimit import AdaptivePace
from vpctest.diagnostics.errors import CloudError, ram_action
from vpctest.telemetry.metrics import CLOUD_CALLS, CLOUD_RETRIES

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRYABLE_CODES = ("Throttling", "ServiceUnavailable", "InternalError", "UnknownError")


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter: sleep U(0, min(cap, base·2^n))."""

    max_attempts: int = 10
    max_network_attempts: int = 3  # a refused or broken connection rarely heals in seconds
    base_s: float = 0.1
    cap_s: float = 4.0

    def backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap_s, self.base_s * 2**attempt))


def is_retryable(exc: BaseException) -> bool:
    """Throttling and server-side failures are worth another try; client errors are not."""
    if isinstance(exc, AlibabaCloudException):
        code = exc.code or ""
        return code.startswith(RETRYABLE_CODES) or (exc.status_code or 0) >= 500
    return isinstance(exc, UnretryableException | asyncio.TimeoutError | OSError)


def error_code(exc: BaseException) -> str:
    """The code a failed call is counted and logged under: the API's, or Timeout/Network."""
    if isinstance(exc, AlibabaCloudException):
        return exc.code or "Unknown"
    return to_cloud_error("", "", exc).code


def told(product: str, action: str, code: str, started: float, attempt: int) -> None:
    """One call sent: counted, and logged (at INFO, with the request it serves)."""
    CLOUD_CALLS.labels(product, action, code).inc()
    log.info(
        "cloud call %s %s: %s",
        product,
        action,
        code,
        extra={
            "product": product,
            "action": action,
            "code": code,
            "attempt": attempt,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )


def to_cloud_error(product: str, action: str, exc: BaseException) -> CloudError:
    if isinstance(exc, AlibabaCloudException):
        message = (exc.data or {}).get("Message") or exc.message or ""
        return CloudError(
            product, action, exc.code or "Unknown", message, exc.request_id or "", exc.status_code
        )
    inner = getattr(exc, "inner_exception", None) or exc
    text = str(inner) or type(inner).__name__
    code = "Timeout" if "timeout" in text.lower() or isinstance(inner, TimeoutError) else "Network"
    return CloudError(product, action, code, text)


class CloudCaller:
    """Runs SDK calls with a bound on calls in flight, per-action pacing and retries."""

    def __init__(self, max_in_flight: int = 16, retry: RetryPolicy | None = None) -> None:
        self._slots = asyncio.Semaphore(max_in_flight)
        self._retry = retry or RetryPolicy()
        self._paces: dict[str, AdaptivePace] = {}
        self.attempts: Counter[str] = Counter()  # SDK calls sent, per RAM action name

    async def call(self, product: str, action: str, send: Callable[[], Awaitable[T]]) -> T:
        """Send `send()` until it succeeds, fails for good, or attempts run out."""
        pace = self._paces.setdefault(action, AdaptivePace())
        for attempt in range(self._retry.max_attempts):
            started = time.perf_counter()
            try:
                result = await self._send_paced(pace, ram_action(product, action), send)
            except Exception as exc:
                code = error_code(exc)
                told(product, action, code, started, attempt)
                if code.startswith("Throttling"):
                    pace.throttled()
                limit = (
                    self._retry.max_attempts
                    if isinstance(exc, AlibabaCloudException)
                    else self._retry.max_network_attempts
                )
                last = attempt >= limit - 1
                if not is_retryable(exc) or last:
                    raise to_cloud_error(product, action, exc) from exc
                delay = self._retry.backoff(attempt)
                CLOUD_RETRIES.labels(action, code).inc()
                log.debug(
                    "%s attempt %d failed (%s); retrying in %.2fs", action, attempt, exc, delay
                )
                await asyncio.sleep(delay)
            else:
                told(product, action, "OK", started, attempt)
                pace.accepted()
                return result
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send_paced(
        self, pace: AdaptivePace, counter: str, send: Callable[[], Awaitable[T]]
    ) -> T:
        """Send once, in a free slot, at the action's pace as it stands when the slot frees.

        Calls queued for a slot may have been paced before the server first throttled the
        action: those go back and wait at the pace it has learnt since.
        """
        while True:
            generation = await pace.wait()
            async with self._slots:
                if pace.stale(generation) and pace.rate is not None:
                    continue
                self.attempts[counter] += 1
                return await send()
