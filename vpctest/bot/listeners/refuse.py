"""A refusal, told one way: its reason, to the user alone, as the request allows."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError

from vpctest.bot.interactions import InputId
from vpctest.bot.listeners.payloads import actor_of, kind_of
from vpctest.bot.refusals import Refused

log = logging.getLogger(__name__)


async def refuse(
    refused: Refused, body: dict[str, Any], context: Any, *, reply: bool = True
) -> BoltResponse:
    """Ack the request with the reason: a command's ack shows it, a submitted modal shows
    it under its reason input. A click's ack shows nothing, so the reason follows as an
    ephemeral reply, unless `reply` is False (a request from another workspace, which
    this bot cannot post in). A reply that fails is logged; the refusal stands."""
    text = refused.reason
    kind = kind_of(body)
    log.info("refused a %s: %s", kind or "request", text)
    if kind == "slash_command":
        return await context.ack(response_type="ephemeral", text=text)
    if kind == "view_submission":
        return await context.ack(response_action="errors", errors={InputId.REASON: text})
    response = await context.ack()
    if not reply or kind != "block_actions":
        return response
    try:
        if isinstance(body.get("response_url"), str):
            await context.respond(response_type="ephemeral", replace_original=False, text=text)
        elif (actor := actor_of(body)).channel_id:
            await context.client.chat_postEphemeral(
                channel=actor.channel_id, user=actor.user_id, text=text
            )
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
        log.warning("could not tell the user a refusal (%s): %s", text, exc)
    return response
