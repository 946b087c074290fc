"""Who is in the playground's workspace, and its channels."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    real_name: str
    role: str  # developer | approver | outsider
    title: str


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    purpose: str
    digest: bool = False


DEVELOPER = Person(
    "U0DEVELOP1", "dana", "Dana Developer", "developer", "runs tests and requests fixes"
)
APPROVER = Person(
    "U0ALICE01", "alice", "Alice Approver", "approver", "approves fixes (VPCTEST_APPROVERS)"
)
OUTSIDER = Person("U0EVE0001", "eve", "Eve Outsider", "outsider", "may run tests, not approve")
PEOPLE = (DEVELOPER, APPROVER, OUTSIDER)

GENERAL = Channel("C0GENERAL1", "general", "Run /vpc-test here")
APPROVALS = Channel(
    "C0APPROVE1", "vpc-approvals", "Fix requests wait here for an approver (SLACK_APPROVAL_CHANNEL)"
)
DIGESTS = Channel(
    "C0DIGEST01", "vpc-digests", "A daily health digest is subscribed here", digest=True
)
CHANNELS = (GENERAL, APPROVALS, DIGESTS)
TEAM = {"id": "T0PLAYGRND", "name": "Playground"}


def people_json() -> list[dict[str, Any]]:
    return [asdict(p) for p in PEOPLE]


def channels_json() -> list[dict[str, Any]]:
    return [asdict(c) for c in CHANNELS]


def user_specs() -> list[dict[str, Any]]:
    """The Slack emulator's users."""
    return [{"id": p.id, "name": p.name, "real_name": p.real_name} for p in PEOPLE]


def person(user_id: str) -> Person:
    """The person with this id; ValueError naming the ones there are."""
    for p in PEOPLE:
        if p.id == user_id:
            return p
    known = ", ".join(f"{p.id} ({p.name})" for p in PEOPLE)
    raise ValueError(f"no person {user_id!r} in the playground: use one of {known}")


def channel(channel_id: str) -> Channel:
    for c in CHANNELS:
        if c.id == channel_id:
            return c
    known = ", ".join(f"{c.id} (#{c.name})" for c in CHANNELS)
    raise ValueError(f"no channel {channel_id!r} in the playground: use one of {known}")
