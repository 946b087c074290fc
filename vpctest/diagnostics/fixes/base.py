"""What every kind of fix is: the `Fix` interface, its registry, and `AppliedFix`.

A fix is the change a failing check proposes (docs/spec/diagnosis.md, "The JSON report").
Each kind is one subclass of `Fix`, declared with its kind, which registers it:

    @dataclass(frozen=True)
    class AddRouteEntry(Fix, kind="add_route_entry"):
        ...

and that class (imported by fixes/__init__.py, so that it is registered) is all a new
kind needs in code: `Fix.from_json` finds it by the `kind` of the stored or reported
form, and the checks, the bot, the command line and the store only ever call the
methods below. Its words are the catalog entries `fix-<kind>` (kebab-case) with
the suffixes of `Wording`, in vpctest/messages/catalog/en/fixes.ftl.

Applying a fix reads the group or list before and after, so the `AppliedFix` it returns
names only what this fix added: a rule or entry that already existed is "already done"
and is never removed by a revert.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Self

from vpctest.messages import DEFAULT_LANGUAGE, Message

if TYPE_CHECKING:
    from vpctest.diagnostics.cloud.clients import CloudClients

DESCRIPTION_LIMIT = 512  # ECS rule descriptions and SLB entry comments are bounded

_KINDS: dict[str, type[Fix]] = {}


class FixError(ValueError):
    """A fix (or a record of one applied) that this code cannot read or use."""


def known_kinds() -> tuple[str, ...]:
    """Every registered kind, sorted."""
    return tuple(sorted(_KINDS))


def fix_class(kind: object) -> type[Fix]:
    """The class of `kind`, or FixError naming the kinds there are."""
    found = _KINDS.get(kind) if isinstance(kind, str) else None
    if found is None:
        raise FixError(f"unknown fix kind {kind!r}; known: {', '.join(known_kinds())}")
    return found


class Wording(StrEnum):
    """The forms a fix is told in to people; each is the catalog code's suffix."""

    SENTENCE = ""  # "in sg-web, allow TCP 8080/8080 from … at priority 1" (vpc-test check)
    NOTE = "note"  # "fix: allow TCP 8080/8080 from … in sg-web at priority 1" (a summary's end)
    MRKDWN = "mrkdwn"  # "In `sg-web`, accept TCP …" (Slack's approval message)
    CHANGE = "change"  # "add an inbound accept rule": the kind of change, in a few words


@dataclass(frozen=True)
class Field:
    """One line of the exact change, as a review form lists it: a label and its value."""

    label: Message
    value: str | Message
    literal: bool = False  # an id or address, shown as code

    def rendered(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The value as text: a Message in `lang`, a plain value as it is."""
        return self.value.render(lang) if isinstance(self.value, Message) else self.value


@dataclass(frozen=True)
class AppliedFix:
    """What applying a fix changed: enough to undo precisely that."""

    kind: str  # the Fix's kind
    target_id: str  # the security group or the ACL
    added_rule_ids: tuple[str, ...] = ()
    added_entries: tuple[str, ...] = ()
    already_present: tuple[str, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        return bool(self.added_rule_ids or self.added_entries)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "target_id": self.target_id,
            "added_rule_ids": list(self.added_rule_ids),
            "added_entries": list(self.added_entries),
            "already_present": list(self.already_present),
        }

    @classmethod
    def from_json(cls, data: object) -> AppliedFix:
        """The record `to_json` wrote; FixError for one that lacks a field or is not one."""
        what = "a record of an applied fix"
        fields = _mapping(data, what)
        fix_class(fields.get("kind"))  # a record of a kind this code cannot revert is refused
        return cls(
            kind=fields["kind"],
            target_id=_text(fields, "target_id", what),
            added_rule_ids=_texts(fields, "added_rule_ids", what, optional=True),
            added_entries=_texts(fields, "added_entries", what, optional=True),
            already_present=_texts(fields, "already_present", what, optional=True),
        )


class Fix(ABC):
    """A change that would mend a failing check, of one kind (one subclass per kind).

    Subclasses are frozen dataclasses of the kind's fields, and implement:
    `fields_from_json` and `to_json` (the JSON of docs/spec/diagnosis.md), `params` (the
    catalog placeholders), `details` (the change field by field), and `_apply` and
    `_revert` (through the cloud clients).
    """

    kind: ClassVar[str]

    def __init_subclass__(cls, *, kind: str | None = None, **rest: Any) -> None:
        super().__init_subclass__(**rest)
        if kind is None:
            return  # an abstract intermediate class
        if kind in _KINDS:
            raise TypeError(f"fix kind {kind!r} is already {_KINDS[kind].__qualname__}")
        cls.kind = kind
        _KINDS[kind] = cls

    # The stored and reported form

    @classmethod
    def from_json(cls, data: object) -> Fix:
        """The fix `data` (a report's `fix`, or the store's column) describes.

        Raises FixError for an unknown kind or a malformed dict, naming what is wrong.
        On a subclass, `data` must be of that subclass's kind.
        """
        fields = _mapping(data, "a fix")
        kind_class = fix_class(fields.get("kind"))
        if cls is not Fix and not issubclass(kind_class, cls):
            raise FixError(f"a fix of kind {fields['kind']!r} is not one of kind {cls.kind!r}")
        rest = {k: v for k, v in fields.items() if k != "kind"}
        return kind_class.fields_from_json(rest)

    @classmethod
    @abstractmethod
    def fields_from_json(cls, fields: Mapping[str, Any]) -> Self:
        """The kind's own fields (all but `kind`), checked; FixError when malformed."""

    @abstractmethod
    def to_json(self) -> dict[str, Any]:
        """The JSON form, `kind` first, exactly as docs/spec/diagnosis.md gives it."""

    # For people

    @property
    def code(self) -> str:
        """The catalog code of this kind: fix-authorize-security-group, …"""
        return "fix-" + self.kind.replace("_", "-")

    @abstractmethod
    def params(self) -> dict[str, Any]:
        """The values the kind's catalog entries take."""

    def describe(self, wording: Wording = Wording.SENTENCE) -> Message:
        """The change in words, in one of the forms of `Wording`."""
        code = f"{self.code}-{wording}" if wording else self.code
        return Message(code, self.params())

    def fields(self) -> list[Field]:
        """The exact change, field by field: its kind first, then the kind's details."""
        return [Field(Message("fix-field-change"), self.describe(Wording.CHANGE)), *self.details()]

    @abstractmethod
    def details(self) -> list[Field]:
        """What exactly changes, field by field (the target first)."""

    # In the cloud

    @property
    @abstractmethod
    def target_id(self) -> str:
        """The security group, list or other resource the fix changes."""

    async def apply(self, clients: CloudClients, description: str) -> AppliedFix:
        """Make the change; `description` goes on every rule or entry (who asked, who
        approved). Idempotent: what is there already is recorded as already present."""
        return await self._apply(clients, description[:DESCRIPTION_LIMIT])

    async def revert(self, clients: CloudClients, applied: AppliedFix) -> None:
        """Remove exactly what `applied` (this fix's own record) added; nothing else."""
        if applied.kind != self.kind or applied.target_id != self.target_id:
            raise FixError(
                f"the record of a fix of kind {applied.kind!r} on {applied.target_id} "
                f"cannot revert one of kind {self.kind!r} on {self.target_id}"
            )
        if applied.changed:
            await self._revert(clients, applied)

    @abstractmethod
    async def _apply(self, clients: CloudClients, description: str) -> AppliedFix: ...

    @abstractmethod
    async def _revert(self, clients: CloudClients, applied: AppliedFix) -> None: ...


# Reading the JSON form: every failure is a FixError that says what is wrong.


def _mapping(data: object, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise FixError(f"{what} must be a JSON object, not {type(data).__name__}")
    return data


def check_keys(fields: Mapping[str, Any], kind: str, allowed: Sequence[str]) -> None:
    """Refuse a field the kind does not have (a typo would otherwise be dropped)."""
    extra = sorted(set(fields) - set(allowed))
    if extra:
        raise FixError(
            f"a fix of kind {kind!r} has no field {', '.join(map(repr, extra))}; "
            f"its fields: {', '.join(allowed)}"
        )


def _text(fields: Mapping[str, Any], name: str, what: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str) or not value.strip():
        raise FixError(f"{what} needs {name!r} as a non-empty string, not {value!r}")
    return value


def _texts(
    fields: Mapping[str, Any], name: str, what: str, *, optional: bool = False
) -> tuple[str, ...]:
    value = fields.get(name, [] if optional else None)
    if not isinstance(value, list | tuple) or not all(
        isinstance(v, str) and v.strip() for v in value
    ):
        raise FixError(f"{what} needs {name!r} as a list of strings, not {value!r}")
    if not value and not optional:
        raise FixError(f"{what} needs at least one entry in {name!r}")
    return tuple(value)


def text_field(fields: Mapping[str, Any], name: str, kind: str) -> str:
    """A required non-empty string field of a `kind` fix."""
    return _text(fields, name, f"a fix of kind {kind!r}")


def texts_field(fields: Mapping[str, Any], name: str, kind: str) -> tuple[str, ...]:
    """A required non-empty list of strings of a `kind` fix."""
    return _texts(fields, name, f"a fix of kind {kind!r}")


def int_field(fields: Mapping[str, Any], name: str, kind: str, low: int, high: int) -> int:
    """A required integer field of a `kind` fix, from `low` to `high`."""
    value = fields.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FixError(
            f"a fix of kind {kind!r} needs {name!r} as an integer {low}..{high}, not {value!r}"
        )
    return value
