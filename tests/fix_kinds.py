"""A fix kind defined by the tests alone (`add_route_entry`), to show that a new kind is one
class and its words: the fixture registers it and adds its catalog entries for one test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any, ClassVar

import pytest
from fluent.runtime import FluentBundle, FluentResource

import vpctest.messages
from vpctest.diagnostics.fixes import AppliedFix, Field, Fix, base
from vpctest.diagnostics.fixes.base import check_keys, text_field
from vpctest.messages import Message

ROUTE_WORDS = """
fix-add-route-entry = in { $table }, route { $cidr } to the gateway
fix-add-route-entry-note = fix: route { $cidr } in { $table }
fix-add-route-entry-mrkdwn = In `{ $table }`, route { $cidr } to the gateway
fix-add-route-entry-change = add a route entry
fix-field-route-table = Route table
"""


@pytest.fixture
def route_kind(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[Fix]]:
    """A kind defined and registered for this test only (`add_route_entry`: routes the
    gateway's egress range in a route table; the cloud side is only recorded), and its words
    added to a copy of the English catalog."""
    monkeypatch.setattr(base, "_KINDS", dict(base._KINDS))

    @dataclass(frozen=True)
    class AddRouteEntry(Fix, kind="add_route_entry"):
        """Route the gateway's egress range in a route table (the cloud side is only recorded)."""

        route_table_id: str
        cidr: str
        seen: ClassVar[list[tuple[str, ...]]] = []

        @classmethod
        def fields_from_json(cls, fields: Any) -> AddRouteEntry:
            check_keys(fields, "add_route_entry", ("route_table_id", "cidr"))
            return cls(
                text_field(fields, "route_table_id", "add_route_entry"),
                text_field(fields, "cidr", "add_route_entry"),
            )

        def to_json(self) -> dict[str, Any]:
            return {"kind": self.kind, "route_table_id": self.route_table_id, "cidr": self.cidr}

        def params(self) -> dict[str, Any]:
            return {"table": self.route_table_id, "cidr": self.cidr}

        def details(self) -> list[Field]:
            return [Field(Message("fix-field-route-table"), self.route_table_id, literal=True)]

        @property
        def target_id(self) -> str:
            return self.route_table_id

        async def _apply(self, clients: Any, description: str) -> AppliedFix:
            self.seen.append(("apply", description))
            return AppliedFix(self.kind, self.route_table_id, added_entries=(self.cidr,))

        async def _revert(self, clients: Any, applied: AppliedFix) -> None:
            self.seen.append(("revert", *applied.added_entries))

    english = FluentBundle(["en"], use_isolating=False)
    folder = resources.files("vpctest.messages").joinpath("catalog", "en")
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        english.add_resource(FluentResource(entry.read_text(encoding="utf-8")))
    english.add_resource(FluentResource(ROUTE_WORDS))
    monkeypatch.setattr(vpctest.messages, "bundle", lambda lang: english)
    yield AddRouteEntry
