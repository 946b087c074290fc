"""A local Slack for the bot: the Web API and response URLs it calls (SlackServer), and the
platform that calls it (SlackPlatform), with Block Kit validation and recorded calls."""

from emulator.slack.blockkit import message_errors, view_errors
from emulator.slack.client import Delivery, SlackPlatform, find_element
from emulator.slack.errors import SlackError
from emulator.slack.ids import BotIdentity
from emulator.slack.inputs import SubmissionRefused
from emulator.slack.records import Call, Violation
from emulator.slack.webapi import SlackServer

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
