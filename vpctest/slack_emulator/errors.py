"""The refusal Slack answers with: `{"ok": false, "error": ...}`."""

from __future__ import annotations

from typing import Any


class SlackError(Exception):
    """A Slack error code, the HTTP status it comes with, and any extra response fields.

    `violation` marks a refusal of the payload itself (Block Kit, missing text...), which the
    server also records in `violations`; `messages` are its reasons.
    """

    def __init__(
        self,
        error: str,
        status: int = 200,
        *,
        violation: bool = False,
        messages: list[str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(error if not messages else f"{error}: {'; '.join(messages)}")
        self.error = error
        self.status = status
        self.violation = violation
        self.messages = list(messages or [])
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body Slack answers with."""
        return {"ok": False, "error": self.error, **self.extra}


def invalid(error: str, messages: list[str], *, with_errors: bool = False) -> SlackError:
    """A payload refusal (`invalid_blocks`, `invalid_arguments`...) with Slack's reasons.

    Slack lists them in `response_metadata.messages`, and for blocks also in `errors`.
    """
    extra: dict[str, Any] = {"response_metadata": {"messages": [f"[ERROR] {m}" for m in messages]}}
    if with_errors:
        extra["errors"] = list(messages)
    return SlackError(error, violation=True, messages=messages, **extra)
