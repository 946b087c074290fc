"""The step modals of a CLB over signed HTTP: the server group and its backends as rows."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.bot.harness import DEV, GENERAL, BotHarness, eventually
from vpctest.emulator import EmulatorServer


@pytest.fixture
def cloud() -> Iterator[EmulatorServer]:
    """A CLB whose vServer group's one backend is an ENI its own group does not open."""
    server = EmulatorServer("tests/scenarios/e2e-eni-backend.yaml").start()
    yield server
    server.stop()


async def step_modal(bot: BotHarness, step: int, marker: str) -> list[dict]:
    delivery = await bot.platform.slash("shop-lb")
    assert delivery.ok and not delivery.late
    [message] = await eventually(lambda: bot.slack.posted(GENERAL), what="the result")
    await bot.platform.click(message["ts"], f"step_{step}")
    view = await eventually(
        lambda: next((v for v in bot.slack.views_for(DEV) if marker in json.dumps(v)), None),
        what=f"the step {step} modal",
    )
    return view["blocks"]


def texts(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


async def test_step_2_modal_shows_the_group_and_backend_rows_not_json(bot) -> None:
    blocks = await step_modal(bot, 2, "clb.backend_security_group")
    sections = texts(blocks)
    line = next(i for i, t in enumerate(sections) if "`clb.backend_security_group`" in t)
    rows = sections[line + 1].split("\n")
    assert rows[0] == "vServer group rsp-shop (shop-v2)"
    assert rows[1] == "eni-shop-2:8080 — security groups sg-eni"
    assert rows[2].strip("\u2003") == "✗ 100.104.13.0/26 matched by no rule"
    assert rows[2].startswith("\u2003")  # nested under its backend
    for text in sections:
        assert "```" not in text and '{"' not in text and '"server_group"' not in text
        assert len(text) <= 3000


async def test_step_3_modal_shows_each_backend_with_weight_and_health(bot) -> None:
    sections = texts(await step_modal(bot, 3, "clb.health"))
    line = next(i for i, t in enumerate(sections) if "`clb.health`" in t)
    assert sections[line + 1].split("\n") == [
        "vServer group rsp-shop (shop-v2)",
        "eni-shop-2:8080 (ENI)  192.168.1.20  weight 100  normal  receives traffic",
    ]
    assert not any("```" in t for t in sections)
