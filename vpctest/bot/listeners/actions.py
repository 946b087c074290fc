"""Buttons on result, summary and digest messages: troubleshooting steps, re-run, details,
paging. Their middleware (listeners/__init__.py) has checked the actor and decoded `ref`."""

from __future__ import annotations

from typing import Any

from vpctest.bot import render
from vpctest.bot.context import BotContext, post_result
from vpctest.bot.digest.content import rerun_line
from vpctest.bot.fix_views import slack_date
from vpctest.bot.guard import Actor
from vpctest.bot.listeners.payloads import digest_message_of, trigger_id
from vpctest.bot.refs import AccessRef, PageRef, StepRef
from vpctest.bot.results import all_message, diagnose_message, result_message, step_modal
from vpctest.bot.store.service import utcnow
from vpctest.diagnostics.errors import CloudError, UsageError


async def step(ctx: BotContext, ack: Any, body: dict[str, Any], client: Any, ref: StepRef) -> None:
    """Open the step's modal at once (trigger ids live 3 s), then fill it."""
    await ack()
    loading = render.modal(
        "notice_modal.json.j2",
        title=f"Step {ref.step}" if ref.step else "Connectivity",
        text="Checking…",
    )
    view = (await client.views_open(trigger_id=trigger_id(body), view=loading))["view"]
    modal = await step_modal(ctx.diagnosis, ref, ctx.config.region)
    await client.views_update(view_id=view["id"], hash=view.get("hash"), view=modal)


async def rerun(ctx: BotContext, ack: Any, respond: Any, actor: Actor, ref: AccessRef) -> None:
    """Test again and rewrite the result in place."""
    await ack()
    await respond(replace_original=True, **await _rerun_message(ctx, actor, ref))


async def details(
    ctx: BotContext, ack: Any, respond: Any, client: Any, actor: Actor, ref: AccessRef
) -> None:
    """Post one authorization's full result under a summary or a digest."""
    await ack()
    await post_result(client, respond, actor.channel_id, await _rerun_message(ctx, actor, ref))


async def digest_rerun(
    ctx: BotContext,
    ack: Any,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Any,
    actor: Actor,
    ref: AccessRef,
) -> None:
    """Test one digest item again and rewrite its line in place; the rest stays."""
    await ack()
    try:
        report = await ctx.diagnosis.run(ref.vpc_access_id, ref.gateway_id)
    except (UsageError, CloudError) as exc:
        reason = exc.reason if isinstance(exc, CloudError) else str(exc)
        await respond(response_type="ephemeral", replace_original=False, text=reason)
        return
    note = f"re-run by <@{actor.user_id}> {slack_date(utcnow())}"
    rewritten = digest_message_of(body, action).with_line(rerun_line(report, note))
    if rewritten is None:  # not a digest line: show the result on its own
        await respond(
            response_type="ephemeral",
            replace_original=False,
            **result_message(report, ctx.config.fixes_enabled, "Re-run"),
        )
        return
    await respond(replace_original=True, **rewritten)


async def all_page(ctx: BotContext, ack: Any, respond: Any, actor: Actor, ref: PageRef) -> None:
    """The next page of `/vpc-test all`, in place of this one."""
    await ack()
    note = f"Page requested by <@{actor.user_id}>"
    message, ok = await all_message(ctx.diagnosis, ref.gateway_id, note, ref.offset)
    if ok:
        await respond(replace_original=True, **message)
    else:
        await respond(response_type="ephemeral", replace_original=False, **message)


async def _rerun_message(ctx: BotContext, actor: Actor, ref: AccessRef) -> dict[str, Any]:
    note = f"Re-run by <@{actor.user_id}>"
    message, _ = await diagnose_message(
        ctx.diagnosis, ref.vpc_access_id, ref.gateway_id, False, ctx.config.fixes_enabled, note
    )
    return message
