"""Whether an instance's security groups admit inbound traffic from a range of addresses.

Semantics (docs/spec/world.md rule 3): the inbound rules of all the instance's groups
are pooled; for one packet the matching rules with the smallest priority number decide,
a drop beating an accept at that priority; with no matching rule the packet is denied.

`evaluate_ingress` answers for a whole range at once: it cuts the sources at every edge
of every matching rule's addresses, decides each piece once, and groups the pieces by
the rule that decides them. `admits` is the one-address reference it is tested against.
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from vpctest.diagnostics.facts import SgRule
from vpctest.diagnostics.rules.intervals import IntervalSet, as_interval_set, is_ipv6, parse_address

GroupMembers = Mapping[str, IntervalSet]
Sources = Iterable[str] | IntervalSet


def _is_drop(rule: SgRule) -> bool:
    return rule.policy.lower() == "drop"


def _matches_traffic(rule: SgRule, port: int, protocol: str) -> bool:
    """Protocol and port, leaving the source aside."""
    rule_protocol = rule.protocol.upper()
    if rule_protocol not in ("ALL", protocol.upper()):
        return False
    return rule.covers_port(port)


def rule_addresses(rule: SgRule, group_members: GroupMembers | None = None) -> IntervalSet:
    """The source addresses a rule matches: its CIDRs, else its source group's members.

    IPv6 sources are left out: they never match the IPv4 traffic under test.
    """
    if rule.source_cidrs:
        return IntervalSet.from_cidrs(rule.source_cidrs, skip_ipv6=True)
    if rule.source_group_id and group_members:
        members = group_members.get(rule.source_group_id)
        if members is not None:
            return as_interval_set(members)
    return IntervalSet.empty()


# --- the interval evaluator ---------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """Addresses decided the same way, by the same rule.

    `rule` is None when no rule matches them (denied). When a drop decides, `overridden`
    is the best-priority accept that also matches them: the rule someone thought admits.
    """

    addresses: IntervalSet
    admitted: bool
    rule: SgRule | None
    overridden: SgRule | None = None


def _decide(matching: list[SgRule]) -> tuple[bool, SgRule | None, SgRule | None]:
    """(admitted, deciding rule, overridden accept) for one piece of the range."""
    if not matching:
        return False, None, None
    best = min(rule.priority for rule in matching)
    top = [rule for rule in matching if rule.priority == best]
    drop = next((rule for rule in top if _is_drop(rule)), None)
    if drop is None:
        return True, top[0], None
    accepts = [rule for rule in matching if not _is_drop(rule)]
    return False, drop, min(accepts, key=lambda rule: rule.priority, default=None)


@dataclass(frozen=True)
class IngressResult:
    """How the pooled rules decide TCP/UDP on one port from every source address."""

    sources: IntervalSet
    port: int
    protocol: str
    segments: tuple[Segment, ...]

    @cached_property
    def admitted(self) -> IntervalSet:
        return _union(s.addresses for s in self.segments if s.admitted)

    @cached_property
    def denied(self) -> IntervalSet:
        return _union(s.addresses for s in self.segments if not s.admitted)

    @property
    def fully_admitted(self) -> bool:
        return self.denied.is_empty

    def explain(self) -> str:
        """One line naming the deciding rules and the addresses each decides."""
        if self.sources.is_empty:
            return "no source addresses to check"
        if len(self.segments) == 1 and not self.segments[0].admitted:
            return self._explain_whole_denial(self.segments[0])
        return "; ".join(self._explain_segment(s) for s in self.segments)

    def _explain_whole_denial(self, segment: Segment) -> str:
        rule, overridden = segment.rule, segment.overridden
        if rule is None:
            return f"no rule admits {self.protocol} {self.port} from {self.sources}"
        if overridden is not None:
            return f"{rule.describe()} overrides {_accept_text(overridden, rule)}"
        return f"{self.sources} dropped by {rule.describe()}"

    def _explain_segment(self, segment: Segment) -> str:
        rule, overridden = segment.rule, segment.overridden
        if rule is None:
            return f"{segment.addresses} matched by no rule"
        if segment.admitted:
            return f"{segment.addresses} admitted by {rule.describe()}"
        text = f"{segment.addresses} dropped by {rule.describe()}"
        if overridden is not None:
            text += f" (overrides {_accept_text(overridden, rule)})"
        return text

    def evidence(self) -> dict[str, Any]:
        """JSON-serialisable: each group of addresses and the rule that decides it."""
        return {
            "protocol": self.protocol,
            "port": self.port,
            "sources": self.sources.to_cidrs(),
            "fully_admitted": self.fully_admitted,
            "denied": self.denied.to_cidrs(),
            "segments": [
                {
                    "cidrs": s.addresses.to_cidrs(),
                    "admitted": s.admitted,
                    "rule": rule_evidence(s.rule),
                    "overridden": rule_evidence(s.overridden),
                }
                for s in self.segments
            ],
        }


def _union(sets: Iterable[IntervalSet]) -> IntervalSet:
    return IntervalSet(span for s in sets for span in s.intervals())


def _accept_text(accept: SgRule, drop: SgRule) -> str:
    """The overridden accept, naming its group only when it differs from the drop's."""
    group = (
        ""
        if accept.security_group_id == drop.security_group_id
        else (f"{accept.security_group_id}: ")
    )
    return f"{group}accept from {accept.source} at priority {accept.priority}"


def rule_evidence(rule: SgRule | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {
        "security_group_id": rule.security_group_id,
        "rule_id": rule.rule_id,
        "policy": rule.policy,
        "priority": rule.priority,
        "protocol": rule.protocol,
        "port_range": rule.port_range,
        "source": rule.source,
        "description": rule.description,
    }


def evaluate_ingress(
    rules: Iterable[SgRule],
    sources: Sources,
    port: int,
    protocol: str = "TCP",
    group_members: GroupMembers | None = None,
) -> IngressResult:
    """Decide every source address at once, grouping addresses by their deciding rule."""
    wanted = as_interval_set(sources)
    protocol = protocol.upper()
    candidates = [
        (rule, addresses)
        for rule in rules
        if _matches_traffic(rule, port, protocol)
        and (addresses := rule_addresses(rule, group_members) & wanted)
    ]
    # Between two consecutive edges, the same rules match every address.
    edges = sorted(
        {edge for _, s in candidates for first, last in s.intervals() for edge in (first, last + 1)}
    )
    pieces: dict[tuple[bool, SgRule | None, SgRule | None], list[tuple[int, int]]] = {}
    for first, last in wanted.intervals():
        cuts = edges[bisect_right(edges, first) : bisect_right(edges, last)]
        for start, end in zip([first, *cuts], [cut - 1 for cut in cuts] + [last], strict=True):
            matching = [rule for rule, addresses in candidates if start in addresses]
            pieces.setdefault(_decide(matching), []).append((start, end))
    segments = tuple(
        Segment(IntervalSet(spans), admitted, rule, overridden)
        for (admitted, rule, overridden), spans in pieces.items()
    )
    return IngressResult(wanted, port, protocol, segments)


# --- the one-address reference ------------------------------------------------------------------


def deciding_rule(
    rules: Iterable[SgRule],
    address: int | str,
    port: int,
    protocol: str = "TCP",
    group_members: GroupMembers | None = None,
) -> SgRule | None:
    """The rule that decides one packet, or None when no rule matches it.

    Written plainly, rule by rule, as the reference `evaluate_ingress` is tested against.
    """
    ip = ipaddress.IPv4Address(parse_address(address))
    matching = []
    for rule in rules:
        if rule.protocol.upper() not in ("ALL", protocol.upper()):
            continue
        if rule.protocol.upper() != "ALL":
            ranges = rule.port_list_ranges if rule.port_range_list_id else [rule.port_range]
            if not any(_in_range(port, text) for text in ranges):
                continue
        if rule.source_cidrs:
            sources = [c for c in rule.source_cidrs if not is_ipv6(c)]
            if not any(ip in ipaddress.ip_network(c, strict=False) for c in sources):
                continue
        else:
            members = (group_members or {}).get(rule.source_group_id or "")
            if members is None or int(ip) not in as_interval_set(members):
                continue
        matching.append(rule)
    if not matching:
        return None
    best = min(rule.priority for rule in matching)
    top = [rule for rule in matching if rule.priority == best]
    drops = [rule for rule in top if _is_drop(rule)]
    return (drops or top)[0]


def _in_range(port: int, port_range: str | tuple[int, int]) -> bool:
    """`"80/80"`, `"-1/-1"` (every port) or a (first, last) pair."""
    if isinstance(port_range, str):
        low, _, high = port_range.partition("/")
        port_range = (int(low), int(high or low))
    low, high = port_range
    return low == -1 or low <= port <= high


def admits(
    rules: Iterable[SgRule],
    address: int | str,
    port: int,
    protocol: str = "TCP",
    group_members: GroupMembers | None = None,
) -> bool:
    """Whether the pooled rules admit one packet from `address` to `port`."""
    rule = deciding_rule(rules, address, port, protocol, group_members)
    return rule is not None and not _is_drop(rule)


# --- fixing -------------------------------------------------------------------------------------


def blocking_drops(
    rules: Iterable[SgRule],
    sources: Sources,
    port: int,
    protocol: str = "TCP",
    group_members: GroupMembers | None = None,
) -> list[SgRule]:
    """The drop rules that match some source address on the port, best priority first."""
    wanted = as_interval_set(sources)
    drops = [
        rule
        for rule in rules
        if _is_drop(rule)
        and _matches_traffic(rule, port, protocol)
        and rule_addresses(rule, group_members) & wanted
    ]
    return sorted(drops, key=lambda rule: rule.priority)


def fix_priority(
    rules: Iterable[SgRule],
    sources: Sources,
    port: int,
    protocol: str = "TCP",
    group_members: GroupMembers | None = None,
) -> int | None:
    """The priority a new accept rule needs to admit `sources` on `port`.

    It must beat every matching drop by a strictly smaller number (at equal priority a
    drop wins): None when a matching drop sits at priority 1 and only a hand edit helps.
    """
    drops = blocking_drops(rules, sources, port, protocol, group_members)
    if not drops:
        return 1
    best = drops[0].priority
    return best - 1 if best > 1 else None
