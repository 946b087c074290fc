"""Identifiers as Slack mints them: message timestamps, view ids, hashes, trigger ids."""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import dataclass

ALNUM = string.ascii_uppercase + string.digits


def random_id(prefix: str, length: int = 10) -> str:
    """`prefix` and `length` upper-case alphanumerics, like `V0123ABCDEF`."""
    return prefix + "".join(secrets.choice(ALNUM) for _ in range(length))


def view_hash() -> str:
    """A fresh `view.hash`, like `1700000000.a1b2c3d4`."""
    return f"{int(time.time())}.{secrets.token_hex(4)}"


def trigger_id() -> str:
    """A trigger id in Slack's `<digits>.<digits>.<hex>` shape."""
    return f"{secrets.randbelow(10**13)}.{secrets.randbelow(10**13)}.{secrets.token_hex(16)}"


class TsClock:
    """Message timestamps (`"1700000000.000100"`): wall-clock seconds, strictly increasing."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> str:
        micros = max(time.time_ns() // 1000, self._last + 1)
        self._last = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is in the emulated workspace, as auth.test reports it."""

    team_id: str = "T0TEAM0001"
    team_domain: str = "vpc-test"
    team_name: str = "VPC Test"
    user_id: str = "U0BOT00001"
    user_name: str = "vpc-test"
    bot_id: str = "B0BOT00001"
    app_id: str = "A0APP00001"
