"""Response URLs: minted per interaction, at most `max_uses` posts within `ttl` seconds."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from vpctest.slack_emulator.errors import SlackError


@dataclass
class ResponseUrl:
    """Where a response URL posts: its channel and user, and the message it came from, if any."""

    id: str
    channel: str
    user: str
    created: float
    message_ts: str | None = None
    ephemeral: bool = False  # the source message is ephemeral
    uses: int = 0


class ResponseUrlStore:
    def __init__(self, clock: Callable[[], float], ttl: float = 1800.0, max_uses: int = 5) -> None:
        self.clock = clock
        self.ttl = ttl
        self.max_uses = max_uses
        self._urls: dict[str, ResponseUrl] = {}

    def mint(
        self, channel: str, user: str, message_ts: str | None = None, ephemeral: bool = False
    ) -> ResponseUrl:
        url = ResponseUrl(
            id=secrets.token_urlsafe(18),
            channel=channel,
            user=user,
            created=self.clock(),
            message_ts=message_ts,
            ephemeral=ephemeral,
        )
        self._urls[url.id] = url
        return url

    def get(self, url_id: str) -> ResponseUrl:
        """The URL, or HTTP 404 `invalid_url`."""
        url = self._urls.get(url_id)
        if url is None:
            raise SlackError("invalid_url", status=404)
        return url

    def use(self, url_id: str) -> ResponseUrl:
        """Count one use: HTTP 404 `expired_url` after `ttl`, `used_url` after `max_uses`."""
        url = self.get(url_id)
        if self.clock() - url.created > self.ttl:
            raise SlackError("expired_url", status=404)
        if url.uses >= self.max_uses:
            raise SlackError("used_url", status=404)
        url.uses += 1
        return url
