"""Buttons on result messages: troubleshooting steps, re-run, details, paging."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp

from vpctest.bot import presenters, render
from vpctest.bot.context import BadValue, BotContext, parse_value, post_result
from vpctest.bot.digest.content import rerun_line
from vpctest.bot.fix_views import slack_date
from vpctest.bot.guard import Refused, caller_of, check_may_run_tests
from vpctest.bot.results import all_message, diagnose_message, result_message
from vpctest.bot.store.service import utcnow
from vpctest.diagnostics.errors import CloudError, UsageError

STEP = re.compile(r"^step_[0-3]$")


def register(app: AsyncApp, ctx: BotContext) -> None:
    async def allowed(body: dict[str, Any], respond: Any) -> bool:
        try:
            check_may_run_tests(ctx.config, caller_of(body))
        except Refused as exc:
            await respond(response_type="ephemeral", replace_original=False, text=str(exc))
            return False
        return True

    @app.action(STEP)
    async def step(
        ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any, respond: Any
    ) -> None:
        await ack()
        if not await allowed(body, respond):
            return
        number = int(action["action_id"][-1])
        loading = render.modal(
            "notice_modal.json.j2",
            title=f"Step {number}" if number else "Connectivity",
            text="Checking…",
        )
        opened = await client.views_open(trigger_id=body["trigger_id"], view=loading)
        view = opened["view"]
        try:
            ref = parse_value(action.get("value"), va=str, gw=str)
            report = await ctx.diagnosis.run(ref["va"], ref.get("gw"))
            modal = render.modal(
                "step_modal.json.j2", **presenters.step_context(report, number, ctx.config.region)
            )
        except (BadValue, UsageError) as exc:
            modal = render.modal(
                "notice_modal.json.j2", title="vpc-test", text=presenters.escape(str(exc))
            )
        except CloudError as exc:
            modal = render.modal(
                "notice_modal.json.j2", title="vpc-test", text=presenters.escape(exc.reason)
            )
        await client.views_update(view_id=view["id"], hash=view.get("hash"), view=modal)

    @app.action("rerun")
    async def rerun(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        if not await allowed(body, respond):
            return
        message = await _diagnose_button(ctx, body, action)
        await respond(replace_original=True, **message)

    @app.action("details")
    async def details(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: Any
    ) -> None:
        await ack()
        if not await allowed(body, respond):
            return
        message = await _diagnose_button(ctx, body, action)
        await post_result(client, respond, caller_of(body).channel_id, message)

    @app.action("digest_rerun")
    async def digest_rerun(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any
    ) -> None:
        """Test one digest item again and rewrite its line in place; the rest stays."""
        await ack()
        if not await allowed(body, respond):
            return
        blocks = (body.get("message") or {}).get("blocks") or []
        line_id = str(action.get("block_id", "")).replace("item-", "line-", 1)
        line = next((b for b in blocks if b.get("block_id") == line_id), None)
        try:
            ref = parse_value(action.get("value"), va=str, gw=str)
            report = await ctx.diagnosis.run(ref.get("va", ""), ref.get("gw") or None)
        except (BadValue, UsageError, CloudError) as exc:
            reason = exc.reason if isinstance(exc, CloudError) else str(exc)
            await respond(response_type="ephemeral", replace_original=False, text=reason)
            return
        if line is None:  # not a digest line: show the result on its own
            await respond(
                response_type="ephemeral",
                replace_original=False,
                **result_message(report, ctx.config.fixes_enabled, "Re-run"),
            )
            return
        note = f"re-run by <@{caller_of(body).user_id}> {slack_date(utcnow())}"
        line["text"] = {"type": "mrkdwn", "text": rerun_line(report, note)}
        text = (body.get("message") or {}).get("text") or "vpc-test digest"
        await respond(replace_original=True, text=text, blocks=blocks)

    @app.action("all_page")
    async def all_page(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any
    ) -> None:
        await ack()
        if not await allowed(body, respond):
            return
        try:
            ref = parse_value(action.get("value"), gw=str, o=int)
        except BadValue as exc:
            await respond(response_type="ephemeral", replace_original=False, text=str(exc))
            return
        note = f"Page requested by <@{caller_of(body).user_id}>"
        offset = max(0, ref.get("o") or 0)
        message, ok = await all_message(ctx.diagnosis, ref.get("gw"), note, offset)
        if ok:
            await respond(replace_original=True, **message)
        else:
            await respond(response_type="ephemeral", replace_original=False, **message)


async def _diagnose_button(
    ctx: BotContext, body: dict[str, Any], action: dict[str, Any]
) -> dict[str, Any]:
    try:
        ref = parse_value(action.get("value"), va=str, gw=str)
    except BadValue as exc:
        return {"text": str(exc)}
    note = f"Re-run by <@{caller_of(body).user_id}>"
    message, _ = await diagnose_message(
        ctx.diagnosis, ref.get("va", ""), ref.get("gw"), False, ctx.config.fixes_enabled, note
    )
    return message
