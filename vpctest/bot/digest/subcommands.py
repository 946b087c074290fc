"""`/vpc-test digest …` words → a typed digest command, or DigestCommandError.

digest add [#channel] daily|weekdays|hourly|CRON [HH:MM] [TZ] [--gateway ID] [--only-changes]
digest list
digest remove ID
digest run ID
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from vpctest.bot.digest.schedule import Schedule, ScheduleError, parse_schedule

USAGE = (
    '`/vpc-test digest add [#channel] daily|weekdays|hourly|"CRON" [HH:MM] [TZ] '
    "[--gateway ID] [--only-changes]` post a health digest on a schedule\n"
    "`/vpc-test digest list` · `digest remove ID` · `digest run ID` (now)"
)
ID_PREFIX = "DG-"
# Slack writes a linked channel as <#C123|name> (or <#C123|> / <#C123>).
_LINKED = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$")
_BARE = re.compile(r"^[CG][A-Z0-9]{6,}$")
_ID = re.compile(r"^DG-[0-9A-Z]{4,8}$")


class DigestCommandError(ValueError):
    """Malformed `digest …` text; the message says what is accepted."""


@dataclass(frozen=True)
class DigestAdd:
    """Subscribe `channel` (None: the channel the command came from)."""

    schedule: Schedule
    channel: str | None = None
    gateway: str | None = None
    only_changes: bool = False


@dataclass(frozen=True)
class DigestList:
    pass


@dataclass(frozen=True)
class DigestRemove:
    id: str


@dataclass(frozen=True)
class DigestRun:
    id: str


DigestCommand = DigestAdd | DigestList | DigestRemove | DigestRun


def parse_digest_command(words: Sequence[str]) -> DigestCommand:
    """The words after `digest` → a command; DigestCommandError says what is wrong."""
    if not words:
        raise DigestCommandError(f"digest needs add, list, remove or run:\n{USAGE}")
    verb, tail = words[0].lower(), list(words[1:])
    if verb == "list":
        if tail:
            raise DigestCommandError("digest list takes no arguments")
        return DigestList()
    if verb in ("remove", "run"):
        if len(tail) != 1:
            raise DigestCommandError(f"digest {verb} takes one digest ID, such as DG-7Q2K")
        digest_id = normalize_digest_id(tail[0])
        return DigestRemove(digest_id) if verb == "remove" else DigestRun(digest_id)
    if verb == "add":
        return _add(tail)
    raise DigestCommandError(f"unknown digest command {words[0]!r}: use add, list, remove or run")


def normalize_digest_id(text: str) -> str:
    """`text` as stored (upper case, DG- prefix), or DigestCommandError."""
    digest_id = text.strip().upper()
    if not digest_id.startswith(ID_PREFIX):
        digest_id = ID_PREFIX + digest_id
    if not _ID.match(digest_id):
        raise DigestCommandError(f"{text!r} is not a digest ID: they look like DG-7Q2K")
    return digest_id


def channel_id(text: str) -> str | None:
    """The channel ID in `<#C123|name>` or `C123`, or None if `text` is neither."""
    linked = _LINKED.match(text)
    if linked:
        return linked[1]
    return text if _BARE.match(text) else None


def _add(words: list[str]) -> DigestAdd:
    gateway: str | None = None
    only_changes = False
    rest: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--only-changes":
            only_changes = True
        elif word == "--gateway" or word.startswith("--gateway="):
            if "=" in word:
                gateway = word.split("=", 1)[1]
            elif i + 1 < len(words) and not words[i + 1].startswith("--"):
                gateway = words[i + 1]
                i += 1
            if not gateway:
                raise DigestCommandError("--gateway needs an API Gateway instance ID")
        elif word.startswith("--"):
            raise DigestCommandError(
                f"unknown option {word}: digest add takes --gateway ID and --only-changes"
            )
        else:
            rest.append(word)
        i += 1
    channel: str | None = None
    if rest and (found := channel_id(rest[0])) is not None:
        channel, rest = found, rest[1:]
    elif rest and rest[0].startswith(("#", "<#")):
        raise DigestCommandError(
            f"cannot tell which channel {rest[0]!r} is: pick it from Slack's #-list so it is "
            "linked, or give its ID (C…); leave it out for this channel"
        )
    try:
        schedule = parse_schedule(rest)
    except ScheduleError as exc:
        raise DigestCommandError(str(exc)) from None
    return DigestAdd(schedule, channel, gateway, only_changes)
