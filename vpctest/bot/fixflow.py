"""The fix request lifecycle: request → approve or deny → apply → re-test → revert, with expiry.

State changes go through the Store, one atomic transition each; this module does the
Slack and cloud work around them. Nothing from a button or view is trusted without a
check against the database or a fresh diagnosis.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from vpctest.bot import render
from vpctest.bot.context import BotContext
from vpctest.bot.fix_views import approval_message, fix_modal, slack_date
from vpctest.bot.guard import Actor
from vpctest.bot.refs import DenyDraft, FixDraft, FixRef
from vpctest.bot.results import result_message
from vpctest.bot.store import Done, FixRequest, Outcome, Refusal, State, Store
from vpctest.bot.store.service import utcnow
from vpctest.diagnostics.errors import CloudError, UsageError
from vpctest.diagnostics.fixes import FixError

log = logging.getLogger(__name__)
INTERRUPTED_AFTER = timedelta(minutes=10)  # far longer than an apply with all its retries
INTERRUPTED_APPLY = (
    "interrupted: the bot stopped while applying this fix, so it may be partly in place; "
    "re-run the test and request the fix again if it still fails"
)
INTERRUPTED_REVERT = "interrupted: the bot stopped while reverting; revert again"


class FixFlow:
    """Who may request or decide was settled before a method is called (the listener
    middleware); each takes the actor and what the button or modal named, typed."""

    def __init__(self, ctx: BotContext, store: Store) -> None:
        self.ctx = ctx
        self.store = store

    async def _tell(self, client: AsyncWebClient, actor: Actor, text: str) -> None:
        await client.chat_postEphemeral(channel=actor.channel_id, user=actor.user_id, text=text)

    # request

    async def open_request(
        self,
        client: AsyncWebClient,
        trigger_id: str,
        ref: FixRef,
        channel_id: str,
        message_ts: str | None,
    ) -> None:
        """Open the modal at once (trigger ids live 3 s), then fill it from a fresh diagnosis.
        `channel_id` and `message_ts` name the result message, updated once the fix is in."""
        loading = render.modal(
            "notice_modal.json.j2", title="Request fix", text="Checking the fix…"
        )
        view = (await client.views_open(trigger_id=trigger_id, view=loading))["view"]
        try:
            report = await self.ctx.diagnosis.run(ref.vpc_access_id, ref.gateway_id)
            fix = report.check(ref.check_id).fix
            if fix is None:
                raise UsageError(
                    f"{ref.check_id} needs no fix now: re-run the test to see where it stands"
                )
            draft = FixDraft(
                ref.vpc_access_id, report.gateway.id, ref.check_id, channel_id, message_ts
            )
            modal = fix_modal(
                self.ctx.config, draft.encode(), report.vpc_access.name, ref.check_id, fix
            )
        except (UsageError, StopIteration) as exc:
            modal = render.modal(
                "notice_modal.json.j2", title="Request fix", text=str(exc) or "unknown check"
            )
        except CloudError as exc:
            modal = render.modal("notice_modal.json.j2", title="Request fix", text=exc.reason)
        await client.views_update(view_id=view["id"], hash=view.get("hash"), view=modal)

    async def submit_request(
        self, client: AsyncWebClient, actor: Actor, draft: FixDraft, reason: str
    ) -> None:
        """Re-check the fix, store the request, post it to the approvers."""
        channel = draft.channel_id or actor.channel_id
        try:
            report = await self.ctx.diagnosis.run(draft.vpc_access_id, draft.gateway_id)
        except (UsageError, CloudError) as exc:
            text = exc.reason if isinstance(exc, CloudError) else str(exc)
            await client.chat_postEphemeral(
                channel=channel, user=actor.user_id, text=f"No request made: {text}"
            )
            return
        fix = report.check(draft.check_id).fix
        if fix is None:
            await client.chat_postEphemeral(
                channel=channel,
                user=actor.user_id,
                text=f"No request made: {draft.check_id} needs no fix now.",
            )
            return
        request = await asyncio.to_thread(
            self.store.create_request,
            team_id=actor.team_id,
            requester_id=actor.user_id,
            channel_id=channel,
            vpc_access_id=report.vpc_access.id,
            vpc_access_name=report.vpc_access.name,
            gateway_id=report.gateway.id,
            check_id=draft.check_id,
            fix=fix,
            reason=reason,
            result_ts=draft.message_ts,
            ttl=self.ctx.config.request_ttl,
        )
        approval_channel = self.ctx.config.approval_channel or ""
        posted = await client.chat_postMessage(
            channel=approval_channel, **approval_message(self.ctx.config, request)
        )
        await asyncio.to_thread(
            self.store.set_messages,
            request.id,
            approval_channel_id=posted["channel"],
            approval_ts=posted["ts"],
        )
        await client.chat_postEphemeral(
            channel=channel,
            user=actor.user_id,
            text=f"Fix request {request.id} was sent to the approvers.",
        )

    # decide

    async def approve(self, client: AsyncWebClient, actor: Actor, request: FixRequest) -> None:
        user = actor.user_id
        description = (
            f"vpc-test {request.id} requested by {request.requester_id}, approved by {user}"
        )
        await self._carry_out(
            client,
            actor,
            request,
            claim=self.store.claim_for_apply,
            work=lambda claimed: self.ctx.diagnosis.apply(claimed.fix, description),
            fail=self.store.mark_apply_failed,
            finish=self.store.mark_applied,
            done_text="applied, approved",
        )

    async def open_deny(self, client: AsyncWebClient, trigger_id: str, request: FixRequest) -> None:
        modal = render.modal(
            "deny_modal.json.j2", request_id=request.id, metadata=DenyDraft(request.id).encode()
        )
        await client.views_open(trigger_id=trigger_id, view=modal)

    async def submit_deny(
        self, client: AsyncWebClient, actor: Actor, request: FixRequest, reason: str | None
    ) -> None:
        outcome = await asyncio.to_thread(self.store.deny, request.id, actor.user_id, reason)
        if isinstance(outcome, Done):
            await self._show(client, outcome.request)

    async def revert(self, client: AsyncWebClient, actor: Actor, request: FixRequest) -> None:
        async def undo(claimed: FixRequest) -> None:
            if claimed.applied_fix is not None:
                await self.ctx.diagnosis.revert(claimed.fix, claimed.applied_fix)

        await self._carry_out(
            client,
            actor,
            request,
            claim=self.store.claim_for_revert,
            work=undo,
            fail=self.store.mark_revert_failed,
            finish=lambda request_id, _undone, verdict: self.store.mark_reverted(
                request_id, verdict
            ),
            done_text="reverted",
        )

    async def _carry_out(
        self,
        client: AsyncWebClient,
        actor: Actor,
        request: FixRequest,
        *,
        claim: Callable[[str, str], Outcome],
        work: Callable[[FixRequest], Awaitable[Any]],
        fail: Callable[[str, str], Outcome],
        finish: Callable[[str, Any, str], Outcome],
        done_text: str,
    ) -> None:
        """Claim the request atomically, do the cloud work, re-test, record and show the outcome.

        Approve and revert are both this; only the claim, the work and the records differ.
        """
        user = actor.user_id
        outcome = await asyncio.to_thread(claim, request.id, user)
        if not isinstance(outcome, Done):
            await self._refused(client, actor, outcome.reason, outcome.request)
            return
        await self._show(client, outcome.request)
        try:
            result = await work(outcome.request)
        except (CloudError, FixError) as exc:  # FixError: a stored fix this bot cannot read
            why = exc.reason if isinstance(exc, CloudError) else str(exc)
            failed = await asyncio.to_thread(fail, request.id, why)
            await self._show(client, failed.request)
            return
        note = f"Fix {request.id} {done_text} by <@{user}> {slack_date(utcnow())}"
        verdict, message = await self._retest(request, note)
        done = await asyncio.to_thread(finish, request.id, result, verdict)
        await self._show(client, done.request)
        await self._update_result(client, request, message)

    async def recover_interrupted(self, client: AsyncWebClient) -> int:
        """Settle requests whose apply or revert stopped midway (the bot died or restarted).

        What reached the cloud is unknown, so an apply is marked failed with advice to re-test
        (a re-request adds nothing that exists), and a revert goes back to applied so it can
        be tried again.
        """
        cutoff = utcnow() - INTERRUPTED_AFTER
        stuck = await asyncio.to_thread(self.store.interrupted, cutoff)
        for request in stuck:
            if request.state == State.APPLYING:
                outcome = await asyncio.to_thread(
                    self.store.mark_apply_failed, request.id, INTERRUPTED_APPLY
                )
            else:
                outcome = await asyncio.to_thread(
                    self.store.mark_revert_failed, request.id, INTERRUPTED_REVERT
                )
            await self._show(client, outcome.request)
        return len(stuck)

    async def expire(self, client: AsyncWebClient) -> int:
        """Expire every overdue request and say so on its approval message."""
        expired = await asyncio.to_thread(self.store.expire_due)
        for request in expired:
            await self._show(client, request)
        return len(expired)

    # Slack updates

    async def _refused(
        self,
        client: AsyncWebClient,
        actor: Actor,
        reason: Refusal,
        request: FixRequest | None,
    ) -> None:
        await self._tell(client, actor, f"Nothing changed: this request is {reason.text}.")
        if request is not None and reason == Refusal.EXPIRED:
            await self._show(client, request)

    async def _retest(self, request: FixRequest, note: str) -> tuple[str, dict[str, Any] | None]:
        try:
            report = await self.ctx.diagnosis.run(request.vpc_access_id, request.gateway_id)
        except (UsageError, CloudError) as exc:
            log.warning("re-test after %s failed: %s", request.id, exc)
            return "unknown", None
        return report.verdict.value, result_message(report, self.ctx.config.fixes_enabled, note)

    async def _show(self, client: AsyncWebClient, request: FixRequest | None) -> None:
        if request is None or not request.approval_ts:
            return
        try:
            await client.chat_update(
                channel=request.approval_channel_id,
                ts=request.approval_ts,
                **approval_message(self.ctx.config, request),
            )
        except SlackApiError as exc:
            log.warning(
                "could not update the approval message of %s: %s",
                request.id,
                exc.response.get("error"),
            )

    async def _update_result(
        self, client: AsyncWebClient, request: FixRequest, message: dict[str, Any] | None
    ) -> None:
        if message is None or not request.result_ts:
            return
        try:
            await client.chat_update(channel=request.channel_id, ts=request.result_ts, **message)
        except SlackApiError as exc:
            log.warning(
                "could not update the result message of %s: %s",
                request.id,
                exc.response.get("error"),
            )
