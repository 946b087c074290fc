"""What a button's `value` or a modal's `private_metadata` carries, typed.

A reference encodes to compact JSON with short keys (what the buttons already posted in
Slack carry, so they keep working) within Slack's length limit, and decodes with every
field checked: a value this bot did not make, or one cut short, raises BadRef with words
for the user. A reference is trusted no further than its shape: its handler looks the
subject up again (docs/spec/bot.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Self

from vpctest.bot.refusals import BadRef

BUTTON_VALUE_LIMIT = 2000  # Slack's limit on a button's value
METADATA_LIMIT = 3000  # and on a view's private_metadata
ID_LIMIT = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Wire:
    """How one field travels: its JSON key, its type, and the bounds it is checked against."""

    key: str
    kind: type = str
    optional: bool = False
    most: int = 0  # for an int: the largest value accepted


def wire(key: str, kind: type = str, *, optional: bool = False, most: int = 0) -> Any:
    return field(metadata={"wire": Wire(key, kind, optional, most)})


@dataclass(frozen=True)
class Ref:
    """A reference; subclasses declare their fields with `wire(...)`."""

    LIMIT: ClassVar[int] = BUTTON_VALUE_LIMIT
    CARRIER: ClassVar[str] = "button's value"

    def encode(self) -> str:
        """The wire string; ValueError past Slack's limit (a bug: ids are short)."""
        data = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                data[f.metadata["wire"].key] = value
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if len(text) > self.LIMIT:
            raise ValueError(
                f"{type(self).__name__} encodes to {len(text)} characters, "
                f"over Slack's limit of {self.LIMIT}"
            )
        return text

    @classmethod
    def decode(cls, text: str | None) -> Self:
        """The reference in `text`, or BadRef saying why it is not one."""
        if not isinstance(text, str) or not text:
            raise cls._bad("it is empty")
        if len(text) > cls.LIMIT:
            raise cls._bad("it is too long")
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError):  # nesting deep enough to recurse out
            raise cls._bad("it is not JSON, perhaps cut short") from None
        if not isinstance(data, dict):
            raise cls._bad("it is not a JSON object")
        values = {}
        for f in fields(cls):
            spec = f.metadata["wire"]
            values[f.name] = cls._field(spec, data.get(spec.key))
        return cls(**values)

    @classmethod
    def _field(cls, spec: Wire, value: Any) -> Any:
        if value is None or value == "":
            if spec.optional:
                return None
            raise cls._bad(f"{spec.key!r} is missing")
        if spec.kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise cls._bad(f"{spec.key!r} is not a number")
            if not 0 <= value <= spec.most:
                raise cls._bad(f"{spec.key!r} is out of range")
            return value
        if not isinstance(value, str):
            raise cls._bad(f"{spec.key!r} is not text")
        if len(value) > ID_LIMIT or _CONTROL.search(value):
            raise cls._bad(f"{spec.key!r} is not an id")
        return value

    @classmethod
    def _bad(cls, why: str) -> BadRef:
        return BadRef(
            f"This {cls.CARRIER} is not one vpc-test made: {why}. "
            "Re-run the test for fresh buttons."
        )


@dataclass(frozen=True)
class AccessRef(Ref):
    """An authorization as tested from a gateway: Re-run, Details, a digest's Re-run."""

    vpc_access_id: str = wire("va")
    gateway_id: str | None = wire("gw", optional=True)


@dataclass(frozen=True)
class StepRef(Ref):
    """A troubleshooting step of one result: its step button."""

    LAST_STEP: ClassVar[int] = 3

    vpc_access_id: str = wire("va")
    gateway_id: str | None = wire("gw", optional=True)
    step: int = wire("s", int, most=LAST_STEP)


@dataclass(frozen=True)
class FixRef(Ref):
    """The check whose fix the Request fix button asks for."""

    vpc_access_id: str = wire("va")
    gateway_id: str | None = wire("gw", optional=True)
    check_id: str = wire("c")


@dataclass(frozen=True)
class PageRef(Ref):
    """The next page of `/vpc-test all`: from the `offset`-th authorization not passing."""

    MAX_OFFSET: ClassVar[int] = 1_000_000

    gateway_id: str | None = wire("gw", optional=True)
    offset: int = wire("o", int, most=MAX_OFFSET)


@dataclass(frozen=True)
class RequestRef(Ref):
    """A fix request: Approve, Deny, Revert, and the deny modal."""

    request_id: str = wire("id")


@dataclass(frozen=True)
class FixDraft(Ref):
    """The fix modal's metadata: the fix asked for, and the result message it came from."""

    LIMIT: ClassVar[int] = METADATA_LIMIT
    CARRIER: ClassVar[str] = "form"

    vpc_access_id: str = wire("va")
    gateway_id: str | None = wire("gw", optional=True)
    check_id: str = wire("c")
    channel_id: str | None = wire("ch", optional=True)
    message_ts: str | None = wire("ts", optional=True)


@dataclass(frozen=True)
class DenyDraft(RequestRef):
    """The deny modal's metadata: the request being denied."""

    LIMIT: ClassVar[int] = METADATA_LIMIT
    CARRIER: ClassVar[str] = "form"
