"""What the page is told about each request it had sent to the bot, in words for the person."""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp

from vpctest.slack_emulator.client import ACK_DEADLINE, Delivery

KEEP = 50
_ids = itertools.count(1)


@dataclass
class Sent:
    """One request the playground sent the bot, as the Requests tab lists it."""

    id: int
    kind: str
    user: str
    summary: str
    status: int | None
    elapsed_ms: int | None
    late: bool
    ok: bool
    error: str | None
    ack: Any = None

    def json(self) -> dict[str, Any]:
        return asdict(self)


class Deliveries:
    """The last `KEEP` requests sent to the bot."""

    def __init__(self, events_url: str) -> None:
        self.events_url = events_url
        self._sent: deque[Sent] = deque(maxlen=KEEP)

    def json(self) -> list[dict[str, Any]]:
        return [s.json() for s in self._sent]

    def answered(self, delivery: Delivery, user: str, summary: str) -> Sent:
        error = None
        if not delivery.ok:
            error = (
                f"The bot refused the request: HTTP {delivery.status}"
                + (f" ({delivery.body.strip()[:200]})" if delivery.body.strip() else "")
                + f". {consequence(delivery.kind)}"
            )
        elif delivery.late:
            error = (
                f"The bot took {delivery.elapsed:.1f} s to acknowledge. Slack waits "
                f"{ACK_DEADLINE:.0f} seconds, then shows “operation_timeout” and drops the "
                "acknowledgement; anything the bot posts later still arrives."
            )
        sent = Sent(
            id=next(_ids),
            kind=delivery.kind,
            user=user,
            summary=summary,
            status=delivery.status,
            elapsed_ms=round(delivery.elapsed * 1000),
            late=delivery.late,
            ok=error is None,
            error=error,
            ack=delivery.ack,
        )
        self._sent.append(sent)
        return sent

    def failed(self, kind: str, user: str, summary: str, exc: BaseException) -> Sent:
        """The request never got an answer: the bot is down, or hung past our timeout."""
        if isinstance(exc, TimeoutError):
            why = "it did not answer at all"
        elif isinstance(exc, aiohttp.ClientConnectorError):
            refused = isinstance(exc.os_error, ConnectionRefusedError)
            why = "nothing listens there" + ("" if refused else f" ({exc.os_error})")
        else:
            why = f"{type(exc).__name__}: {exc}"
        error = f"The bot is not answering at {self.events_url}: {why}. {consequence(kind)}"
        sent = Sent(next(_ids), kind, user, summary, None, None, False, False, error)
        self._sent.append(sent)
        return sent


def consequence(kind: str) -> str:
    """What a Slack user would see when the bot fails to acknowledge this kind of request."""
    if kind == "slash_command":
        return "In Slack the user would see: failed with the error “dispatch_failed”."
    if kind == "view_submission":
        return "In Slack the modal would stay open with “We had some trouble connecting”."
    return "In Slack the button would show a warning and nothing else would happen."
