"""Injected faults (the world's `faults:`): latency, throttling, server errors, QPS, RAM denial,
any error by code, and how long Cloud Assistant invocations stay Running.

Faults apply after authentication, in this order: latency, deny (Forbidden.RAM), error_code (that
error, always), the QPS token bucket and throttle_ratio (Throttling.User), error_ratio
(ServiceUnavailable).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

from vpctest.emulator.errors import coded_error, forbidden_ram, service_unavailable, throttled
from vpctest.emulator.products import action_names
from vpctest.emulator.schema import Node

ACTION_KEYS = (
    "latency_ms",
    "throttle_ratio",
    "error_ratio",
    "qps",
    "deny",
    "retry_after_ms",
    "error_code",
    "http_status",
    "error_message",
)


@dataclass
class ActionFaults:
    latency_ms: int = 0
    throttle_ratio: float = 0.0
    error_ratio: float = 0.0
    qps: float | None = None  # a token bucket with burst = qps; None means no cap
    deny: bool = False
    retry_after_ms: int | None = None  # sent as x-acs-retry-after on Throttling.User
    error_code: str = ""  # every call answers this error
    http_status: int = 400  # ... with this status
    error_message: str = ""  # ... and this message ("" for the code's usual one)


@dataclass
class Faults:
    latency_ms: int = 0
    seed: int | None = None
    probe_running_ms: int = 0  # Cloud Assistant invocations stay Running this long
    # keyed by "Action" or "product:Action", product being the RAM prefix (apigateway, ecs, slb)
    actions: dict[str, ActionFaults] = field(default_factory=dict)

    def for_action(self, product: str, action: str) -> ActionFaults:
        """The faults of `product:Action` if set, else of the bare action name."""
        return self.actions.get(f"{product}:{action}") or self.actions.get(action) or NO_FAULTS

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"latency_ms": self.latency_ms}
        if self.seed is not None:
            out["seed"] = self.seed
        if self.probe_running_ms:
            out["probe_running_ms"] = self.probe_running_ms
        defaults = ActionFaults()
        out["actions"] = {
            name: {k: v for k, v in vars(f).items() if v != getattr(defaults, k)}
            for name, f in self.actions.items()
        }
        return out


NO_FAULTS = ActionFaults()


def parse_faults(raw: Any, parent: Node | None = None) -> Faults:
    """Validate a `faults:` mapping (None: no faults); `parent` gives errors their source."""
    if raw is None:
        return Faults()
    parent = parent or Node({}, "", ())
    n = parent.child(raw, "faults", ("latency_ms", "seed", "probe_running_ms", "actions"))
    faults = Faults(
        latency_ms=n.int("latency_ms", 0, lo=0, hi=60_000),
        seed=n.int("seed", None),
        probe_running_ms=n.int("probe_running_ms", 0, lo=0, hi=3_600_000),
    )
    actions = n.get("actions", {})
    if not isinstance(actions, dict):
        n.fail(n.at("actions"), "expected a mapping of action name to faults")
    known = action_names()
    for name, spec in actions.items():
        path = n.at(f"actions.{name}")
        if str(name) not in known:
            n.fail(path, f"unknown action (expected one of: {', '.join(sorted(known))})")
        a = n.child(spec, path, ACTION_KEYS)
        qps = a.get("qps", None)
        if qps is not None and (
            isinstance(qps, bool) or not isinstance(qps, int | float) or qps <= 0
        ):
            a.fail(a.at("qps"), "expected a positive number of calls per second")
        error_code = a.str("error_code", "")
        if not error_code:
            for key in ("http_status", "error_message"):
                if a.raw.get(key) is not None:
                    a.fail(a.at(key), "only with error_code: give the error's code too")
        elif a.raw.get("deny"):
            a.fail(a.at("error_code"), "give deny (Forbidden.RAM) or error_code, not both")
        faults.actions[str(name)] = ActionFaults(
            error_code=error_code,
            http_status=a.int("http_status", 400, lo=400, hi=599),
            error_message=a.str("error_message", ""),
            latency_ms=a.int("latency_ms", 0, lo=0, hi=60_000),
            throttle_ratio=_ratio(a, "throttle_ratio"),
            error_ratio=_ratio(a, "error_ratio"),
            qps=float(qps) if qps is not None else None,
            deny=a.bool("deny", False),
            retry_after_ms=a.int("retry_after_ms", None, lo=1, hi=600_000),
        )
    return faults


def _ratio(n: Node, key: str) -> float:
    value = n.get(key, 0.0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        n.fail(n.at(key), "expected a ratio from 0.0 to 1.0")
    return float(value)


class TokenBucket:
    """`rate` tokens a second, holding at most `rate` (the burst)."""

    def __init__(self, rate: float, clock=time.monotonic) -> None:
        self.rate, self.clock = rate, clock
        self.tokens, self.stamp = rate, clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class FaultInjector:
    """Applies the live world's faults to one call; keeps the buckets and the random source."""

    def __init__(self, seed: int | None = None) -> None:
        self.random = random.Random(seed)
        self.buckets: dict[tuple[str, float], TokenBucket] = {}

    async def apply(self, faults: Faults, product: str, action: str, access_key_id: str) -> None:
        """Sleep, then raise the ApiError a fault calls for (or return to serve the call)."""
        spec = faults.for_action(product, action)
        delay_ms = faults.latency_ms + spec.latency_ms
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        if spec.deny:
            raise forbidden_ram(f"{product}:{action}", access_key_id)
        if spec.error_code:
            raise coded_error(spec.http_status, spec.error_code, spec.error_message)
        if spec.qps is not None:
            bucket = self.buckets.setdefault(
                (f"{product}:{action}", spec.qps), TokenBucket(spec.qps)
            )
            if not bucket.take():
                raise throttled(spec.retry_after_ms)
        if spec.throttle_ratio and self.random.random() < spec.throttle_ratio:
            raise throttled(spec.retry_after_ms)
        if spec.error_ratio and self.random.random() < spec.error_ratio:
            raise service_unavailable()
