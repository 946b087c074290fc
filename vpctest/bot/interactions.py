"""The ids Slack sends back when a user clicks or submits: one name each, used by the
listeners that handle them and the templates that draw them. The values are the contract
of docs/spec/bot.md; a template says `{{ ActionId.APPROVE|tojson }}`, never "approve"."""

from __future__ import annotations

from enum import StrEnum


class ActionId(StrEnum):
    """A button's `action_id`."""

    STEP_0 = "step_0"
    STEP_1 = "step_1"
    STEP_2 = "step_2"
    STEP_3 = "step_3"
    RERUN = "rerun"
    DETAILS = "details"
    ALL_PAGE = "all_page"
    DIGEST_RERUN = "digest_rerun"
    REQUEST_FIX = "request_fix"
    APPROVE = "approve"
    DENY = "deny"
    REVERT = "revert"

    @classmethod
    def step(cls, number: int) -> ActionId:
        """The button of troubleshooting step `number` (0 is the connectivity test)."""
        return cls(f"step_{number}")

    @classmethod
    def steps(cls) -> tuple[ActionId, ...]:
        return (cls.STEP_0, cls.STEP_1, cls.STEP_2, cls.STEP_3)


class CallbackId(StrEnum):
    """A modal's `callback_id`."""

    FIX_REQUEST = "fix_request"
    DENY_REASON = "deny_reason"


class InputId(StrEnum):
    """A modal input's `block_id`, which is also its element's `action_id`."""

    REASON = "reason"


class DigestBlock(StrEnum):
    """The `block_id` prefixes of a digest item: its line, and its buttons below it."""

    LINE = "line-"
    BUTTONS = "item-"


TEMPLATE_GLOBALS = {
    "ActionId": ActionId,
    "CallbackId": CallbackId,
    "InputId": InputId,
    "DigestBlock": DigestBlock,
}
