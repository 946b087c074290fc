"""Who may do what: one place, used by every listener."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vpctest.bot.config import BotConfig


class Refused(Exception):
    """The user may not do this; the message is shown to them, ephemeral."""


@dataclass(frozen=True)
class Caller:
    user_id: str
    channel_id: str
    team_id: str


def _field(body: dict[str, Any], name: str, key: str) -> str:
    """`body[name][key]` when it is a string, else ""."""
    part = body.get(name)
    value = part.get(key) if isinstance(part, dict) else None
    return value if isinstance(value, str) else ""


def caller_of(body: dict[str, Any]) -> Caller:
    """The user, channel and workspace of a slash command or an interaction payload."""
    user = body.get("user_id") or _field(body, "user", "id")
    channel = body.get("channel_id") or _field(body, "channel", "id")
    team = body.get("team_id") or _field(body, "team", "id") or _field(body, "user", "team_id")
    return Caller(str(user), str(channel), str(team))


def check_workspace(config: BotConfig, caller: Caller) -> None:
    if config.team_id and caller.team_id != config.team_id:
        raise Refused("This vpc-test bot serves another Slack workspace.")


def check_may_run_tests(config: BotConfig, caller: Caller) -> None:
    check_workspace(config, caller)
    if config.allowed_users and caller.user_id not in config.allowed_users:
        raise Refused("You are not on the list of users who may run vpc-test.")
    if (
        config.allowed_channels
        and caller.channel_id
        and caller.channel_id not in config.allowed_channels
    ):
        raise Refused("vpc-test does not run in this channel; ask in one where it is allowed.")
