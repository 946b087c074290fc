"""Whether a CLB listener's access-control list admits a range of source addresses.

Semantics (docs/spec/world.md rule 4): a whitelist admits an address covered by some
entry, and an enabled whitelist with no entries admits everything; a blacklist admits
an address covered by no entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from vpctest.diagnostics.facts import AclEntry
from vpctest.diagnostics.rules.intervals import IntervalSet, as_interval_set

ACL_TYPES = ("white", "black")
ENTRIES_SHOWN = 5  # a longer whitelist is abbreviated in explanations


@lru_cache(maxsize=65_536)
def _entry_addresses(entry: AclEntry) -> IntervalSet:
    """IPv6 entries cover nothing of the IPv4 traffic under test. Cached: a long ACL shared
    by many listeners is judged once per authorization, its entries parsed once."""
    return IntervalSet.from_cidrs([entry.cidr], skip_ipv6=True)


def _as_entries(entries: Iterable[AclEntry | str]) -> tuple[AclEntry, ...]:
    return tuple(e if isinstance(e, AclEntry) else AclEntry(e) for e in entries)


def _acl_type(acl_type: str) -> str:
    kind = acl_type.lower()
    if kind not in ACL_TYPES:
        raise ValueError(f"ACL type must be 'white' or 'black', not {acl_type!r}")
    return kind


def _entry_text(entry: AclEntry) -> str:
    return f"{entry.cidr} ({entry.comment})" if entry.comment else entry.cidr


@dataclass(frozen=True)
class AclResult:
    """How one ACL decides every source address.

    `deciding_entries` are the entries that cover some source address: for a blacklist
    the ones that block, for a whitelist the ones that admit.
    """

    acl_type: str
    acl_id: str
    entries: tuple[AclEntry, ...]
    sources: IntervalSet
    admitted: IntervalSet
    denied: IntervalSet
    deciding_entries: tuple[AclEntry, ...]

    @property
    def fully_admitted(self) -> bool:
        return self.denied.is_empty

    @property
    def _name(self) -> str:
        return f"{self.acl_type}list {self.acl_id}" if self.acl_id else f"{self.acl_type}list"

    def explain(self) -> str:
        """One line: what is left out and by which entries, or why everything gets in."""
        if self.sources.is_empty:
            return "no source addresses to check"
        if self.acl_type == "white":
            if not self.entries:
                return f"{self._name} has no entries, so it admits every address"
            if self.fully_admitted:
                shown = ", ".join(_entry_text(e) for e in self.deciding_entries)
                return f"{self._name} admits {self.sources} (entries: {shown})"
            return f"{self._name} does not cover {self.denied} (entries: {self._shown_entries()})"
        if self.fully_admitted:
            return f"{self._name} has no entry covering {self.sources}"
        blocks = "; ".join(
            f"entry {_entry_text(e)} blocks {_entry_addresses(e) & self.sources}"
            for e in self.deciding_entries
        )
        return f"{self._name} {blocks}"

    def _shown_entries(self) -> str:
        shown = ", ".join(_entry_text(e) for e in self.entries[:ENTRIES_SHOWN])
        more = len(self.entries) - ENTRIES_SHOWN
        return f"{shown} and {more} more" if more > 0 else shown

    def evidence(self) -> dict[str, Any]:
        """JSON-serialisable: the list, what it admits and denies, and the deciding entries."""
        return {
            "acl_id": self.acl_id,
            "acl_type": self.acl_type,
            "entry_count": len(self.entries),
            "sources": self.sources.to_cidrs(),
            "fully_admitted": self.fully_admitted,
            "admitted": self.admitted.to_cidrs(),
            "denied": self.denied.to_cidrs(),
            "deciding_entries": [
                {"cidr": e.cidr, "comment": e.comment} for e in self.deciding_entries
            ],
        }


def evaluate_acl(
    acl_type: str,
    entries: Sequence[AclEntry] | Sequence[str],
    sources: Iterable[str] | IntervalSet,
    acl_id: str = "",
) -> AclResult:
    """Decide every source address against a white or black list."""
    kind = _acl_type(acl_type)
    listed = _as_entries(entries)
    wanted = as_interval_set(sources)
    admitted, deciding = _judge(kind, listed, tuple(wanted.intervals()))
    return AclResult(kind, acl_id, listed, wanted, admitted, wanted - admitted, deciding)


@lru_cache(maxsize=4096)
def _judge(
    kind: str, listed: tuple[AclEntry, ...], spans: tuple[tuple[int, int], ...]
) -> tuple[IntervalSet, tuple[AclEntry, ...]]:
    """(admitted, deciding entries). Remembered: one long list shared by many listeners is
    judged against the same egress for every authorization behind them."""
    wanted = IntervalSet(spans)
    deciding = tuple(e for e in listed if _entry_addresses(e) & wanted)
    covered = IntervalSet(span for e in deciding for span in _entry_addresses(e).intervals())
    if kind == "black":
        return wanted - covered, deciding
    if listed:
        return wanted & covered, deciding
    return wanted, deciding  # an enabled whitelist with no entries admits everything


def missing_entries(
    acl_type: str,
    entries: Sequence[AclEntry] | Sequence[str],
    sources: Iterable[str],
) -> list[str]:
    """The source CIDRs, as given, that a whitelist leaves partly out: what a fix adds.

    A blacklist gets nothing: a fix never removes a blacklist entry.
    """
    if _acl_type(acl_type) == "black":
        return []
    return [c for c in sources if not evaluate_acl("white", entries, [c]).fully_admitted]
