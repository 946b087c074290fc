"""The caller's retry, error and pacing behaviour, with fake sends (no SDK methods patched)."""

from __future__ import annotations

import asyncio

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException

from vpctest.diagnostics.cloud.caller import CloudCaller, RetryPolicy, is_retryable
from vpctest.diagnostics.cloud.ratelimit import AdaptivePace
from vpctest.diagnostics.errors import CloudError

FAST = RetryPolicy(max_attempts=4, base_s=0.001, cap_s=0.002)


def throttle() -> ClientException:
    return ClientException(status_code=400, code="Throttling.User", message="flow control")


async def test_retries_throttling_then_succeeds() -> None:
    outcomes: list[object] = [throttle(), throttle(), "ok"]

    async def send() -> str:
        result = outcomes.pop(0)
        if isinstance(result, Exception):
            raise result
        return str(result)

    caller = CloudCaller(retry=FAST)
    assert await caller.call("ecs", "DescribeInstances", send) == "ok"
    assert caller.attempts["ecs:DescribeInstances"] == 3


async def test_client_error_is_not_retried_and_names_the_ram_action() -> None:
    calls = 0

    async def send() -> None:
        nonlocal calls
        calls += 1
        raise ClientException(
            status_code=403, code="Forbidden.RAM", message="denied", request_id="r-1"
        )

    with pytest.raises(CloudError) as caught:
        await CloudCaller(retry=FAST).call("slb", "DescribeHealthStatus", send)
    assert calls == 1
    assert caught.value.permission_denied
    assert "slb:DescribeHealthStatus" in caught.value.reason


async def test_gives_up_after_max_attempts() -> None:
    async def send() -> None:
        raise ServerException(status_code=503, code="ServiceUnavailable", message="down")

    caller = CloudCaller(retry=FAST)
    with pytest.raises(CloudError) as caught:
        await caller.call("cloudapi", "ValidateVpcConnectivity", send)
    assert caught.value.code == "ServiceUnavailable"
    assert caller.attempts["apigateway:ValidateVpcConnectivity"] == FAST.max_attempts


def test_retryable_classification() -> None:
    assert is_retryable(throttle())
    assert is_retryable(ServerException(status_code=500, code="InternalError"))
    assert not is_retryable(ClientException(status_code=400, code="InvalidParameter"))
    assert not is_retryable(ValueError("bug"))


def test_backoff_is_bounded_and_jittered() -> None:
    policy = RetryPolicy(base_s=0.1, cap_s=1.0)
    samples = [policy.backoff(10) for _ in range(200)]
    assert all(0 <= s <= 1.0 for s in samples)
    assert len(set(samples)) > 100


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_pace_learns_the_accepted_rate_on_throttle() -> None:
    clock = FakeClock()
    pace = AdaptivePace(clock)
    assert pace.rate is None
    for _ in range(50):  # 50 accepted in the last second
        pace.accepted()
        clock.now += 0.02
    pace.throttled()
    assert pace.rate is not None and 30 <= pace.rate <= 50


async def test_paced_calls_are_spread_out() -> None:
    pace = AdaptivePace()
    pace.rate = 100.0
    loop = asyncio.get_running_loop()
    start = loop.time()
    await asyncio.gather(*(pace.wait() for _ in range(21)))
    assert loop.time() - start >= 0.18  # 20 gaps of 10 ms
