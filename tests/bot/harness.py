"""The whole bot on loopback: Alibaba emulator, Slack emulator, the real Bolt app over HTTP.

`BotHarness` is what the end-to-end tests and the ack benchmark drive: `platform` sends
what Slack sends (signed), `slack` records what the bot posts, `cloud` is the emulated
account, `store` the bot's database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, TypeVar

from aiohttp import web

from vpctest.bot.app import build_app
from vpctest.bot.config import BotConfig
from vpctest.bot.context import BotContext
from vpctest.bot.diagnosis import DiagnosisService
from vpctest.bot.serve import http_app
from vpctest.bot.store import Database, Store
from vpctest.diagnostics.cloud.clients import CloudSettings
from vpctest.emulator import EmulatorServer
from vpctest.slack_emulator import SlackPlatform, SlackServer

T = TypeVar("T")
DEV, ALICE, BOB, EVE = "U0DEVELOP1", "U0ALICE01", "U0BOB0001", "U0EVE0001"
GENERAL, APPROVALS = "C0GENERAL1", "C0APPROVE1"
APPROVER_GROUP = "S0APPROVERS"


def bot_config(slack: SlackServer, database_url: str, **overrides: Any) -> BotConfig:
    config = BotConfig(
        bot_token=slack.token,
        signing_secret=slack.signing_secret,
        api_url=slack.api_url,
        team_id=slack.identity.team_id,
        approval_channel=APPROVALS,
        approvers=(ALICE,),
        approver_groups=(APPROVER_GROUP,),
        database_url=database_url,
    )
    return replace(config, **overrides)


def cloud_settings(cloud: EmulatorServer) -> CloudSettings:
    creds = cloud.world.credentials
    return CloudSettings(
        region=cloud.world.region,
        endpoint_url=cloud.url,
        access_key_id=creds.access_key_id,
        access_key_secret=creds.access_key_secret,
    )


@dataclass
class BotHarness:
    cloud: EmulatorServer
    slack: SlackServer
    config: BotConfig
    store: Store
    platform: SlackPlatform
    runner: web.AppRunner
    ctx: BotContext

    @classmethod
    async def start(
        cls, cloud: EmulatorServer, slack: SlackServer, database_url: str, **config: Any
    ) -> BotHarness:
        cfg = bot_config(slack, database_url, **config)
        database = await asyncio.to_thread(Database.open, database_url)
        store = Store(database)
        ctx = BotContext(cfg, DiagnosisService.from_settings(cloud_settings(cloud), None), store)
        runner = web.AppRunner(http_app(build_app(ctx), pending=store.pending_count))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        platform = SlackPlatform(
            slack, f"http://127.0.0.1:{port}/slack/events", user=DEV, channel=GENERAL
        )
        return cls(cloud, slack, cfg, store, platform, runner, ctx)

    async def stop(self) -> None:
        await self.platform.aclose()
        await self.runner.cleanup()
        await asyncio.to_thread(self.store.db.close)

    async def restart(self, database_url: str) -> BotHarness:
        """A new bot process in all but name: new app, new store object, same database."""
        await self.stop()
        return await BotHarness.start(self.cloud, self.slack, database_url)


async def eventually(probe: Callable[[], T], timeout: float = 15.0, what: str = "condition") -> T:
    """Poll `probe` until it returns something truthy: the bot works after its ack."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def short_ttl() -> timedelta:
    return timedelta(seconds=1)
