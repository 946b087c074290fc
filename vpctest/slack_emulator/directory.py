"""The workspace's people and places: users, user groups and channels."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from typing import Any

from vpctest.slack_emulator.errors import SlackError

USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]+$")
UserSpec = str | Mapping[str, Any]
ChannelSpec = Mapping[str, str] | Iterable[str]


def user_object(spec: UserSpec, team_id: str) -> dict[str, Any]:
    """A users.info `user` object from an id or a partial user mapping (which must hold `id`)."""
    given = {"id": spec} if isinstance(spec, str) else dict(spec)
    user_id = given["id"]
    name = given.get("name", user_id.lower())
    real_name = given.get("real_name", name.title())
    profile = {
        "real_name": real_name,
        "real_name_normalized": real_name,
        "display_name": name,
        "display_name_normalized": name,
        "email": f"{name}@example.com",
        "team": team_id,
        **given.pop("profile", {}),
    }
    return {
        "id": user_id,
        "team_id": team_id,
        "name": name,
        "real_name": real_name,
        "deleted": False,
        "is_admin": False,
        "is_owner": False,
        "is_bot": False,
        "is_app_user": False,
        "tz": "Asia/Shanghai",
        "tz_label": "China Standard Time",
        "tz_offset": 28800,
        "updated": int(time.time()),
        **given,
        "profile": profile,
    }


def channel_object(channel_id: str, name: str, dm_user: str | None = None) -> dict[str, Any]:
    """A conversations.info `channel` object."""
    if dm_user is not None:
        return {"id": channel_id, "created": int(time.time()), "is_im": True, "user": dm_user}
    private = channel_id.startswith("G")
    return {
        "id": channel_id,
        "name": name,
        "name_normalized": name,
        "created": int(time.time()),
        "is_channel": not private,
        "is_group": False,
        "is_im": False,
        "is_mpim": False,
        "is_private": private,
        "is_archived": False,
        "is_general": False,
        "is_member": True,
    }


class Directory:
    """Users, user groups and channels. Unless `strict`, unknown well-formed ids exist on use."""

    def __init__(
        self,
        team_id: str,
        users: Iterable[UserSpec] = (),
        usergroups: Mapping[str, Iterable[str]] | None = None,
        channels: ChannelSpec | None = None,
        strict: bool = False,
    ) -> None:
        self.team_id = team_id
        self.strict = strict
        self.users: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        for spec in users:
            self.add_user(spec)
        for group_id, members in (usergroups or {}).items():
            self.set_usergroup(group_id, members)
        if not isinstance(channels, Mapping):
            channels = {c: c.lower() for c in channels or ()}
        for channel_id, name in channels.items():
            self.add_channel(channel_id, name)

    def add_user(self, spec: UserSpec) -> dict[str, Any]:
        user = user_object(spec, self.team_id)
        self.users[user["id"]] = user
        return user

    def user(self, user_id: str) -> dict[str, Any]:
        """The user, or `user_not_found`."""
        if user_id in self.users:
            return self.users[user_id]
        if not self.strict and USER_ID.match(user_id or ""):
            return self.add_user(user_id)
        raise SlackError("user_not_found")

    def set_usergroup(self, group_id: str, members: Iterable[str]) -> None:
        self.usergroups[group_id] = list(members)

    def usergroup_members(self, group_id: str) -> list[str]:
        """The group's member ids, or `no_such_subteam`."""
        if group_id not in self.usergroups:
            raise SlackError("no_such_subteam")
        return list(self.usergroups[group_id])

    def add_channel(self, channel_id: str, name: str | None = None) -> dict[str, Any]:
        channel = channel_object(channel_id, name or channel_id.lower())
        self.channels[channel_id] = channel
        return channel

    def channel(self, channel_id: str) -> dict[str, Any]:
        """The conversation, or `channel_not_found`; a user id names the DM with that user."""
        if channel_id in self.channels:
            return self.channels[channel_id]
        if USER_ID.match(channel_id or ""):
            self.user(channel_id)
            dm_id = "D" + channel_id[1:]
            self.channels[dm_id] = channel_object(dm_id, "", dm_user=channel_id)
            return self.channels[dm_id]
        if not self.strict and CHANNEL_ID.match(channel_id or ""):
            return self.add_channel(channel_id)
        raise SlackError("channel_not_found")
