"""Bolt middleware: who may do what is asked here, once, before a listener runs, and what
a button or modal carries is decoded here. Each puts what it learnt in the request's
context (`actor`, `ref`, `fix_request`), where Bolt hands it to the listener by name;
a refusal is told by `refuse` and goes no further.

The dependencies come first and are bound with `listeners.bind`; the rest are Bolt's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.response import BoltResponse

from vpctest.bot.config import BotConfig
from vpctest.bot.guard import Approvers, check_may_run_tests, check_workspace
from vpctest.bot.listeners.payloads import action_value, actor_of, kind_of, view_metadata
from vpctest.bot.listeners.refuse import refuse
from vpctest.bot.refs import Ref, RequestRef
from vpctest.bot.refusals import BadRef, Refused
from vpctest.bot.store import Store
from vpctest.telemetry.logs import new_request_id

log = logging.getLogger(__name__)
Next = Callable[[], Awaitable[Any]]


async def in_workspace(
    config: BotConfig, body: dict[str, Any], context: Any, next: Next
) -> BoltResponse | None:
    """Every request: a request id for its logs, its actor into the context; one from
    another workspace stops here, told only in the ack (this bot cannot post there)."""
    new_request_id()
    actor = context["actor"] = actor_of(body)
    log.info(
        "%s from %s in %s",
        kind_of(body),
        actor.user_id,
        actor.channel_id,
        extra={"kind": kind_of(body), "user": actor.user_id, "channel": actor.channel_id},
    )
    try:
        check_workspace(config, actor)
    except Refused as exc:
        return await refuse(exc, body, context, reply=False)
    return await next()


async def may_run_tests(
    config: BotConfig, body: dict[str, Any], context: Any, next: Next
) -> BoltResponse | None:
    """The allow-lists of users and channels (VPCTEST_ALLOWED_*)."""
    try:
        check_may_run_tests(config, context["actor"])
    except Refused as exc:
        return await refuse(exc, body, context)
    return await next()


async def decoded(
    kind: type[Ref], body: dict[str, Any], context: Any, next: Next
) -> BoltResponse | None:
    """The clicked button's value, or the submitted modal's metadata, as `kind`."""
    text = view_metadata(body) if kind_of(body) == "view_submission" else action_value(body)
    try:
        context["ref"] = kind.decode(text)
    except Refused as exc:
        return await refuse(exc, body, context)
    return await next()


async def may_decide(
    approvers: Approvers, store: Store, body: dict[str, Any], context: Any, next: Next
) -> BoltResponse | None:
    """The fix request `ref` names exists and the actor may decide it; into `fix_request`."""
    ref: RequestRef = context["ref"]
    request = await asyncio.to_thread(store.get, ref.request_id)
    try:
        if request is None:
            raise BadRef(f"There is no fix request {ref.request_id}.")
        await approvers.check_may_decide(context.client, store, context["actor"], request)
    except Refused as exc:
        return await refuse(exc, body, context)
    context["fix_request"] = request
    return await next()
