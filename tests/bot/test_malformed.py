"""Signed but malformed requests: a 4xx and one log line each, and the bot keeps serving."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.bot.harness import GENERAL, BotHarness, eventually
from tests.bot.raw import FORM, JSON, post

MALFORMED = [
    pytest.param("command=/vpc-test&text=help", FORM, "abc", id="timestamp-not-a-number"),
    pytest.param("command=/vpc-test&text=help", FORM, "1e9", id="timestamp-float"),
    pytest.param("{not json", JSON, None, id="json-body-not-json"),
    pytest.param("[1, 2]", JSON, None, id="json-body-a-list"),
    pytest.param("payload=%7Bnot", FORM, None, id="payload-not-json"),
    pytest.param(urlencode({"payload": "[]"}), FORM, None, id="payload-a-list"),
    pytest.param(
        urlencode({"payload": '{"type": "block_actions", "user": 7}'}),
        FORM,
        None,
        id="payload-user-a-number",
    ),
    pytest.param(
        urlencode({"payload": '{"type": "block_actions", "actions": "x"}'}),
        FORM,
        None,
        id="payload-actions-not-a-list",
    ),
    pytest.param(b"payload=\xff\xfe", FORM, None, id="body-not-utf8"),
]


@pytest.mark.parametrize(("body", "content_type", "timestamp"), MALFORMED)
async def test_a_malformed_signed_request_gets_a_4xx_and_one_log_line(
    bot: BotHarness,
    caplog: pytest.LogCaptureFixture,
    body: str | bytes,
    content_type: str,
    timestamp: str | None,
) -> None:
    caplog.set_level(logging.WARNING)
    async with aiohttp.ClientSession() as session:
        answer = await post(
            session,
            bot.platform.events_url,
            body,
            secret=bot.slack.signing_secret,
            content_type=content_type,
            timestamp=timestamp,
        )
    assert 400 <= answer.status < 500, answer
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(logged) == 1, caplog.text
    assert logged[0].exc_info is None and "Traceback" not in caplog.text
    assert "\n" not in logged[0].getMessage()
    # The bot keeps serving: the next valid request is answered and its work done.
    delivery = await bot.platform.slash("orders-backend")
    assert delivery.ok and "Testing" in delivery.ack["text"]
    posted = await eventually(lambda: bot.slack.posted(GENERAL), what="the result")
    assert len(posted) == 1  # the refused request posted nothing
