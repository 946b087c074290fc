"""What the listeners share: configuration and the services they hand work to."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from vpctest.bot.config import BotConfig
from vpctest.bot.diagnosis import DiagnosisService
from vpctest.bot.digest.live import Digests
from vpctest.bot.store import Database, Store

POST_FALLBACK_ERRORS = ("not_in_channel", "channel_not_found", "is_archived")


@dataclass
class BotContext:
    config: BotConfig
    diagnosis: DiagnosisService
    store: Store | None = None  # None: no database, so no fix requests and no audit
    digests: Digests | None = None  # set by serve(), or opened on the first digest command
    _opening: asyncio.Lock = field(
        default_factory=asyncio.Lock, init=False, repr=False, compare=False
    )

    @property
    def database(self) -> Database | None:
        """The bot's one database, which every store shares (the fix requests' is it)."""
        return self.store.db if self.store is not None else None

    async def open_digests(self, client: Any) -> Digests | None:
        """The bot's Digests (serve() starts them); opened on first use otherwise; None
        without a database."""
        if self.digests is None and self.database is not None:
            async with self._opening:
                if self.digests is None:
                    self.digests = await asyncio.to_thread(
                        Digests.open, self.config, self.database, self.diagnosis, client
                    )
        return self.digests


async def post_result(
    client: AsyncWebClient, respond: Any, channel_id: str, message: dict[str, Any]
) -> str | None:
    """Post in the channel; where the bot is not a member, answer through the response URL.
    The posted message's ts, or None when it went through the response URL."""
    try:
        posted = await client.chat_postMessage(channel=channel_id, **message)
    except SlackApiError as exc:
        if exc.response.get("error") not in POST_FALLBACK_ERRORS:
            raise
        await respond(response_type="in_channel", **message)
        return None
    return posted.get("ts")


async def replace_result(
    client: AsyncWebClient, respond: Any, channel_id: str, ts: str | None, message: dict[str, Any]
) -> None:
    """Rewrite what `post_result` posted: by its ts, or through the response URL."""
    if ts is None:
        await respond(response_type="in_channel", replace_original=True, **message)
    else:
        await client.chat_update(channel=channel_id, ts=ts, **message)
