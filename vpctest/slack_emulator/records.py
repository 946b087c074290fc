"""What the emulator records: every call the bot made, and every payload Slack would reject."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Call:
    """One request to the emulator.

    `method` is the Web API method ("chat.postMessage"), "response_url" for a POST to a response
    URL, or "ack" for the body the bot acknowledged a command or view submission with.
    `payload` is the parsed request (token left out); `time` is `time.monotonic()`.
    """

    method: str
    payload: dict[str, Any]
    response: dict[str, Any]
    status: int
    time: float

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return None if self.ok else self.response.get("error", f"HTTP {self.status}")


@dataclass(frozen=True)
class Violation:
    """A payload Slack would refuse (invalid blocks or view, no text, text too long)."""

    method: str
    error: str
    messages: tuple[str, ...]
    payload: dict[str, Any]
    time: float
