"""Slack listeners: they parse, authorize and hand over to the flows.

Every listener and middleware is a module-level function whose leading parameters are its
dependencies (bound here with `bind`) and whose others are Bolt's arguments, by name, or
what the middleware put in the context: `actor` (guard.Actor), `ref` (a refs.Ref), and
for a decision `fix_request`. This module is the one place that says which listener
answers which id, behind which checks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp

from vpctest.bot.context import BotContext
from vpctest.bot.deliveries import Deliveries
from vpctest.bot.fixflow import FixFlow
from vpctest.bot.guard import Approvers
from vpctest.bot.interactions import ActionId, CallbackId
from vpctest.bot.listeners import actions, fixes, middleware, slash
from vpctest.bot.refs import (
    AccessRef,
    DenyDraft,
    FixDraft,
    FixRef,
    PageRef,
    Ref,
    RequestRef,
    StepRef,
)

COMMAND = "/vpc-test"


def bind(function: Callable[..., Any], *dependencies: Any) -> Callable[..., Any]:
    """`function` with its leading dependencies given; Bolt sees only the rest, and the
    function's name (for its logs)."""
    bound = partial(function, *dependencies)
    bound.__name__ = function.__name__  # type: ignore[attr-defined]
    return bound


def register(app: AsyncApp, ctx: BotContext) -> None:
    """Every middleware and listener of the bot, on `app`."""
    app.middleware(bind(middleware.in_workspace, ctx.config))  # first: the actor, its workspace
    deliveries = Deliveries(ctx.database)
    app.middleware(deliveries.middleware)  # a repeated delivery stops here, acked
    runs_tests = bind(middleware.may_run_tests, ctx.config)

    def carrying(kind: type[Ref]) -> Callable[..., Any]:
        return bind(middleware.decoded, kind)

    app.command(COMMAND, middleware=[runs_tests])(bind(slash.vpc_test, ctx))
    for step in ActionId.steps():
        app.action(step, middleware=[runs_tests, carrying(StepRef)])(bind(actions.step, ctx))
    result_buttons = (
        (ActionId.RERUN, actions.rerun, AccessRef),
        (ActionId.DETAILS, actions.details, AccessRef),
        (ActionId.DIGEST_RERUN, actions.digest_rerun, AccessRef),
        (ActionId.ALL_PAGE, actions.all_page, PageRef),
    )
    for action_id, listener, kind in result_buttons:
        app.action(action_id, middleware=[runs_tests, carrying(kind)])(bind(listener, ctx))

    if ctx.store is None:  # no database: no fix requests
        return
    flow = FixFlow(ctx, ctx.store)
    decides = bind(middleware.may_decide, Approvers(ctx.config), ctx.store)
    app.action(ActionId.REQUEST_FIX, middleware=[runs_tests, carrying(FixRef)])(
        bind(fixes.request_fix, flow)
    )
    app.view(CallbackId.FIX_REQUEST, middleware=[runs_tests, carrying(FixDraft)])(
        bind(fixes.fix_request, flow)
    )
    decisions = (
        (ActionId.APPROVE, fixes.approve),
        (ActionId.DENY, fixes.deny),
        (ActionId.REVERT, fixes.revert),
    )
    for action_id, listener in decisions:
        app.action(action_id, middleware=[carrying(RequestRef), decides])(bind(listener, flow))
    app.view(CallbackId.DENY_REASON, middleware=[carrying(DenyDraft), decides])(
        bind(fixes.deny_reason, flow)
    )
