"""Fix requests: the Request fix button and its modal, Approve / Deny / Revert and the deny
modal. Their middleware (listeners/__init__.py) has checked the actor, decoded `ref` and,
for a decision, found `fix_request` and checked that the actor may decide it."""

from __future__ import annotations

from typing import Any

from vpctest.bot.fixflow import FixFlow
from vpctest.bot.guard import Actor
from vpctest.bot.listeners.payloads import origin_of, submitted_reason, trigger_id
from vpctest.bot.refs import FixDraft, FixRef
from vpctest.bot.store import FixRequest


async def request_fix(
    flow: FixFlow, ack: Any, body: dict[str, Any], client: Any, actor: Actor, ref: FixRef
) -> None:
    await ack()
    origin = origin_of(body, actor)
    await flow.open_request(client, trigger_id(body), ref, origin.channel_id, origin.message_ts)


async def fix_request(
    flow: FixFlow, ack: Any, view: dict[str, Any], client: Any, actor: Actor, ref: FixDraft
) -> None:
    await ack()
    await flow.submit_request(client, actor, ref, submitted_reason(view))


async def approve(
    flow: FixFlow, ack: Any, client: Any, actor: Actor, fix_request: FixRequest
) -> None:
    await ack()
    await flow.approve(client, actor, fix_request)


async def deny(
    flow: FixFlow, ack: Any, body: dict[str, Any], client: Any, fix_request: FixRequest
) -> None:
    await ack()
    await flow.open_deny(client, trigger_id(body), fix_request)


async def deny_reason(
    flow: FixFlow,
    ack: Any,
    view: dict[str, Any],
    client: Any,
    actor: Actor,
    fix_request: FixRequest,
) -> None:
    await ack()
    await flow.submit_deny(client, actor, fix_request, submitted_reason(view) or None)


async def revert(
    flow: FixFlow, ack: Any, client: Any, actor: Actor, fix_request: FixRequest
) -> None:
    await ack()
    await flow.revert(client, actor, fix_request)
