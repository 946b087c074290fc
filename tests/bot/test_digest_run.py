"""DigestRunner on the emulators: diagnose, record, post; changes, failures, retries."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.bot.harness import DEV, GENERAL, cloud_settings
from vpctest.bot.diagnosis import DiagnosisService
from vpctest.bot.digest import run as digest_run
from vpctest.bot.digest.models import DigestSubscription, SlotState
from vpctest.bot.digest.run import DigestRunner
from vpctest.bot.digest.schedule import parse_schedule
from vpctest.bot.digest.scheduler import DigestScheduler, Fired
from vpctest.bot.digest.service import DigestStore
from vpctest.bot.store import Database
from vpctest.emulator import EmulatorServer
from vpctest.emulator.faults import parse_faults
from vpctest.emulator.world import SgRule
from vpctest.slack_emulator import SlackServer

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
GATEWAY_CIDR = "100.104.13.0/26"


@dataclass
class Rig:
    cloud: EmulatorServer
    slack: SlackServer
    store: DigestStore
    runner: DigestRunner
    sub: DigestSubscription

    def scheduler(self, clock: datetime) -> DigestScheduler:
        return DigestScheduler(self.store, self.runner.run_digest, clock=lambda: clock)

    def posted(self) -> list[dict[str, Any]]:
        return self.slack.posted(GENERAL)


def web_client(slack: SlackServer) -> AsyncWebClient:
    client = AsyncWebClient(token=slack.token, base_url=slack.api_url)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
    return client


@pytest.fixture
async def rig(cloud, slack, database_url) -> AsyncIterator[Rig]:
    diagnosis = DiagnosisService.from_settings(cloud_settings(cloud), None)
    db = Database.open(database_url)
    store = DigestStore(db)
    sub = store.add_subscription(
        team_id="T1",
        channel_id=GENERAL,
        created_by=DEV,
        schedule=parse_schedule(["daily", "09:00", "UTC"]),
        now=T0 - timedelta(days=1),
    )
    yield Rig(cloud, slack, store, DigestRunner(diagnosis, store, web_client(slack)), sub)
    db.close()


def mend(cloud: EmulatorServer) -> None:
    rule = SgRule("sgr-gw", "TCP", "8080/8080", source_cidr=GATEWAY_CIDR)
    cloud.mutate(lambda w: w.security_group("sg-web").inbound.append(rule))


def text(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


async def test_a_digest_names_the_failing_one_then_its_recovery(rig: Rig) -> None:
    assert await rig.scheduler(T0).fire(rig.sub, T0) == Fired.POSTED
    [first] = rig.posted()
    assert "0 pass, 1 fail, 0 unknown" in text(first)
    assert "orders-backend" in text(first) and "ecs.security_group" in text(first)
    assert first["metadata"]["event_payload"]["digest"] == rig.sub.id
    assert rig.store.slot(rig.sub.id, T0).posted_ts == first["ts"]

    mend(rig.cloud)
    later = T0 + timedelta(days=1)
    assert await rig.scheduler(later).fire(rig.sub, later) == Fired.POSTED
    second = rig.posted()[-1]
    assert "*Recovered* (1): *orders-backend*" in text(second)
    assert "1 pass, 0 fail" in text(second)


async def test_only_changes_skips_an_unchanged_run(rig: Rig) -> None:
    sub = rig.store.add_subscription(
        team_id="T1",
        channel_id=GENERAL,
        created_by=DEV,
        schedule=parse_schedule(["hourly"]),
        only_changes=True,
        now=T0 - timedelta(days=1),
    )
    assert await rig.scheduler(T0).fire(sub, T0) == Fired.POSTED  # the first one always posts
    later = T0 + timedelta(hours=1)
    assert await rig.scheduler(later).fire(sub, later) == Fired.SKIPPED
    assert len(rig.posted()) == 1
    assert rig.store.slot(sub.id, later).state == SlotState.SKIPPED


async def test_a_cloud_failure_posts_the_unknowns_and_why(rig: Rig) -> None:
    await rig.scheduler(T0).fire(rig.sub, T0)
    faults = parse_faults({"actions": {"DescribeVpcAccesses": {"deny": True}}})
    rig.cloud.mutate(lambda w: setattr(w, "faults", faults))
    later = T0 + timedelta(days=1)
    assert await rig.scheduler(later).fire(rig.sub, later) == Fired.POSTED
    body = text(rig.posted()[-1])
    assert "failed midway" in body and "DescribeVpcAccesses" in body
    assert "0 pass, 0 fail, 1 unknown" in body and "orders-backend" in body


async def test_a_refused_post_is_retried_and_lands_once(rig: Rig) -> None:
    rig.slack.rate_limit("chat.postMessage", next_calls=4, retry_after=0)  # beyond slack_sdk's 3
    assert await rig.scheduler(T0).fire(rig.sub, T0) == Fired.POSTED
    assert len(rig.posted()) == 1


async def test_a_resumed_slot_posts_only_the_pages_slack_lacks(rig: Rig, monkeypatch) -> None:
    def three_pages(digest: Any) -> list[dict[str, Any]]:
        return [{"text": f"page {n}"} for n in (1, 2, 3)]

    monkeypatch.setattr(digest_run, "digest_messages", three_pages)
    real = rig.runner.client
    calls = 0

    class Flaky:
        async def chat_postMessage(self, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls == 2:  # Slack has page 1; page 2 fails for good, the replica stops
                raise SlackApiError("gone", {"ok": False, "error": "invalid_auth"})
            return await real.chat_postMessage(**kwargs)

    rig.runner.client = Flaky()
    assert rig.store.claim_slot(rig.sub.id, T0, "r1", T0)
    with pytest.raises(SlackApiError):
        await rig.runner.run_digest(rig.sub, T0)
    assert rig.store.progress(rig.sub.id, T0) == (1, rig.posted()[0]["ts"])
    ts = await rig.runner.run_digest(rig.sub, T0)  # as a reclaiming replica would
    assert [m["text"] for m in rig.posted()] == ["page 1", "page 2", "page 3"]
    assert ts == rig.posted()[0]["ts"]
