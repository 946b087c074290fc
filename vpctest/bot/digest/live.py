"""The digests of a running bot: the store, the runner and the scheduler, and the
`/vpc-test digest …` answers (ephemeral text)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from vpctest.bot.config import BotConfig
from vpctest.bot.diagnosis import DiagnosisService
from vpctest.bot.digest.models import DigestSubscription
from vpctest.bot.digest.run import DigestRunner
from vpctest.bot.digest.scheduler import DigestScheduler, Fired
from vpctest.bot.digest.service import DigestStore
from vpctest.bot.digest.subcommands import (
    DigestAdd,
    DigestCommand,
    DigestList,
    DigestRemove,
    DigestRun,
)
from vpctest.bot.fix_views import slack_date
from vpctest.bot.guard import Actor
from vpctest.bot.presenters import clip, escape
from vpctest.bot.store import Database

NO_DATABASE = "Scheduled digests need a database (DATABASE_URL): this bot runs without one."
LIST_LIMIT = 3900


@dataclass
class Digests:
    store: DigestStore
    scheduler: DigestScheduler

    @classmethod
    def open(
        cls, config: BotConfig, database: Database, diagnosis: DiagnosisService, client: Any
    ) -> Digests:
        """On the bot's one database (migrated already); the scheduler not started."""
        store = DigestStore(database)
        scheduler = DigestScheduler(
            store,
            DigestRunner(diagnosis, store, client).run_digest,
            grace=config.digest_grace,
            retention=config.history_retention,
        )
        return cls(store, scheduler)

    async def start(self) -> None:
        await self.scheduler.start()

    def close(self) -> None:
        """Stop the scheduler; the database is the bot's, closed by whoever opened it."""
        self.scheduler.shutdown()


def immediate_answer(command: DigestCommand) -> str | None:
    """What the ack says for a command that runs later (`digest run`), else None."""
    if isinstance(command, DigestRun):
        return f"Running digest {command.id} now…"
    return None


async def answer(digests: Digests, command: DigestCommand, actor: Actor, client: Any) -> str:
    """Carry out a digest command; the text to show the actor."""
    match command:
        case DigestAdd():
            return await _add(digests, command, actor, client)
        case DigestList():
            return await _list(digests, actor)
        case DigestRemove(id=digest_id):
            removed = await asyncio.to_thread(
                digests.store.remove_subscription, digest_id, actor.team_id
            )
            if removed is None:
                return f"No digest {digest_id} here: see `/vpc-test digest list`."
            digests.scheduler.unschedule(removed.id)
            return f"Removed digest {removed.id} (<#{removed.channel_id}>)."
        case DigestRun(id=digest_id):
            return await _run(digests, digest_id, actor)
    raise AssertionError(f"unhandled {command!r}")


async def _add(digests: Digests, command: DigestAdd, actor: Actor, client: Any) -> str:
    channel = command.channel or actor.channel_id
    if command.channel:
        try:
            await client.conversations_info(channel=channel)
        except SlackApiError as exc:
            return f"Cannot post in <#{channel}> ({exc.response.get('error')}): invite the bot."
    sub = await asyncio.to_thread(
        digests.store.add_subscription,
        team_id=actor.team_id,
        channel_id=channel,
        created_by=actor.user_id,
        schedule=command.schedule,
        gateway_id=command.gateway,
        only_changes=command.only_changes,
    )
    digests.scheduler.schedule(sub)
    return f"Added digest {_line(sub, digests.scheduler.clock())}"


async def _list(digests: Digests, actor: Actor) -> str:
    subs = await asyncio.to_thread(digests.store.subscriptions, actor.team_id)
    if not subs:
        return "No digests yet: add one with `/vpc-test digest add daily 09:00`."
    now = digests.scheduler.clock()
    return clip("*Digests*\n" + "\n".join(_line(s, now) for s in subs), LIST_LIMIT)


async def _run(digests: Digests, digest_id: str, actor: Actor) -> str:
    sub = await asyncio.to_thread(digests.store.get_subscription, digest_id)
    if sub is None or sub.removed_at is not None or sub.team_id != actor.team_id:
        return f"No digest {digest_id} here: see `/vpc-test digest list`."
    fired = await digests.scheduler.run_now(sub)
    slot = await asyncio.to_thread(digests.store.last_slot, sub.id)
    match fired:
        case Fired.POSTED:
            return f"Digest {sub.id} posted in <#{sub.channel_id}>."
        case Fired.SKIPPED:
            return f"Digest {sub.id}: nothing changed since the last one, so nothing was posted."
        case Fired.LOST:
            return f"Digest {sub.id} is already running."
    error = slot.error if slot is not None and slot.error else "unknown error"
    return f"Digest {sub.id} failed: {escape(error)}"


def _line(sub: DigestSubscription, now: Any) -> str:
    parts = [f"`{sub.id}` in <#{sub.channel_id}>, {escape(sub.schedule.describe())}"]
    if sub.gateway_id:
        parts.append(f"gateway `{escape(sub.gateway_id)}`")
    if sub.only_changes:
        parts.append("only changes")
    parts.append(f"next {slack_date(sub.schedule.next_after(now))}")
    return " · ".join(parts)
