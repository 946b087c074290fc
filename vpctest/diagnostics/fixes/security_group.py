"""`authorize_security_group`: inbound accept rules on one security group."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vpctest.diagnostics.cloud import ecs
from vpctest.diagnostics.fixes.base import (
    AppliedFix,
    Field,
    Fix,
    FixError,
    check_keys,
    int_field,
    text_field,
    texts_field,
)
from vpctest.messages import Message

if TYPE_CHECKING:
    from vpctest.diagnostics.cloud.clients import CloudClients

KIND = "authorize_security_group"
FIELDS = ("security_group_id", "protocol", "port_range", "source_cidrs", "priority")
PORT_RANGE = re.compile(r"^-?\d+/-?\d+$")


@dataclass(frozen=True)
class AuthorizeSecurityGroup(Fix, kind=KIND):
    """One accept rule per source CIDR, on `security_group_id`, at `priority`."""

    security_group_id: str
    port_range: str  # "8080/8080"
    source_cidrs: tuple[str, ...]
    priority: int  # 1 (first) .. 100
    protocol: str = "TCP"

    @classmethod
    def admitting(
        cls, group_id: str, port: int, cidrs: Sequence[str], priority: int, protocol: str = "TCP"
    ) -> AuthorizeSecurityGroup:
        """The rules that admit `cidrs` to `port` (the check found them left out)."""
        return cls(group_id, f"{port}/{port}", tuple(cidrs), priority, protocol)

    @classmethod
    def fields_from_json(cls, fields: Mapping[str, Any]) -> AuthorizeSecurityGroup:
        check_keys(fields, KIND, FIELDS)
        port_range = text_field(fields, "port_range", KIND)
        if not PORT_RANGE.match(port_range):
            raise FixError(f"a fix of kind {KIND!r} needs 'port_range' as P/P, not {port_range!r}")
        protocol = fields.get("protocol", "TCP")  # as the rule itself defaults
        return cls(
            security_group_id=text_field(fields, "security_group_id", KIND),
            port_range=port_range,
            source_cidrs=texts_field(fields, "source_cidrs", KIND),
            priority=int_field(fields, "priority", KIND, 1, 100),
            protocol=text_field({"protocol": protocol}, "protocol", KIND),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": KIND,
            "security_group_id": self.security_group_id,
            "protocol": self.protocol,
            "port_range": self.port_range,
            "source_cidrs": list(self.source_cidrs),
            "priority": self.priority,
        }

    def params(self) -> dict[str, Any]:
        return {
            "group": self.security_group_id,
            "protocol": self.protocol,
            "ports": self.port_range,
            "sources": ", ".join(self.source_cidrs),
            "priority": self.priority,
        }

    def details(self) -> list[Field]:
        return [
            Field(Message("fix-field-security-group"), self.security_group_id, literal=True),
            Field(Message("fix-field-protocol-and-port"), f"{self.protocol} {self.port_range}"),
            Field(Message("fix-field-source-cidrs"), ", ".join(self.source_cidrs)),
            Field(Message("fix-field-priority"), str(self.priority)),
        ]

    @property
    def target_id(self) -> str:
        return self.security_group_id

    async def _apply(self, clients: CloudClients, description: str) -> AppliedFix:
        group_id = self.security_group_id
        _, before = await ecs.security_group_rules(clients, group_id)
        await ecs.authorize_ingress(
            clients,
            group_id,
            self.port_range,
            self.source_cidrs,
            self.priority,
            description,
            protocol=self.protocol,
        )
        _, after = await ecs.security_group_rules(clients, group_id)
        known = {r.rule_id for r in before}
        added = tuple(r.rule_id for r in after if r.rule_id not in known)
        present = tuple(
            cidr
            for cidr in self.source_cidrs
            if not any(cidr in r.source_cidrs for r in after if r.rule_id in added)
        )
        return AppliedFix(KIND, group_id, added_rule_ids=added, already_present=present)

    async def _revert(self, clients: CloudClients, applied: AppliedFix) -> None:
        if applied.added_rule_ids:
            await ecs.revoke_rules(clients, applied.target_id, applied.added_rule_ids)
