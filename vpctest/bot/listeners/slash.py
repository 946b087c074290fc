"""`/vpc-test`: ack at once, then run the work and post what it found. The middleware
(listeners/__init__.py) has checked that the actor may run tests."""

from __future__ import annotations

import asyncio
from typing import Any

from vpctest.bot import presenters
from vpctest.bot.command_parse import (
    USAGE,
    Audit,
    Check,
    CheckAll,
    Command,
    CommandError,
    DigestAdd,
    DigestList,
    DigestRemove,
    DigestRun,
    Help,
    ListAccesses,
    parse,
)
from vpctest.bot.context import BotContext, post_result, replace_result
from vpctest.bot.digest import live
from vpctest.bot.digest.subcommands import DigestCommand
from vpctest.bot.guard import Actor
from vpctest.bot.results import all_message, diagnose_message, error_message
from vpctest.diagnostics.errors import CloudError

LIST_LIMIT = 100
AUDIT_LIMIT = 20


async def vpc_test(
    ctx: BotContext, ack: Any, command: dict[str, Any], respond: Any, client: Any, actor: Actor
) -> None:
    """The listener: parse the text, answer in the ack, then do the work."""
    text = command.get("text")
    try:
        parsed = parse(text if isinstance(text, str) else "")
    except CommandError as exc:
        await ack(response_type="ephemeral", text=f"{presenters.escape(str(exc))}\n\n{USAGE}")
        return
    await run_command(ctx, parsed, actor, ack, respond, client)


async def run_command(
    ctx: BotContext, command: Command, actor: Actor, ack: Any, respond: Any, client: Any
) -> None:
    """Carry out a parsed command: what it does in the ack, then the work and its answer."""
    note = f"Requested by <@{actor.user_id}>"
    match command:
        case Help():
            await ack(response_type="ephemeral", text=USAGE)
        case ListAccesses(filter=word):
            await ack(response_type="ephemeral", text="Listing VPC access authorizations…")
            await respond(response_type="ephemeral", **await list_message(ctx, word))
        case Check(target=target, gateway=gateway, probe=True):
            await ack(response_type="ephemeral", text=f"Testing {presenters.escape(target)}…")
            await probed_check(ctx, client, respond, actor.channel_id, target, gateway, note)
        case Check(target=target, gateway=gateway):
            await ack(response_type="ephemeral", text=f"Testing {presenters.escape(target)}…")
            message, report = await diagnose_message(
                ctx.diagnosis, target, gateway, False, ctx.config.fixes_enabled, note
            )
            await deliver(client, respond, actor.channel_id, message, ok=report is not None)
        case CheckAll(gateway=gateway):
            await ack(response_type="ephemeral", text="Testing every authorization…")
            message, ok = await all_message(ctx.diagnosis, gateway, note)
            await deliver(client, respond, actor.channel_id, message, ok=ok)
        case DigestAdd() | DigestList() | DigestRemove() | DigestRun():
            await digest_command(ctx, command, actor, ack, respond, client)
        case Audit():
            await ack(response_type="ephemeral", text=await audit_text(ctx, actor.team_id))


async def digest_command(
    ctx: BotContext,
    command: DigestCommand,
    actor: Actor,
    ack: Any,
    respond: Any,
    client: Any,
) -> None:
    """`digest add|list|remove` answer in the ack; `digest run` acks, runs, then answers."""
    digests = await ctx.open_digests(client)
    if digests is None:
        await ack(response_type="ephemeral", text=live.NO_DATABASE)
        return
    early = live.immediate_answer(command)
    if early is None:
        await ack(
            response_type="ephemeral", text=await live.answer(digests, command, actor, client)
        )
        return
    await ack(response_type="ephemeral", text=early)
    await respond(
        response_type="ephemeral", text=await live.answer(digests, command, actor, client)
    )


async def probed_check(
    ctx: BotContext,
    client: Any,
    respond: Any,
    channel: str,
    target: str,
    gateway: str | None,
    note: str,
) -> None:
    """A probe takes seconds: post the rest at once with the probe shown running, then
    rewrite the message when the probe answers. Both stages share one run's lookups."""
    run = ctx.diagnosis.new_run()
    fixes = ctx.config.fixes_enabled
    first, report = await diagnose_message(
        ctx.diagnosis, target, gateway, False, fixes, note, run, stage="probing"
    )
    if report is None:
        await respond(response_type="ephemeral", **first)
        return
    ts = await post_result(client, respond, channel, first)
    final, report = await diagnose_message(ctx.diagnosis, target, gateway, True, fixes, note, run)
    await replace_result(client, respond, channel, ts, final)


async def deliver(
    client: Any, respond: Any, channel: str, message: dict[str, Any], ok: bool
) -> None:
    """Results go to the channel; errors only to the user who asked."""
    if ok:
        await post_result(client, respond, channel, message)
    else:
        await respond(response_type="ephemeral", **message)


async def audit_text(ctx: BotContext, team_id: str) -> str:
    """The latest fix requests and decisions, newest first."""
    if ctx.store is None:
        return "This bot keeps no audit log: it runs without a database."
    entries = await asyncio.to_thread(ctx.store.latest_audit, AUDIT_LIMIT, team_id or None)
    if not entries:
        return "The audit log is empty."
    lines = [
        f"`{e.at:%Y-%m-%d %H:%M}` {e.request_id or '—'} *{e.action}* by "
        + (f"<@{e.actor}>" if e.actor.startswith(("U", "W")) else e.actor)
        for e in entries
    ]
    return presenters.clip("*Audit log* (latest first)\n" + "\n".join(lines), 3900)


async def list_message(ctx: BotContext, word: str) -> dict[str, Any]:
    try:
        accesses = await ctx.diagnosis.accesses()
    except CloudError as exc:
        return error_message(f"Could not list authorizations: {exc.reason}")
    chosen = [a for a in accesses if word.lower() in f"{a.name} {a.id} {a.instance_id}".lower()]
    lines = [
        f"`{a.id}` *{presenters.escape(a.name)}* → {a.instance_id}:{a.port} in {a.vpc_id}"
        for a in chosen[:LIST_LIMIT]
    ]
    if len(chosen) > LIST_LIMIT:
        lines.append(f"…and {len(chosen) - LIST_LIMIT} more: narrow it with `/vpc-test list WORD`")
    text = "\n".join(lines) or presenters.escape(f"No authorization matches {word!r}.")
    return {"text": presenters.clip(text, 3900)}
