"""What a state transition returns: done, or refused with the reason the user is told."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from vpctest.bot.store.models import FixRequest, State


class Refusal(StrEnum):
    """Why a transition did not happen; `text` is a plain phrase for the user."""

    NOT_FOUND = "not_found"
    EXPIRED = "expired"
    NOT_DECIDED = "not_decided"  # still pending: nothing applied yet
    APPLYING = "applying"  # someone approved it; the fix is being applied
    APPLIED = "applied"
    APPLY_FAILED = "apply_failed"
    DENIED = "denied"
    REVERTING = "reverting"
    REVERTED = "reverted"

    @property
    def text(self) -> str:
        return _TEXT[self]

    @classmethod
    def for_state(cls, state: State) -> Refusal:
        """The refusal a request in `state` gives a transition that needs another state."""
        return _BY_STATE[state]


_TEXT = {
    Refusal.NOT_FOUND: "there is no such fix request",
    Refusal.EXPIRED: "this fix request has expired",
    Refusal.NOT_DECIDED: "this fix request has not been approved yet",
    Refusal.APPLYING: "this fix is already being applied",
    Refusal.APPLIED: "this fix has already been applied",
    Refusal.APPLY_FAILED: "applying this fix failed; request it again",
    Refusal.DENIED: "this fix request was denied",
    Refusal.REVERTING: "this fix is already being reverted",
    Refusal.REVERTED: "this fix has already been reverted",
}
_BY_STATE = {
    State.PENDING: Refusal.NOT_DECIDED,
    State.APPLYING: Refusal.APPLYING,
    State.APPLIED: Refusal.APPLIED,
    State.APPLY_FAILED: Refusal.APPLY_FAILED,
    State.DENIED: Refusal.DENIED,
    State.EXPIRED: Refusal.EXPIRED,
    State.REVERTING: Refusal.REVERTING,
    State.REVERTED: Refusal.REVERTED,
}


@dataclass(frozen=True)
class Done:
    """The transition happened; `request` is the row as it now stands."""

    request: FixRequest
    ok: ClassVar[bool] = True


@dataclass(frozen=True)
class Refused:
    """Nothing changed (except, for a pending request past its time, expiry).

    `request` is the row as it now stands, None when there is no such request.
    """

    reason: Refusal
    request: FixRequest | None
    ok: ClassVar[bool] = False


Outcome = Done | Refused
