"""A local Slack for the bot: the Web API it calls and the platform that calls it.

with SlackServer(usergroups={"S0APPROVERS": ["U0ALICE01"]}) as slack:
    # the bot: AsyncWebClient(token=slack.token, base_url=slack.api_url),
    #          signing secret slack.signing_secret, serving http://.../slack/events
    async with SlackPlatform(slack, "http://127.0.0.1:3000/slack/events") as platform:
        await platform.slash("apigw-1")                  # signed, as Slack sends it
        [call] = await slack.wait_for("chat.postMessage")
        await platform.click(call.response["ts"], "rerun")
    assert slack.violations == []                        # every payload was valid Block Kit
"""

from vpctest.slack_emulator.blockkit import message_errors, view_errors
from vpctest.slack_emulator.client import Delivery, SlackPlatform, find_element
from vpctest.slack_emulator.errors import SlackError
from vpctest.slack_emulator.ids import BotIdentity
from vpctest.slack_emulator.inputs import SubmissionRefused
from vpctest.slack_emulator.records import Call, Violation
from vpctest.slack_emulator.webapi import SlackServer

__all__ = [
    "BotIdentity",
    "Call",
    "Delivery",
    "SlackError",
    "SlackPlatform",
    "SlackServer",
    "SubmissionRefused",
    "Violation",
    "find_element",
    "message_errors",
    "view_errors",
]
