"""`/vpc-test` text → a typed command, or a usage error to show the user."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from vpctest.bot.digest.subcommands import USAGE as DIGEST_USAGE
from vpctest.bot.digest.subcommands import (
    DigestAdd,
    DigestCommandError,
    DigestList,
    DigestRemove,
    DigestRun,
    parse_digest_command,
)

USAGE = (
    "*Usage*\n"
    "`/vpc-test NAME|ID [--gateway ID] [--probe]` diagnose one authorization\n"
    "`/vpc-test all [--gateway ID]` diagnose every authorization\n"
    "`/vpc-test list [filter]` list authorizations with their target and port\n"
    "`/vpc-test audit` the latest fix requests and decisions\n"
    f"{DIGEST_USAGE}\n"
    "`/vpc-test help` this help"
)


class CommandError(ValueError):
    """The command text is malformed; the message says what was wrong."""


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class ListAccesses:
    filter: str = ""


@dataclass(frozen=True)
class Check:
    target: str
    gateway: str | None = None
    probe: bool = False


@dataclass(frozen=True)
class CheckAll:
    gateway: str | None = None


@dataclass(frozen=True)
class Audit:
    pass


Command = (
    Help
    | ListAccesses
    | Check
    | CheckAll
    | Audit
    | DigestAdd
    | DigestList
    | DigestRemove
    | DigestRun
)
# Phones and some keyboards turn typed quotes into curly ones; shlex needs straight quotes.
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def _options(words: list[str]) -> tuple[list[str], str | None, bool]:
    """Split off `--gateway ID` and `--probe`; return (the rest, gateway, probe)."""
    rest: list[str] = []
    gateway: str | None = None
    probe = False
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--gateway" or word.startswith("--gateway="):
            if "=" in word:
                gateway = word.split("=", 1)[1]
            elif i + 1 < len(words):
                gateway = words[i + 1]
                i += 1
            if not gateway:
                raise CommandError("--gateway needs an API Gateway instance ID")
        elif word == "--probe":
            probe = True
        elif word.startswith("-"):
            raise CommandError(f"unknown option {word}")
        else:
            rest.append(word)
        i += 1
    return rest, gateway, probe


def parse(text: str) -> Command:
    try:
        words = shlex.split(text.strip().translate(_QUOTES))
    except ValueError as exc:
        raise CommandError(f"could not read the command: {exc}") from exc
    if not words or words[0] == "help":
        return Help()
    head, tail = words[0], words[1:]
    if head == "list":
        if len(tail) > 1:
            raise CommandError("list takes at most one filter word")
        return ListAccesses(tail[0] if tail else "")
    if head == "digest":
        try:
            return parse_digest_command(tail)
        except DigestCommandError as exc:
            raise CommandError(str(exc)) from exc
    if head == "audit":
        if tail:
            raise CommandError("audit takes no arguments")
        return Audit()
    rest, gateway, probe = _options(words)
    if rest == ["all"]:
        if probe:
            raise CommandError("--probe runs on one authorization at a time")
        return CheckAll(gateway)
    if len(rest) != 1:
        raise CommandError("name one authorization (its name or ID), or `all`")
    return Check(rest[0], gateway, probe)
