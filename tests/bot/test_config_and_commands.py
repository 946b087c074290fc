"""Configuration validation and /vpc-test parsing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from vpctest.bot.command_parse import (
    Audit,
    Check,
    CheckAll,
    CommandError,
    Help,
    ListAccesses,
    parse,
)
from vpctest.bot.config import BotConfig, ConfigError

BASE = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}


def test_defaults_follow_the_contract() -> None:
    config = BotConfig.from_env(BASE)
    assert config.api_url == "https://slack.com/api/"
    assert config.request_ttl == timedelta(hours=24)
    assert config.region == "cn-hangzhou"
    assert config.database_url == "sqlite:///vpc-test.db"
    assert config.port == 3000
    assert not config.socket_mode and not config.fixes_enabled


def test_approvers_split_into_users_and_groups() -> None:
    config = BotConfig.from_env(
        {
            **BASE,
            "VPCTEST_APPROVERS": "U01, W02,S03",
            "SLACK_APPROVAL_CHANNEL": "C0APPROVE",
            "VPCTEST_REQUEST_TTL": "90m",
        }
    )
    assert config.approvers == ("U01", "W02") and config.approver_groups == ("S03",)
    assert config.fixes_enabled and config.request_ttl == timedelta(minutes=90)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({**BASE, "SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        ({**BASE, "VPCTEST_APPROVERS": "alice"}, "VPCTEST_APPROVERS"),
        ({**BASE, "VPCTEST_REQUEST_TTL": "1 day"}, "VPCTEST_REQUEST_TTL"),
        ({**BASE, "VPCTEST_REQUEST_TTL": "0h"}, "VPCTEST_REQUEST_TTL"),
        ({**BASE, "SLACK_APPROVAL_CHANNEL": "#approvals"}, "SLACK_APPROVAL_CHANNEL"),
        ({**BASE, "PORT": "http"}, "PORT"),
        ({**BASE, "SLACK_API_URL": "localhost:9"}, "SLACK_API_URL"),
    ],
)
def test_a_bad_setting_is_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        BotConfig.from_env(env)


def test_socket_mode_needs_no_signing_secret() -> None:
    config = BotConfig.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert config.socket_mode


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("", Help()),
        ("help", Help()),
        ("list", ListAccesses("")),
        ("list orders", ListAccesses("orders")),
        ("audit", Audit()),
        ("orders-backend", Check("orders-backend")),
        ("va-1 --gateway apigateway-x --probe", Check("va-1", "apigateway-x", True)),
        ("--gateway=apigateway-x va-1", Check("va-1", "apigateway-x")),
        ("all", CheckAll()),
        ("all --gateway g", CheckAll("g")),
    ],
)
def test_commands(text: str, command: object) -> None:
    assert parse(text) == command


@pytest.mark.parametrize(
    "text", ["a b", "--bogus x", "x --gateway", "all --probe", "audit x", 'x "unclosed']
)
def test_malformed_commands_say_what_is_wrong(text: str) -> None:
    with pytest.raises(CommandError):
        parse(text)


def test_secrets_stay_out_of_the_printed_configuration() -> None:
    config = BotConfig.from_env({**BASE, "SLACK_APP_TOKEN": "xapp-secret-1"})
    shown = repr(config)
    assert "xoxb-1" not in shown and "xapp-secret-1" not in shown and "'s'" not in shown


def test_usage_lists_every_command() -> None:
    from vpctest.bot.command_parse import USAGE

    for word in ("NAME|ID", "all", "list", "audit", "digest add", "digest run", "help"):
        assert word in USAGE


def test_digest_grace_and_history_retention() -> None:
    config = BotConfig.from_env(
        {**BASE, "VPCTEST_DIGEST_GRACE": "2h", "VPCTEST_HISTORY_RETENTION": "90d"}
    )
    assert config.digest_grace == timedelta(hours=2)
    assert config.history_retention == timedelta(days=90)
    with pytest.raises(ConfigError, match="VPCTEST_HISTORY_RETENTION"):
        BotConfig.from_env({**BASE, "VPCTEST_HISTORY_RETENTION": "forever"})
