"""Modal views and the trigger ids that open them, as Slack keeps them."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vpctest.slack_emulator.errors import SlackError
from vpctest.slack_emulator.ids import BotIdentity, random_id, trigger_id, view_hash
from vpctest.slack_emulator.messages import stored_blocks

MAX_STACK = 3  # views.push: a modal stack holds at most three views


@dataclass
class Trigger:
    """A trigger id issued for one user's interaction; `view_id` when it came from a modal."""

    id: str
    user: str
    issued: float
    view_id: str | None = None
    exchanged: bool = False


class TriggerStore:
    """Single-use trigger ids that expire `ttl` seconds after they are issued."""

    def __init__(self, clock: Callable[[], float], ttl: float = 3.0) -> None:
        self.clock = clock
        self.ttl = ttl
        self._triggers: dict[str, Trigger] = {}

    def mint(self, user: str, view_id: str | None = None) -> str:
        trigger = Trigger(id=trigger_id(), user=user, issued=self.clock(), view_id=view_id)
        self._triggers[trigger.id] = trigger
        return trigger.id

    def exchange(self, trigger_id: str | None) -> Trigger:
        """Use the trigger once: `invalid_`, `exchanged_` or `expired_trigger_id` otherwise."""
        trigger = self._triggers.get(trigger_id or "")
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.exchanged:
            raise SlackError("exchanged_trigger_id")
        if self.clock() - trigger.issued > self.ttl:
            raise SlackError("expired_trigger_id")
        trigger.exchanged = True
        return trigger


@dataclass
class ViewRecord:
    """One modal view: its latest definition, hash, place in a stack and input state."""

    id: str
    user: str
    definition: dict[str, Any]
    hash: str
    root_view_id: str
    previous_view_id: str | None
    owner: BotIdentity
    is_open: bool = True
    state_values: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier payloads, oldest first

    @property
    def callback_id(self) -> str:
        return self.definition.get("callback_id", "")

    @property
    def external_id(self) -> str:
        return self.definition.get("external_id", "")

    def payload(self) -> dict[str, Any]:
        """The view object as Slack returns it (views.open, view_submission payloads)."""
        d = self.definition
        return {
            "id": self.id,
            "team_id": self.owner.team_id,
            "type": d.get("type", "modal"),
            "blocks": copy.deepcopy(d.get("blocks", [])),
            "private_metadata": d.get("private_metadata", ""),
            "callback_id": d.get("callback_id", ""),
            "state": {"values": copy.deepcopy(self.state_values)},
            "hash": self.hash,
            "title": copy.deepcopy(d.get("title")),
            "clear_on_close": bool(d.get("clear_on_close", False)),
            "notify_on_close": bool(d.get("notify_on_close", False)),
            "close": copy.deepcopy(d.get("close")),
            "submit": copy.deepcopy(d.get("submit")),
            "previous_view_id": self.previous_view_id,
            "root_view_id": self.root_view_id,
            "app_id": self.owner.app_id,
            "external_id": d.get("external_id", ""),
            "app_installed_team_id": self.owner.team_id,
            "bot_id": self.owner.bot_id,
        }


class ViewStore:
    """Every view opened, and the open stacks (root view id → view ids, bottom first)."""

    def __init__(self, owner: BotIdentity) -> None:
        self.owner = owner
        self.views: dict[str, ViewRecord] = {}
        self.stacks: dict[str, list[str]] = {}

    def open(self, user: str, definition: dict[str, Any]) -> ViewRecord:
        record = self._new(user, definition, root=None, previous=None)
        self.stacks[record.id] = [record.id]
        return record

    def push(self, user: str, definition: dict[str, Any], from_view: str | None) -> ViewRecord:
        """Push onto the stack holding `from_view` (else the user's latest open stack)."""
        stack = self._stack_of(from_view) if from_view else self._latest_stack(user)
        if stack is None:
            raise SlackError("not_found")
        if len(stack) >= MAX_STACK:
            raise SlackError("push_limit_reached")
        record = self._new(user, definition, root=stack[0], previous=stack[-1])
        stack.append(record.id)
        return record

    def get(self, view_id: str | None = None, external_id: str | None = None) -> ViewRecord:
        """An open view by id or external id, or `not_found`."""
        record = self.views.get(view_id or "") if view_id else None
        if external_id:
            record = next((v for v in self.views.values() if v.external_id == external_id), None)
        if record is None or not record.is_open:
            raise SlackError("not_found")
        return record

    def update(self, record: ViewRecord, definition: dict[str, Any], hash: str | None) -> None:
        """Replace the definition; `hash_conflict` when `hash` is not the current one."""
        if hash is not None and hash != record.hash:
            raise SlackError("hash_conflict")
        self._check_external_id(definition, record.id)
        record.history.append(record.payload())
        record.definition = self._stored(definition)
        record.hash = view_hash()

    def close(self, view_id: str, *, clear: bool = False) -> None:
        """Close a view and those above it; `clear` closes its whole stack."""
        stack = self._stack_of(view_id)
        if stack is None:
            return
        cut = 0 if clear else stack.index(view_id)
        for closed in stack[cut:]:
            self.views[closed].is_open = False
        del stack[cut:]
        if not stack:
            self.stacks = {root: s for root, s in self.stacks.items() if s}

    def for_user(self, user: str, open_only: bool = False) -> list[ViewRecord]:
        return [v for v in self.views.values() if v.user == user and (v.is_open or not open_only)]

    def _new(
        self, user: str, definition: dict[str, Any], root: str | None, previous: str | None
    ) -> ViewRecord:
        self._check_external_id(definition, None)
        view_id = random_id("V")
        record = ViewRecord(
            id=view_id,
            user=user,
            definition=self._stored(definition),
            hash=view_hash(),
            root_view_id=root or view_id,
            previous_view_id=previous,
            owner=self.owner,
        )
        self.views[view_id] = record
        return record

    def _check_external_id(self, definition: dict[str, Any], own_id: str | None) -> None:
        external_id = definition.get("external_id")
        if external_id and any(
            v.external_id == external_id and v.id != own_id for v in self.views.values()
        ):
            raise SlackError("duplicate_external_id")

    @staticmethod
    def _stored(definition: dict[str, Any]) -> dict[str, Any]:
        stored = copy.deepcopy(definition)
        stored["blocks"] = stored_blocks(stored.get("blocks"))
        return stored

    def _stack_of(self, view_id: str) -> list[str] | None:
        return next((s for s in self.stacks.values() if view_id in s), None)

    def _latest_stack(self, user: str) -> list[str] | None:
        stacks = [s for s in self.stacks.values() if s and self.views[s[0]].user == user]
        return stacks[-1] if stacks else None
