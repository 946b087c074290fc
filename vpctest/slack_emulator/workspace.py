"""One emulated workspace: the stores, and the rules shared by the Web API, response URLs and acks.

Not thread-safe by itself: SlackServer serializes access with a lock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from vpctest.slack_emulator.blockkit import ActionIdScope, message_errors, view_errors
from vpctest.slack_emulator.directory import Directory
from vpctest.slack_emulator.errors import SlackError, invalid
from vpctest.slack_emulator.ids import BotIdentity
from vpctest.slack_emulator.messages import Message, MessageStore
from vpctest.slack_emulator.response_urls import ResponseUrl, ResponseUrlStore
from vpctest.slack_emulator.views import TriggerStore, ViewRecord, ViewStore

RESPONSE_ACTIONS = {"errors", "update", "push", "clear"}


class Workspace:
    def __init__(
        self,
        identity: BotIdentity,
        directory: Directory,
        *,
        clock: Callable[[], float],
        trigger_ttl: float = 3.0,
        response_url_ttl: float = 1800.0,
        response_url_uses: int = 5,
        action_id_scope: ActionIdScope = "message",
    ) -> None:
        self.identity = identity
        self.directory = directory
        if identity.user_id not in directory.users:
            bot = {"id": identity.user_id, "name": identity.user_name, "is_bot": True}
            directory.add_user({**bot, "profile": {"bot_id": identity.bot_id}})
        self.messages = MessageStore(identity)
        self.views = ViewStore(identity)
        self.triggers = TriggerStore(clock, trigger_ttl)
        self.response_urls = ResponseUrlStore(clock, response_url_ttl, response_url_uses)
        self.action_id_scope: ActionIdScope = action_id_scope

    # --- payload rules ------------------------------------------------------------------------

    def checked_message(self, args: dict[str, Any]) -> tuple[str | None, list[Any] | None]:
        """(text, blocks) of a message payload, or the refusal Slack answers it with."""
        text, blocks = args.get("text"), decoded(args.get("blocks"), "invalid_blocks_format")
        if not text and not blocks and not args.get("attachments"):
            raise invalid("no_text", ["no text or blocks"])
        errors = message_errors(text, blocks, action_id_scope=self.action_id_scope)
        if any(e.endswith("[json-pointer:/text]") for e in errors):
            raise invalid("msg_too_long", errors)
        if errors:
            raise invalid("invalid_blocks", errors, with_errors=True)
        return text, blocks

    def checked_view(self, view: Any) -> dict[str, Any]:
        """A modal definition Slack would accept, or `invalid_arguments` with the reasons."""
        view = decoded(view, "invalid_arguments")
        if view is None:
            raise invalid("invalid_arguments", ["missing required field: view"])
        errors = view_errors(view, action_id_scope=self.action_id_scope)
        if errors:
            raise invalid("invalid_arguments", errors)
        return view

    # --- responses outside the Web API ----------------------------------------------------------

    def respond(self, url: ResponseUrl, body: Any) -> Message | None:
        """Apply a response URL post (or a command's ack body) as Slack does."""
        if not isinstance(body, dict):
            raise invalid("invalid_payload", ["must be a JSON object"])
        source = self._source(url)
        if body.get("delete_original"):
            if source is not None:
                self.messages.delete(source)
            return None
        text, blocks = self.checked_message(body)
        if body.get("replace_original") and source is not None:
            return self.messages.update(source, text or "", blocks or [])
        ephemeral = body.get("response_type", "ephemeral") != "in_channel"
        return self.messages.post(
            url.channel,
            text or "",
            blocks,
            ephemeral_to=url.user if ephemeral else None,
            thread_ts=body.get("thread_ts"),
        )

    def apply_view_ack(self, view_id: str, body: Any) -> ViewRecord | None:
        """What Slack does with a view_submission's ack: close, show errors, update, push, clear."""
        body = body if isinstance(body, dict) else {}
        action = body.get("response_action")
        record = self.views.views[view_id]
        if action is None:
            self.views.close(view_id)
            return None
        if action not in RESPONSE_ACTIONS:
            raise invalid("invalid_arguments", [f"unknown response_action: {action}"])
        if action == "clear":
            self.views.close(view_id, clear=True)
            return None
        if action == "errors":
            if not isinstance(body.get("errors"), dict) or not body["errors"]:
                raise invalid("invalid_arguments", ["errors must be a non-empty object"])
            return record
        view = self.checked_view(body.get("view"))
        if action == "update":
            self.views.update(record, view, None)
            return record
        return self.views.push(record.user, view, view_id)

    def _source(self, url: ResponseUrl) -> Message | None:
        if url.message_ts is None:
            return None
        try:
            return self.messages.get(url.channel, url.message_ts, ephemeral=url.ephemeral)
        except SlackError:
            return None


def decoded(value: Any, error: str) -> Any:
    """A JSON field that form-encoded requests carry as a string, decoded."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise invalid(error, ["must be valid JSON"]) from None
