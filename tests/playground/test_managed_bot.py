"""The bot the playground starts is `vpc-test serve`, configured by environment as an operator
would; when it dies the page is told why, and a restart brings it back."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from tests.playground.conftest import until
from vpctest.emulator import EmulatorServer
from vpctest.playground.bot import Bot, child_environment
from vpctest.playground.run import bot_settings, free_port
from vpctest.slack_emulator import SlackServer


def test_the_child_inherits_nothing_that_points_it_elsewhere() -> None:
    mine = {
        "PATH": "/bin",
        "SLACK_BOT_TOKEN": "xoxb-real",
        "ALIBABA_CLOUD_PROFILE": "prod",
        "VPCTEST_GATEWAY": "apigateway-prod",
        "DATABASE_URL": "postgresql://prod",
        "HTTPS_PROXY": "http://proxy:3128",
    }
    env = child_environment(mine, {"SLACK_BOT_TOKEN": "xoxb-playground"})
    assert env == {"PATH": "/bin", "SLACK_BOT_TOKEN": "xoxb-playground"}


def managed(
    cloud: EmulatorServer, slack: SlackServer, database: Path, **override: str
) -> tuple[Bot, list[str]]:
    """A managed bot, and the statuses it reports as they change."""
    port = free_port()
    settings = bot_settings(slack, cloud, cloud.world, port, f"sqlite:///{database}")
    env = child_environment(os.environ, {**settings, **override})
    seen: list[str] = []
    bot = Bot(
        f"http://127.0.0.1:{port}/slack/events", lambda: seen.append(bot.status.status), env=env
    )
    return bot, seen


async def test_a_killed_bot_is_reported_down_and_restarts(
    demo_cloud: EmulatorServer, playground_slack: SlackServer, tmp_path: Path
) -> None:
    bot, seen = managed(demo_cloud, playground_slack, tmp_path / "bot.db")
    await bot.start()
    try:
        assert await bot.wait_up(60), bot.status
        first = bot.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        await until(lambda: bot.status.status == "down", what="the bot to be down")
        assert "exited with status -9" in (bot.status.detail or "")
        await bot.restart()
        assert await bot.wait_up(60), bot.status
        assert bot.pid not in (None, first)
    finally:
        await bot.close()
    assert seen == ["up", "down", "starting", "up"]


async def test_a_bot_that_cannot_start_shows_its_own_words(
    demo_cloud: EmulatorServer, playground_slack: SlackServer, tmp_path: Path
) -> None:
    bot, _ = managed(demo_cloud, playground_slack, tmp_path / "bot.db", PORT="99999")
    await bot.start()
    try:
        assert not await bot.wait_up(60)
        assert bot.status.status == "down"
        assert "exited with status 3" in (bot.status.detail or "")
        assert "PORT='99999': give a TCP port number" in (bot.status.detail or "")
    finally:
        await bot.close()
