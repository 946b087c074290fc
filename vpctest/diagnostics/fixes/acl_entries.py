"""`add_acl_entries`: entries added to a CLB access control list (a whitelist)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vpctest.diagnostics.cloud import slb
from vpctest.diagnostics.errors import CloudError
from vpctest.diagnostics.facts import AclEntry
from vpctest.diagnostics.fixes.base import (
    AppliedFix,
    Field,
    Fix,
    check_keys,
    text_field,
    texts_field,
)
from vpctest.messages import Message

if TYPE_CHECKING:
    from vpctest.diagnostics.cloud.clients import CloudClients

KIND = "add_acl_entries"
FIELDS = ("acl_id", "entries")
ALREADY_IN_ACL = ("InvalidParam.AclEntryExists", "AclEntryExists")


@dataclass(frozen=True)
class AddAclEntries(Fix, kind=KIND):
    """`entries` (CIDRs) added to the access control list `acl_id`."""

    acl_id: str
    entries: tuple[str, ...]

    @classmethod
    def admitting(cls, acl_id: str, missing: Sequence[str]) -> AddAclEntries:
        """The entries that admit what the whitelist leaves out (the check found them)."""
        return cls(acl_id, tuple(missing))

    @classmethod
    def fields_from_json(cls, fields: Mapping[str, Any]) -> AddAclEntries:
        check_keys(fields, KIND, FIELDS)
        return cls(text_field(fields, "acl_id", KIND), texts_field(fields, "entries", KIND))

    def to_json(self) -> dict[str, Any]:
        return {"kind": KIND, "acl_id": self.acl_id, "entries": list(self.entries)}

    def params(self) -> dict[str, Any]:
        return {"acl": self.acl_id, "entries": ", ".join(self.entries)}

    def details(self) -> list[Field]:
        return [
            Field(Message("fix-field-acl"), self.acl_id, literal=True),
            Field(Message("fix-field-entries"), ", ".join(self.entries)),
        ]

    @property
    def target_id(self) -> str:
        return self.acl_id

    async def _apply(self, clients: CloudClients, description: str) -> AppliedFix:
        acl_id = self.acl_id
        existing = set((await slb.access_control_list(clients, acl_id)).cidrs)
        missing = [cidr for cidr in self.entries if cidr not in existing]
        if missing:
            try:
                await slb.add_acl_entries(
                    clients, acl_id, [AclEntry(cidr, description) for cidr in missing]
                )
            except CloudError as exc:
                if exc.code not in ALREADY_IN_ACL:
                    raise
                # Someone added one meanwhile: count only what is ours now.
                existing_now = set((await slb.access_control_list(clients, acl_id)).cidrs)
                missing = [c for c in missing if c in existing_now and c not in existing]
        present = tuple(cidr for cidr in self.entries if cidr in existing)
        return AppliedFix(KIND, acl_id, added_entries=tuple(missing), already_present=present)

    async def _revert(self, clients: CloudClients, applied: AppliedFix) -> None:
        if applied.added_entries:
            await slb.remove_acl_entries(clients, applied.target_id, applied.added_entries)
