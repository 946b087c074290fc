"""The requests Slack sends an app: slash commands and interaction payloads, field for field."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from vpctest.slack_emulator.ids import BotIdentity

VERIFICATION_TOKEN = "emulator-verification-token"  # the legacy `token` field Slack still sends


def team(identity: BotIdentity) -> dict[str, str]:
    return {"id": identity.team_id, "domain": identity.team_domain}


def user_ref(user: Mapping[str, Any], identity: BotIdentity) -> dict[str, str]:
    """The `user` of an interaction payload."""
    return {
        "id": user["id"],
        "username": user["name"],
        "name": user["name"],
        "team_id": identity.team_id,
    }


def action_ts() -> str:
    return f"{time.time():.6f}"


def slash_command(
    identity: BotIdentity,
    *,
    command: str,
    text: str,
    user: Mapping[str, Any],
    channel: Mapping[str, Any],
    response_url: str,
    trigger_id: str,
) -> dict[str, str]:
    """The form fields of a slash command request."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": identity.team_id,
        "team_domain": identity.team_domain,
        "channel_id": channel["id"],
        "channel_name": channel.get("name") or "directmessage",
        "user_id": user["id"],
        "user_name": user["name"],
        "command": command,
        "text": text,
        "api_app_id": identity.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def button_action(element: Mapping[str, Any], block_id: str, value: str | None) -> dict[str, Any]:
    """One entry of `actions` for a clicked element (a button, or a select/overflow choice)."""
    action: dict[str, Any] = {
        "action_id": element["action_id"],
        "block_id": block_id,
        "type": element["type"],
        "action_ts": action_ts(),
    }
    if element["type"] == "button":
        action["text"] = element.get("text")
        if value is not None:
            action["value"] = value
        if "style" in element:
            action["style"] = element["style"]
    else:
        options = element.get("options") or []
        chosen = next((o for o in options if o.get("value") == value), None)
        action["selected_option"] = chosen
    return action


def block_actions(
    identity: BotIdentity,
    *,
    user: Mapping[str, Any],
    action: dict[str, Any],
    trigger_id: str,
    message: Mapping[str, Any] | None = None,
    channel: Mapping[str, Any] | None = None,
    message_ts: str | None = None,
    ephemeral: bool = False,
    response_url: str | None = None,
    view: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A block_actions payload, from a message (channel + ts) or from a view."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": user_ref(user, identity),
        "api_app_id": identity.app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "team": team(identity),
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view["id"]}
        payload["view"] = dict(view)
        payload["state"] = view["state"]
        return payload
    assert channel is not None and message_ts is not None
    payload["container"] = {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel["id"],
        "is_ephemeral": ephemeral,
    }
    payload["channel"] = {"id": channel["id"], "name": channel.get("name") or "directmessage"}
    if message is not None and not ephemeral:
        payload["message"] = dict(message)
    payload["state"] = {"values": {}}
    payload["response_url"] = response_url
    return payload


def view_submission(
    identity: BotIdentity, *, user: Mapping[str, Any], view: Mapping[str, Any], trigger_id: str
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": team(identity),
        "user": user_ref(user, identity),
        "api_app_id": identity.app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": dict(view),
        "response_urls": [],
        "enterprise": None,
        "is_enterprise_install": False,
    }


def view_closed(
    identity: BotIdentity, *, user: Mapping[str, Any], view: Mapping[str, Any], cleared: bool
) -> dict[str, Any]:
    return {
        "type": "view_closed",
        "team": team(identity),
        "user": user_ref(user, identity),
        "api_app_id": identity.app_id,
        "token": VERIFICATION_TOKEN,
        "view": dict(view),
        "is_cleared": cleared,
        "enterprise": None,
        "is_enterprise_install": False,
    }


def event_callback(
    identity: BotIdentity, event: Mapping[str, Any], event_id: str
) -> dict[str, Any]:
    """An Events API envelope around `event`."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": identity.team_id,
        "api_app_id": identity.app_id,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": identity.team_id,
                "user_id": identity.user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
