"""What fix requests look like in Slack: the request modal and the approval message."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vpctest.bot import render
from vpctest.bot.config import BotConfig
from vpctest.bot.presenters import clip, escape
from vpctest.bot.refs import RequestRef
from vpctest.bot.store import FixRequest, State
from vpctest.diagnostics.fixes import Fix, FixError, Wording

STATE_HEADERS = {
    State.PENDING: ":hourglass_flowing_sand: waiting for an approver",
    State.APPLYING: ":gear: applying",
    State.APPLIED: ":white_check_mark: applied",
    State.APPLY_FAILED: ":x: could not be applied",
    State.DENIED: ":no_entry: denied",
    State.EXPIRED: ":clock3: expired",
    State.REVERTING: ":gear: reverting",
    State.REVERTED: ":leftwards_arrow_with_hook: reverted",
}


def change_fields(fix: Fix) -> list[str]:
    """The exact change, field by field."""
    return [
        f"*{field.label.render()}*\n"
        + (f"`{field.rendered()}`" if field.literal else field.rendered())
        for field in fix.fields()
    ]


def change_line(request: FixRequest) -> str:
    """The request's change in a line; what is wrong with it when it cannot be read."""
    try:
        return request.fix.describe(Wording.MRKDWN).render()
    except FixError as exc:
        return f":warning: {escape(str(exc))}"


def approvers_text(config: BotConfig) -> str:
    people = [f"<@{u}>" for u in config.approvers] + [
        f"<!subteam^{g}>" for g in config.approver_groups
    ]
    return "Approvers: " + (", ".join(people) or "none configured")


def fix_modal(
    config: BotConfig, metadata: str, access_name: str, check_id: str, fix: Fix
) -> dict[str, Any]:
    return render.modal(
        "fix_modal.json.j2",
        metadata=metadata,
        intro=clip(
            f"Fix `{check_id}` for *{escape(access_name)}*. An approver must approve it.", 3000
        ),
        change=change_fields(fix),
        approvers=approvers_text(config),
    )


def slack_date(moment: datetime | None) -> str:
    """A date Slack shows in each reader's time zone, with a UTC fallback."""

    if moment is None:
        return ""
    fallback = f"{moment:%Y-%m-%d %H:%M} UTC"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def status_line(request: FixRequest) -> str:
    """Who decided, when, and what the re-test found."""
    parts = [f"Requested by <@{request.requester_id}> {slack_date(request.created_at)}"]
    if request.state == State.PENDING:
        parts.append(f"expires {slack_date(request.expires_at)}")
    if request.decided_by:
        verb = "Denied" if request.state == State.DENIED else "Approved"
        parts.append(f"{verb} by <@{request.decided_by}> {slack_date(request.decided_at)}")
    if request.decision_reason:
        parts.append(f"reason: {escape(request.decision_reason)}")
    if request.reverted_by:
        parts.append(f"reverted by <@{request.reverted_by}> {slack_date(request.reverted_at)}")
    if request.verdict_after:
        parts.append(f"re-test: *{request.verdict_after}*")
    if request.error:
        parts.append(f"error: {escape(request.error)}")
    return clip(" · ".join(parts), 3000)


def approval_message(config: BotConfig, request: FixRequest) -> dict[str, Any]:
    name = request.vpc_access_name or request.vpc_access_id
    header = f"Fix {request.id} — {STATE_HEADERS[request.state]}"
    return render.message(
        "approval.json.j2",
        fallback=escape(f"Fix request {request.id} for {name}: {request.state.value}"),
        header=clip(header, 150),
        fields=[
            f"*Authorization*\n{escape(name)} (`{request.vpc_access_id}`)",
            f"*Check*\n`{request.check_id}`",
            f"*Reason*\n{escape(clip(request.reason or '—', 1900))}",
            f"*Approvers*\n{approvers_text(config).removeprefix('Approvers: ')}",
        ],
        change=clip(change_line(request), 3000),
        status=status_line(request),
        pending=request.state == State.PENDING,
        revertible=request.state == State.APPLIED
        and bool(request.applied_fix and request.applied_fix.changed),
        value=RequestRef(request.id).encode(),
        confirm=clip(change_line(request), 300),
    )
