"""The Web API methods the bot calls, over a Workspace: `METHODS[name](workspace, args)`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vpctest.slack_emulator.errors import SlackError, invalid
from vpctest.slack_emulator.workspace import Workspace, decoded

Handler = Callable[[Workspace, dict[str, Any]], dict[str, Any]]


def required(args: dict[str, Any], *names: str) -> None:
    missing = [name for name in names if not args.get(name)]
    if missing:
        raise invalid("invalid_arguments", [f"missing required field: {n}" for n in missing])


def auth_test(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    me = ws.identity
    return {
        "url": f"https://{me.team_domain}.slack.com/",
        "team": me.team_name,
        "user": me.user_name,
        "team_id": me.team_id,
        "user_id": me.user_id,
        "bot_id": me.bot_id,
        "app_id": me.app_id,
        "is_enterprise_install": False,
    }


def chat_post_message(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.directory.channel(args.get("channel") or "")["id"]
    text, blocks = ws.checked_message(args)
    message = ws.messages.post(
        channel,
        text or "",
        blocks,
        thread_ts=args.get("thread_ts"),
        metadata=decoded(args.get("metadata"), "invalid_metadata_format"),
    )
    return {"channel": channel, "ts": message.ts, "message": message.payload()}


def chat_post_ephemeral(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.directory.channel(args.get("channel") or "")["id"]
    try:
        user = ws.directory.user(args.get("user") or "")["id"]
    except SlackError:
        raise SlackError("user_not_in_channel") from None
    text, blocks = ws.checked_message(args)
    message = ws.messages.post(
        channel, text or "", blocks, ephemeral_to=user, thread_ts=args.get("thread_ts")
    )
    return {"message_ts": message.ts}


def chat_update(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.directory.channel(args.get("channel") or "")["id"]
    message = ws.messages.get(channel, args.get("ts") or "")
    text, blocks = ws.checked_message(args)
    ws.messages.update(message, text, blocks, decoded(args.get("metadata"), "invalid_metadata"))
    return {
        "channel": channel,
        "ts": message.ts,
        "text": message.text,
        "message": message.payload(),
    }


def chat_delete(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.directory.channel(args.get("channel") or "")["id"]
    ws.messages.delete(ws.messages.get(channel, args.get("ts") or ""))
    return {"channel": channel, "ts": args["ts"]}


def views_open(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view = ws.checked_view(args.get("view"))
    trigger = ws.triggers.exchange(args.get("trigger_id") or args.get("interactivity_pointer"))
    return {"view": ws.views.open(trigger.user, view).payload()}


def views_push(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view = ws.checked_view(args.get("view"))
    trigger = ws.triggers.exchange(args.get("trigger_id") or args.get("interactivity_pointer"))
    return {"view": ws.views.push(trigger.user, view, trigger.view_id).payload()}


def views_update(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    if not args.get("view_id") and not args.get("external_id"):
        raise invalid("invalid_arguments", ["missing required field: view_id or external_id"])
    view = ws.checked_view(args.get("view"))
    record = ws.views.get(args.get("view_id"), args.get("external_id"))
    ws.views.update(record, view, args.get("hash"))
    return {"view": record.payload()}


def users_info(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {"user": ws.directory.user(args.get("user") or "")}


def usergroups_users_list(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    required(args, "usergroup")
    return {"users": ws.directory.usergroup_members(args["usergroup"])}


def conversations_info(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {"channel": ws.directory.channel(args.get("channel") or "")}


METHODS: dict[str, Handler] = {
    "auth.test": auth_test,
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "users.info": users_info,
    "usergroups.users.list": usergroups_users_list,
    "conversations.info": conversations_info,
}
