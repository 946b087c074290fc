"""Messages as Slack keeps them: per channel, keyed by `ts`, with their edit history."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from vpctest.slack_emulator.errors import SlackError
from vpctest.slack_emulator.ids import BotIdentity, TsClock, random_id

INTERACTIVE_HOLDERS = {"section", "actions", "input", "context_actions"}
NOT_INTERACTIVE = {"image", "plain_text", "mrkdwn"}


@dataclass
class Message:
    """One message; `ephemeral_to` is set for an ephemeral one (seen by that user only)."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    author: BotIdentity
    ephemeral_to: str | None = None
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    edited_ts: str | None = None
    deleted: bool = False
    versions: list[dict[str, Any]] = field(default_factory=list)  # earlier payloads, oldest first

    def payload(self) -> dict[str, Any]:
        """The message object as Slack returns it (chat.postMessage, block_actions payloads)."""
        message: dict[str, Any] = {
            "type": "message",
            "user": self.author.user_id,
            "bot_id": self.author.bot_id,
            "app_id": self.author.app_id,
            "team": self.author.team_id,
            "text": self.text,
            "ts": self.ts,
        }
        if self.blocks:
            message["blocks"] = copy.deepcopy(self.blocks)
        if self.thread_ts:
            message["thread_ts"] = self.thread_ts
        if self.metadata:
            message["metadata"] = copy.deepcopy(self.metadata)
        if self.edited_ts:
            message["edited"] = {"user": self.author.user_id, "ts": self.edited_ts}
        return message


def stored_blocks(blocks: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """A deep copy of `blocks` with the block_ids and action_ids Slack fills in when absent."""
    stored = copy.deepcopy(blocks or [])
    for block in stored:
        block.setdefault("block_id", random_id("", 5))
        for element in interactive_elements(block):
            element.setdefault("action_id", random_id("", 5))
    return stored


def interactive_elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    """The interactive elements a block holds (accessory, input element, actions elements)."""
    if block.get("type") not in INTERACTIVE_HOLDERS:
        return []
    found = [block.get("accessory"), block.get("element"), *(block.get("elements") or [])]
    return [e for e in found if isinstance(e, dict) and e.get("type") not in NOT_INTERACTIVE]


class MessageStore:
    """All messages, in posting order; ts values are unique across the workspace."""

    def __init__(self, author: BotIdentity) -> None:
        self.author = author
        self.clock = TsClock()
        self._messages: dict[tuple[str, str], Message] = {}

    def post(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None,
        *,
        ephemeral_to: str | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Message:
        message = Message(
            channel=channel,
            ts=self.clock.next(),
            text=text,
            blocks=stored_blocks(blocks),
            author=self.author,
            ephemeral_to=ephemeral_to,
            thread_ts=thread_ts,
            metadata=copy.deepcopy(metadata),
        )
        self._messages[(channel, message.ts)] = message
        return message

    def get(self, channel: str, ts: str, *, ephemeral: bool = False) -> Message:
        """The live message, or `message_not_found` (also for ephemeral ones unless asked)."""
        message = self._messages.get((channel, ts))
        if message is None or message.deleted or bool(message.ephemeral_to) != ephemeral:
            raise SlackError("message_not_found")
        return message

    def find(self, ts: str) -> Message | None:
        """The message with this ts in any channel, deleted or not."""
        return next((m for (_, t), m in self._messages.items() if t == ts), None)

    def update(
        self,
        message: Message,
        text: str | None,
        blocks: list[dict[str, Any]] | None,
        metadata: dict[str, Any] | None = None,
    ) -> Message:
        """Replace text and/or blocks; what is not given is kept, as chat.update does."""
        message.versions.append(message.payload())
        if text is not None:
            message.text = text
        if blocks is not None:
            message.blocks = stored_blocks(blocks)
        if metadata is not None:
            message.metadata = copy.deepcopy(metadata)
        message.edited_ts = self.clock.next()
        return message

    def delete(self, message: Message) -> None:
        message.versions.append(message.payload())
        message.deleted = True

    def all(self) -> list[Message]:
        return list(self._messages.values())
