"""The operators' view: /metrics moves with the story, and every log line of a command,
down to each cloud call, carries that command's request id."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import aiohttp
import pytest
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.parser import text_string_to_metric_families

from tests.bot.harness import ALICE, APPROVALS, GENERAL, BotHarness, eventually
from tests.bot.test_e2e import header, request_fix, result_of
from tests.cli_runner import ROOT
from vpctest.telemetry import metrics
from vpctest.telemetry.logs import JsonLines, LogSettingError, configure_from_env


async def scrape(bot: BotHarness) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of GET /metrics, by name and labels."""
    url = bot.platform.events_url.replace("/slack/events", "/metrics")
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("text/plain")
        text = await answer.text()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def moved(before: dict, after: dict, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


async def test_metrics_move_with_the_story(bot: BotHarness) -> None:
    before = await scrape(bot)
    [message] = await result_of(bot)
    after = await scrape(bot)
    assert moved(before, after, "vpctest_diagnoses_total", verdict="fail", target_type="ECS") >= 1
    assert moved(before, after, "vpctest_diagnosis_seconds_count", target_type="ECS") >= 1
    assert (
        moved(
            before,
            after,
            "vpctest_cloud_calls_total",
            product="ecs",
            action="DescribeSecurityGroupAttribute",
            code="OK",
        )
        >= 1
    )
    assert moved(before, after, "vpctest_slack_ack_seconds_count", kind="http") == 1

    approval_ts = await request_fix(bot, message)
    assert (await scrape(bot))[("vpctest_fix_requests_pending", ())] == 1
    await bot.platform.click(approval_ts, "approve", user=ALICE)
    await eventually(lambda: "applied" in header(bot.slack.message(APPROVALS, approval_ts)))
    assert (await scrape(bot))[("vpctest_fix_requests_pending", ())] == 0


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The root logger's INFO records as JSON lines, for this test."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


async def test_a_commands_request_id_follows_it_to_every_cloud_call(
    bot: BotHarness, json_log: io.StringIO
) -> None:
    await result_of(bot)
    await bot.platform.slash("orders-backend")
    await eventually(lambda: len(bot.slack.posted(GENERAL)) == 2, what="the second result")
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    commands = [e for e in lines if e.get("kind") == "slash_command"]
    assert len(commands) == 2
    first, second = (c["request_id"] for c in commands)
    assert first != second and len(first) == 16
    calls = [e for e in lines if e["message"].startswith("cloud call ")]
    assert calls, "no cloud call was logged"
    assert {e.get("request_id") for e in calls} == {first, second}  # none without one
    for call in calls:
        assert {"product", "action", "code", "attempt", "ms"} <= set(call)


def test_the_json_lines_carry_extras_and_exceptions() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom %s", ("now",), None)
    record.action = "DescribeRegions"
    try:
        raise RuntimeError("inner")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    entry = json.loads(JsonLines().format(record))
    assert entry["message"] == "boom now" and entry["level"] == "error"
    assert entry["action"] == "DescribeRegions" and "RuntimeError: inner" in entry["exception"]
    assert "request_id" not in entry  # outside any request


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"VPCTEST_LOG_FORMAT": "xml"}, "VPCTEST_LOG_FORMAT='xml': use one of json, text"),
        ({"VPCTEST_LOG_LEVEL": "loud"}, "VPCTEST_LOG_LEVEL='loud': use one of debug, info"),
    ],
)
def test_a_log_setting_it_does_not_know_says_what_to_use(env: dict, says: str) -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    with pytest.raises(LogSettingError, match=says.replace("(", r"\(")):
        configure_from_env(env)
    assert root.handlers == handlers and root.level == level  # nothing changed


def test_the_grafana_dashboard_charts_only_metrics_the_bot_exports() -> None:
    dashboard = json.loads((ROOT / "ops" / "grafana" / "vpc-test.json").read_text())
    exported = {
        name
        for metric in vars(metrics).values()
        if isinstance(metric, MetricWrapperBase)
        for name in (metric._name, f"{metric._name}_total", f"{metric._name}_bucket")
    }
    queried = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\b(vpctest_\w+)", target["expr"])
    }
    assert queried and queried <= exported, queried - exported
    charted = {re.sub(r"_(total|bucket)$", "", name) for name in queried}
    assert charted == {m._name for m in vars(metrics).values() if isinstance(m, MetricWrapperBase)}
