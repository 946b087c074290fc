"""Reading Slack's payloads: the only code that looks inside one.

bot/inbound.py has already refused bodies of the wrong shape (an id that is not a string,
a `view` that is not an object), so these read fields defensively but need not re-check
every type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vpctest.bot.guard import Actor
from vpctest.bot.interactions import DigestBlock, InputId


def _field(body: dict[str, Any], name: str, key: str) -> str:
    """`body[name][key]` when it is a string, else ""."""
    part = body.get(name)
    value = part.get(key) if isinstance(part, dict) else None
    return value if isinstance(value, str) else ""


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    return value if isinstance(value, str) else ""


def actor_of(body: dict[str, Any]) -> Actor:
    """The workspace, user and channel of a slash command or an interaction payload."""
    return Actor(
        team_id=_text(body, "team_id")
        or _field(body, "team", "id")
        or _field(body, "user", "team_id"),
        user_id=_text(body, "user_id") or _field(body, "user", "id"),
        channel_id=_text(body, "channel_id") or _field(body, "channel", "id"),
    )


def kind_of(body: dict[str, Any]) -> str:
    """`slash_command`, or the interaction's type (`block_actions`, `view_submission`, …)."""
    if "command" in body:
        return "slash_command"
    return _text(body, "type")


def trigger_id(body: dict[str, Any]) -> str:
    """What opens a modal in answer to this request (valid for 3 seconds)."""
    return _text(body, "trigger_id")


def action_value(body: dict[str, Any]) -> str | None:
    """The clicked button's `value`."""
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else None
    value = action.get("value") if isinstance(action, dict) else None
    return value if isinstance(value, str) else None


def view_metadata(body: dict[str, Any]) -> str:
    """A submitted modal's `private_metadata`."""
    return _field(body, "view", "private_metadata")


def submitted_reason(view: dict[str, Any]) -> str:
    """What the user typed in a modal's reason input ("" when left empty)."""
    values = (view.get("state") or {}).get("values") or {}
    element = (values.get(InputId.REASON) or {}).get(InputId.REASON) or {}
    value = element.get("value") if isinstance(element, dict) else None
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class Origin:
    """The message a button was clicked on: its channel and ts (None when not known)."""

    channel_id: str
    message_ts: str | None


def origin_of(body: dict[str, Any], actor: Actor) -> Origin:
    return Origin(
        _field(body, "container", "channel_id") or actor.channel_id,
        _field(body, "container", "message_ts") or None,
    )


@dataclass(frozen=True)
class DigestMessage:
    """A digest page as the clicker sees it, and which of its lines the button belongs to."""

    text: str
    blocks: list[dict[str, Any]]
    line_block_id: str

    def with_line(self, text: str) -> dict[str, Any] | None:
        """The message with the button's line rewritten to `text`; None if it has no such
        line (the button is not on a digest)."""
        found = False
        blocks = []
        for block in self.blocks:
            is_line = block.get("type") == "section" and block.get("block_id") == self.line_block_id
            if self.line_block_id and is_line and not found:
                block, found = {**block, "text": {"type": "mrkdwn", "text": text}}, True
            blocks.append(block)
        return {"text": self.text or "vpc-test digest", "blocks": blocks} if found else None


def digest_message_of(body: dict[str, Any], action: dict[str, Any]) -> DigestMessage:
    message = body.get("message") or {}
    blocks = message.get("blocks") if isinstance(message, dict) else None
    block_id = action.get("block_id")
    line = ""  # not a digest item's button: no line to rewrite
    if isinstance(block_id, str) and block_id.startswith(DigestBlock.BUTTONS):
        line = DigestBlock.LINE + block_id.removeprefix(DigestBlock.BUTTONS)
    return DigestMessage(
        text=_text(message, "text") if isinstance(message, dict) else "",
        blocks=[b for b in blocks if isinstance(b, dict)] if isinstance(blocks, list) else [],
        line_block_id=line,
    )
