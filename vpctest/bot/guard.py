"""Who may do what: one place, which the listener middleware asks (bot/listeners/middleware.py).

Each check raises NotAllowed with the words for the user; none reads a Slack payload.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

from vpctest.bot.config import BotConfig
from vpctest.bot.refusals import NotAllowed
from vpctest.bot.store import FixRequest, Store

log = logging.getLogger(__name__)
GROUP_CACHE_S = 60.0


@dataclass(frozen=True)
class Actor:
    """Who did something, where: the user, the channel ("" from a modal) and the workspace."""

    team_id: str
    user_id: str
    channel_id: str


def check_workspace(config: BotConfig, actor: Actor) -> None:
    if config.team_id and actor.team_id != config.team_id:
        raise NotAllowed("This vpc-test bot serves another Slack workspace.")


def check_may_run_tests(config: BotConfig, actor: Actor) -> None:
    check_workspace(config, actor)
    if config.allowed_users and actor.user_id not in config.allowed_users:
        raise NotAllowed("You are not on the list of users who may run vpc-test.")
    if (
        config.allowed_channels
        and actor.channel_id
        and actor.channel_id not in config.allowed_channels
    ):
        raise NotAllowed("vpc-test does not run in this channel; ask in one where it is allowed.")


@dataclass
class Approvers:
    """VPCTEST_APPROVERS: its users, and the members of its user groups (asked of Slack,
    cached a minute)."""

    config: BotConfig
    _groups: dict[str, tuple[float, frozenset[str]]] = field(
        default_factory=dict, init=False, repr=False
    )

    async def includes(self, client: Any, user_id: str) -> bool:
        if user_id in self.config.approvers:
            return True
        for group in self.config.approver_groups:
            if user_id in await self._members(client, group):
                return True
        return False

    async def _members(self, client: Any, group: str) -> frozenset[str]:
        cached = self._groups.get(group)
        if cached and time.monotonic() - cached[0] < GROUP_CACHE_S:
            return cached[1]
        try:
            response = await client.usergroups_users_list(usergroup=group)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("could not list the members of approver group %s: %s", group, exc)
            raise NotAllowed(
                "vpc-test could not ask Slack who the approvers are: try again."
            ) from None
        members = frozenset(response.get("users") or [])
        self._groups[group] = (time.monotonic(), members)
        return members

    async def check_may_decide(
        self, client: Any, store: Store, actor: Actor, request: FixRequest
    ) -> None:
        """An approver, and not the requester; a refusal is written to the audit log."""
        why = None
        if not await self.includes(client, actor.user_id):
            why, text = "not an approver", "Only an approver may decide fix requests."
        elif actor.user_id == request.requester_id:
            why = "own request"
            text = "You cannot decide your own fix request: ask another approver."
        if why is not None:
            await asyncio.to_thread(
                store.record, actor.user_id, "refused", request.id, detail={"why": why}
            )
            raise NotAllowed(text)
