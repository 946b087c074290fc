"""users.info, usergroups.users.list, conversations.info and auth.test."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from vpctest.slack_emulator import SlackServer


async def test_auth_test_names_the_bot(slack_server: SlackServer, web: AsyncWebClient) -> None:
    me = await web.auth_test()
    assert me["team_id"] == slack_server.identity.team_id
    assert me["user_id"] == slack_server.identity.user_id
    assert me["bot_id"] == slack_server.identity.bot_id


async def test_configured_and_synthesized_users(web: AsyncWebClient) -> None:
    alice = (await web.users_info(user="U0ALICE01"))["user"]
    assert alice["name"] == "alice" and alice["is_admin"] and alice["profile"]["display_name"]
    carol = (await web.users_info(user="U0CAROL01"))["user"]
    assert carol["id"] == "U0CAROL01" and not carol["deleted"]
    with pytest.raises(SlackApiError) as refused:
        await web.users_info(user="not-a-user")
    assert refused.value.response["error"] == "user_not_found"


async def test_strict_users(slack_server_at: Callable[..., SlackServer]) -> None:
    server = slack_server_at(strict=True, users=[{"id": "U0GONE001", "deleted": True}])
    web = AsyncWebClient(token=server.token, base_url=server.api_url)
    assert (await web.users_info(user="U0GONE001"))["user"]["deleted"]
    with pytest.raises(SlackApiError) as refused:
        await web.users_info(user="U0CAROL01")
    assert refused.value.response["error"] == "user_not_found"


async def test_usergroup_membership_is_configurable(
    slack_server: SlackServer, web: AsyncWebClient
) -> None:
    listed = await web.usergroups_users_list(usergroup="S0APPROVERS")
    assert listed["users"] == ["U0ALICE01", "U0BOB0001"]
    slack_server.set_usergroup("S0APPROVERS", ["U0CAROL01"])
    assert (await web.usergroups_users_list(usergroup="S0APPROVERS"))["users"] == ["U0CAROL01"]
    with pytest.raises(SlackApiError) as refused:
        await web.usergroups_users_list(usergroup="S0NOPE")
    assert refused.value.response["error"] == "no_such_subteam"


async def test_conversations_info(slack_server: SlackServer, web: AsyncWebClient) -> None:
    slack_server.add_channel("G0PRIVATE1", "vpc-approvals")
    private = (await web.conversations_info(channel="G0PRIVATE1"))["channel"]
    assert private["name"] == "vpc-approvals" and private["is_private"]
    dm = (await web.conversations_info(channel="U0ALICE01"))["channel"]
    assert dm["is_im"] and dm["user"] == "U0ALICE01"
    with pytest.raises(SlackApiError) as refused:
        await web.conversations_info(channel="#general")
    assert refused.value.response["error"] == "channel_not_found"


async def test_unknown_method(web: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        await web.api_call("files.upload")
    assert refused.value.response["error"] == "unknown_method"


async def test_the_bot_is_a_bot_user(slack_server: SlackServer, web: AsyncWebClient) -> None:
    bot = (await web.users_info(user=slack_server.identity.user_id))["user"]
    assert bot["is_bot"] and bot["profile"]["bot_id"] == slack_server.identity.bot_id
