"""The page says so when the bot is down or too slow, and the cloud panel breaks and mends."""

from __future__ import annotations

import http.server
import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.browser.conftest import VIEWPORT
from tests.browser.slack_page import SlackPage
from tests.playground.process import playground
from vpctest.playground.people import DEVELOPER, GENERAL


def test_a_dead_bot_is_shown_and_restarted_from_the_page(page, shot) -> None:
    slack = SlackPage(page)
    expect(slack.bot_status()).to_have_attribute("data-status", "up")
    os.kill(slack.state()["bot"]["pid"], signal.SIGKILL)
    expect(slack.bot_status()).to_have_attribute("data-status", "down")
    expect(slack.bot_status()).to_contain_text("exited")
    slack.be(DEVELOPER.id)
    slack.open(GENERAL.id)
    slack.type("/vpc-test billing-backend")
    expect(slack.banner()).to_contain_text("not answering")
    shot(page, "8-bot-down")
    page.click("[data-testid=bot-restart]")
    expect(slack.bot_status()).to_have_attribute("data-status", "up", timeout=60_000)
    slack.type("/vpc-test billing-backend")
    expect(slack.message("billing-backend fails")).to_be_visible()


def test_breaking_the_world_shows_in_the_next_run(page) -> None:
    slack = SlackPage(page)
    slack.be(DEVELOPER.id)
    slack.open(GENERAL.id)
    slack.type("/vpc-test orders-backend")
    result = slack.message("orders-backend passes")
    expect(result).to_be_visible()
    ts = result.get_attribute("data-ts")
    result = page.locator(f"[data-testid=message][data-ts='{ts}']")
    orders = slack.cloud().locator("[data-testid=ecs][data-instance=i-orders]")
    orders.locator("[data-testid=ecs-toggle]").click()
    expect(slack.cloud().locator("[data-testid=ecs][data-instance=i-orders]")).to_contain_text(
        "Stopped"
    )
    slack.click(result, "rerun")
    expect(result).to_contain_text("orders-backend fails")
    page.once("dialog", lambda dialog: dialog.accept())
    slack.cloud().locator("[data-testid=world-reset]").click()
    expect(slack.cloud().locator("[data-testid=ecs][data-instance=i-orders]")).to_contain_text(
        "Running"
    )
    slack.click(result, "rerun")
    expect(result).to_contain_text("orders-backend passes")


class SlowBot(http.server.BaseHTTPRequestHandler):
    """A stand-in bot that acknowledges after 3.5 s: over Slack's three seconds."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(3.5)
        self._answer(b'{"response_type": "ephemeral", "text": "Testing..."}')

    def do_GET(self) -> None:
        self._answer(b'{"ok": true}')

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_bot() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowBot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    server.shutdown()


def test_a_slow_ack_shows_slacks_three_second_rule(browser, slow_bot, shot) -> None:
    with playground("--bot-url", slow_bot) as running:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.goto(running.url)
        slack = SlackPage(page)
        slack.be(DEVELOPER.id)
        slack.type("/vpc-test billing-backend")
        expect(slack.banner()).to_contain_text("operation_timeout", timeout=15_000)
        expect(slack.banner()).to_contain_text("3 seconds")
        expect(page.locator("[data-testid=message]")).to_have_count(0)  # the late ack is dropped
        page.click("[data-testid=tab-requests]")
        newest = page.locator("[data-testid=delivery]").last
        expect(newest).to_have_attribute("data-late", "true")
        expect(newest).to_contain_text("/vpc-test billing-backend")
        shot(page, "9-slow-ack")

        # A bot you run yourself is told how to reach this Slack; what Slack would refuse shows.
        settings = dict(line.strip().split("=", 1) for line in running.lines if "=" in line)
        web = WebClient(token=settings["SLACK_BOT_TOKEN"], base_url=settings["SLACK_API_URL"])
        header = {"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}
        with pytest.raises(SlackApiError, match="invalid_blocks"):
            web.chat_postMessage(channel=GENERAL.id, text="too long", blocks=[header])
        expect(page.locator("[data-testid=refused-item]")).to_contain_text("invalid_blocks")
        expect(page.locator("[data-testid=refused]")).to_contain_text("150")
        context.close()
        running.stop()


def test_the_cloud_panel_lists_server_groups_backends_and_interfaces(page) -> None:
    cloud = SlackPage(page).cloud()
    group = cloud.locator("[data-testid=server-group][data-group=rsp-checkout]")
    expect(group).to_contain_text("vServer group rsp-checkout (checkout)")
    expect(group).to_contain_text("used by 80/tcp")
    eni = group.locator("[data-testid=backend][data-server=eni-orders-2]")
    expect(eni).to_contain_text("eni-orders-2:8080 (ENI) weight 100")
    listener = cloud.locator("[data-testid=listener][data-lb=lb-checkout]")
    expect(listener.locator("[data-testid=listener-group]")).to_have_text(
        "vServer group rsp-checkout (checkout)"
    )
    shop = cloud.locator("[data-testid=listener][data-lb=lb-shop]")
    expect(shop).to_contain_text("default group: i-shop-1:8080 weight 100")
    interface = cloud.locator("[data-testid=eni][data-eni=eni-orders-2]")
    expect(interface).to_have_attribute("data-status", "InUse")
    expect(interface).to_contain_text("on i-orders · sg-orders-eni")
