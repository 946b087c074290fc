"""Raw requests to the bot's events URL: any body, signed with the signing secret (or not),
with any headers. For what `SlackPlatform` will not send: malformed bodies, retries."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass
class Answer:
    status: int
    body: str


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 signature: HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


async def post(
    session: aiohttp.ClientSession,
    url: str,
    body: str | bytes,
    *,
    secret: str | None,
    content_type: str = FORM,
    timestamp: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Answer:
    """POST `body`; signed with `secret` over `timestamp` (default: now) unless it is None."""
    raw = body.encode() if isinstance(body, str) else body
    stamp = str(int(time.time())) if timestamp is None else timestamp
    sent = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp}
    if secret is not None:
        sent["X-Slack-Signature"] = signature(secret, stamp, raw)
    sent.update(headers or {})
    async with session.post(url, data=raw, headers=sent) as response:
        return Answer(response.status, await response.text())
