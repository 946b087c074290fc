"""The bot's configuration, read from the environment and validated at start.

A missing or malformed setting stops the bot with one line that names it.
See docs/spec/bot.md for the contract.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from vpctest.diagnostics.cloud.clients import DEFAULT_REGION

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///vpc-test.db"
DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
SLACK_GROUP = re.compile(r"^S[A-Z0-9]{2,}$")
SLACK_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,}$")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names it and says what is accepted."""


def parse_duration(name: str, text: str) -> timedelta:
    match = DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise ConfigError(f"{name}={text!r}: give a duration such as 24h, 90m, 2d or 600s")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


def _ids(name: str, text: str, *patterns: re.Pattern[str], what: str) -> tuple[str, ...]:
    ids = tuple(part.strip() for part in text.split(",") if part.strip())
    for slack_id in ids:
        if not any(p.match(slack_id) for p in patterns):
            raise ConfigError(f"{name}: {slack_id!r} is not {what}")
    return ids


@dataclass(frozen=True)
class BotConfig:
    bot_token: str = field(repr=False)
    signing_secret: str | None = field(default=None, repr=False)
    app_token: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    team_id: str | None = None
    approval_channel: str | None = None
    approvers: tuple[str, ...] = ()  # user ids (U…/W…)
    approver_groups: tuple[str, ...] = ()  # user group ids (S…)
    request_ttl: timedelta = timedelta(hours=24)
    region: str = DEFAULT_REGION
    gateway: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    port: int = 3000
    allowed_channels: tuple[str, ...] = ()  # empty: every channel
    allowed_users: tuple[str, ...] = ()  # empty: every user
    digest_grace: timedelta = timedelta(minutes=15)  # a slot missed by less is posted on start
    history_retention: timedelta = timedelta(days=30)  # verdict history kept for digests

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @property
    def fixes_enabled(self) -> bool:
        return bool(self.approval_channel and (self.approvers or self.approver_groups))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> BotConfig:
        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        token = get("SLACK_BOT_TOKEN")
        if not token:
            raise ConfigError("SLACK_BOT_TOKEN is not set: give the bot token (xoxb-…)")
        if not token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        app_token = get("SLACK_APP_TOKEN")
        if app_token and not app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
        secret = get("SLACK_SIGNING_SECRET")
        if not app_token and not secret:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode needs it "
                "(or set SLACK_APP_TOKEN for Socket Mode)"
            )
        api_url = get("SLACK_API_URL") or DEFAULT_API_URL
        if not re.match(r"^https?://[^/]+", api_url):
            raise ConfigError(
                f"SLACK_API_URL={api_url!r}: give a URL such as https://slack.com/api/"
            )
        if not api_url.endswith("/"):
            api_url += "/"
        members = _ids(
            "VPCTEST_APPROVERS",
            get("VPCTEST_APPROVERS") or "",
            SLACK_USER,
            SLACK_GROUP,
            what="a Slack user ID (U…/W…) or user group ID (S…)",
        )
        approval_channel = get("SLACK_APPROVAL_CHANNEL")
        if approval_channel and not SLACK_CHANNEL.match(approval_channel):
            raise ConfigError(
                f"SLACK_APPROVAL_CHANNEL={approval_channel!r}: give a channel ID (C…), not a name"
            )
        port_text = get("PORT") or "3000"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigError(f"PORT={port_text!r}: give a TCP port number (1–65535)")
        return cls(
            bot_token=token,
            signing_secret=secret,
            app_token=app_token,
            api_url=api_url,
            team_id=get("SLACK_TEAM_ID"),
            approval_channel=approval_channel,
            approvers=tuple(m for m in members if SLACK_USER.match(m)),
            approver_groups=tuple(m for m in members if SLACK_GROUP.match(m)),
            request_ttl=parse_duration("VPCTEST_REQUEST_TTL", get("VPCTEST_REQUEST_TTL") or "24h"),
            region=get("VPCTEST_REGION") or DEFAULT_REGION,
            gateway=get("VPCTEST_GATEWAY"),
            database_url=get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            port=int(port_text),
            allowed_channels=_ids(
                "VPCTEST_ALLOWED_CHANNELS",
                get("VPCTEST_ALLOWED_CHANNELS") or "",
                SLACK_CHANNEL,
                what="a channel ID (C…)",
            ),
            digest_grace=parse_duration(
                "VPCTEST_DIGEST_GRACE", get("VPCTEST_DIGEST_GRACE") or "15m"
            ),
            history_retention=parse_duration(
                "VPCTEST_HISTORY_RETENTION", get("VPCTEST_HISTORY_RETENTION") or "30d"
            ),
            allowed_users=_ids(
                "VPCTEST_ALLOWED_USERS",
                get("VPCTEST_ALLOWED_USERS") or "",
                SLACK_USER,
                what="a Slack user ID (U…/W…)",
            ),
        )
