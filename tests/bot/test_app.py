"""The Bolt app as built for serving."""

from __future__ import annotations

import logging

import pytest

from tests.bot.harness import bot_config
from vpctest.bot.app import build_app
from vpctest.bot.context import BotContext
from vpctest.slack_emulator import SlackServer


async def test_bolt_starts_without_warnings_with_the_token_in_the_environment(
    slack: SlackServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Bolt reads SLACK_BOT_TOKEN itself; the app is built so it has nothing to warn about."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", slack.token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", slack.signing_secret)
    caplog.set_level(logging.WARNING)
    config = bot_config(slack, "sqlite:///unused.db")
    app = build_app(BotContext(config, diagnosis=None, store=None))  # type: ignore[arg-type]
    assert [r.getMessage() for r in caplog.records if r.name.startswith("slack_bolt")] == []
    assert app.client.base_url == slack.api_url.rstrip("/") + "/"
    assert app.client.token == slack.token
    answer = await app.client.auth_test()
    assert answer["ok"] is True
