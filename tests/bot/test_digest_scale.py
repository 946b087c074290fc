"""A digest over 1,000 authorizations: one run's lookups, every item paged, none dropped."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from slack_sdk.web.async_client import AsyncWebClient

from tests.bot.harness import DEV, GENERAL, cloud_settings
from vpctest.bot.diagnosis import DiagnosisService
from vpctest.bot.digest.run import DigestRunner
from vpctest.bot.digest.schedule import parse_schedule
from vpctest.bot.digest.scheduler import DigestScheduler, Fired
from vpctest.bot.digest.service import DigestStore
from vpctest.bot.render import MAX_MESSAGE_BLOCKS
from vpctest.bot.store import Database
from vpctest.emulator import EmulatorServer

COUNT = 1000
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def big_world(tmp_path: Path) -> Path:
    world = yaml.safe_load(Path("tests/scenarios/ecs-sg-missing.yaml").read_text())
    world["vpc_accesses"] = [
        {
            "id": f"va-{n:04d}",
            "name": f"backend-{n:04d}",
            "vpc_id": "vpc-main",
            "instance_id": "i-orders",
            "port": 8080,
        }
        for n in range(COUNT)
    ]
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump(world))
    return path


async def test_a_thousand_authorizations_in_one_paged_digest(slack, tmp_path) -> None:
    cloud = EmulatorServer(str(big_world(tmp_path))).start()
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    db = Database.open(url)
    store = DigestStore(db)
    try:
        diagnosis = DiagnosisService.from_settings(cloud_settings(cloud), None)
        sub = store.add_subscription(
            team_id="T1",
            channel_id=GENERAL,
            created_by=DEV,
            schedule=parse_schedule(["daily", "09:00"]),
            now=T0 - timedelta(days=1),
        )
        client = AsyncWebClient(token=slack.token, base_url=slack.api_url)
        runner = DigestRunner(diagnosis, store, client)
        scheduler = DigestScheduler(store, runner.run_digest, clock=lambda: T0)
        started = time.monotonic()
        assert await scheduler.fire(sub, T0) == Fired.POSTED
        elapsed = time.monotonic() - started
        messages = slack.posted(GENERAL)
        items = [
            json.loads(e["value"])["va"]
            for m in messages
            for b in m["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "details"
        ]

        assert items == [f"va-{n:04d}" for n in range(COUNT)]  # in order, none dropped
        assert all(len(m["blocks"]) <= MAX_MESSAGE_BLOCKS for m in messages)
        assert f"(1/{len(messages)})" in messages[0]["blocks"][0]["text"]["text"]
        assert cloud.calls["DescribeSecurityGroupAttribute"] <= 2  # once per run, not per item
        assert cloud.calls["DescribeInstancesFullStatus"] == 1
        assert elapsed < 60, f"{COUNT} authorizations took {elapsed:.1f} s"
    finally:
        db.close()
        cloud.stop()
