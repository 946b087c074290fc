"""Apply a diagnosis's fix through the SDK, and revert exactly what it added.

A fix is the dict a failing check carries (see docs/spec/diagnosis.md). Applying it
reads the group or list before and after, so the record names only what this fix
added: a rule or entry that already existed is "already done" and is never removed by
a revert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vpctest.diagnostics.cloud import ecs, slb
from vpctest.diagnostics.cloud.clients import CloudClients
from vpctest.diagnostics.errors import CloudError
from vpctest.diagnostics.facts import AclEntry

ALREADY_IN_ACL = ("InvalidParam.AclEntryExists", "AclEntryExists")
DESCRIPTION_LIMIT = 512  # ECS rule descriptions and SLB entry comments are bounded


class FixError(ValueError):
    """A fix dict that is not one this code knows how to apply."""


@dataclass(frozen=True)
class AppliedFix:
    """What applying a fix changed: enough to undo precisely that."""

    kind: str  # authorize_security_group | add_acl_entries
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
    def from_json(cls, data: dict[str, Any]) -> AppliedFix:
        return cls(
            kind=data["kind"],
            target_id=data["target_id"],
            added_rule_ids=tuple(data.get("added_rule_ids", ())),
            added_entries=tuple(data.get("added_entries", ())),
            already_present=tuple(data.get("already_present", ())),
        )


async def apply_fix(c: CloudClients, fix: dict[str, Any], description: str) -> AppliedFix:
    """Apply `fix`; `description` goes on every rule or entry (who asked, who approved)."""
    description = description[:DESCRIPTION_LIMIT]
    kind = fix.get("kind")
    if kind == "authorize_security_group":
        return await _authorize(c, fix, description)
    if kind == "add_acl_entries":
        return await _add_entries(c, fix, description)
    raise FixError(f"unknown fix kind {kind!r}")


async def revert_fix(c: CloudClients, applied: AppliedFix) -> None:
    """Remove exactly the rules or entries `applied` added; nothing else."""
    if applied.kind == "authorize_security_group" and applied.added_rule_ids:
        await ecs.revoke_rules(c, applied.target_id, applied.added_rule_ids)
    elif applied.kind == "add_acl_entries" and applied.added_entries:
        await slb.remove_acl_entries(c, applied.target_id, applied.added_entries)


async def _authorize(c: CloudClients, fix: dict[str, Any], description: str) -> AppliedFix:
    group_id = fix["security_group_id"]
    _, before = await ecs.security_group_rules(c, group_id)
    await ecs.authorize_ingress(
        c,
        group_id,
        fix["port_range"],
        fix["source_cidrs"],
        int(fix["priority"]),
        description,
        protocol=fix.get("protocol", "TCP"),
    )
    _, after = await ecs.security_group_rules(c, group_id)
    known = {r.rule_id for r in before}
    added = tuple(r.rule_id for r in after if r.rule_id not in known)
    present = tuple(
        cidr
        for cidr in fix["source_cidrs"]
        if not any(cidr in r.source_cidrs for r in after if r.rule_id in added)
    )
    return AppliedFix(
        "authorize_security_group", group_id, added_rule_ids=added, already_present=present
    )


async def _add_entries(c: CloudClients, fix: dict[str, Any], description: str) -> AppliedFix:
    acl_id = fix["acl_id"]
    existing = set((await slb.access_control_list(c, acl_id)).cidrs)
    missing = [cidr for cidr in fix["entries"] if cidr not in existing]
    if missing:
        try:
            await slb.add_acl_entries(c, acl_id, [AclEntry(cidr, description) for cidr in missing])
        except CloudError as exc:
            if exc.code not in ALREADY_IN_ACL:
                raise
            # Someone added one meanwhile: count only what is ours now.
            existing_now = set((await slb.access_control_list(c, acl_id)).cidrs)
            missing = [cidr for cidr in missing if cidr in existing_now and cidr not in existing]
    present = tuple(cidr for cidr in fix["entries"] if cidr in existing)
    return AppliedFix(
        "add_acl_entries", acl_id, added_entries=tuple(missing), already_present=present
    )
