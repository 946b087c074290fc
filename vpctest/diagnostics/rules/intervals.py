"""Sets of IPv4 addresses as sorted, merged, inclusive integer intervals.

Rules and ACLs name CIDRs that overlap in arbitrary ways; reasoning over intervals
lets the evaluators answer for a whole egress range at once instead of address by
address, and name the exact part of a range a rule leaves out.
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from ipaddress import IPv4Address, IPv4Network

MAX_ADDRESS = 2**32 - 1
STR_CIDR_LIMIT = 4  # beyond this many CIDRs, __str__ shows ranges instead

Span = tuple[int, int]  # inclusive (first, last)


def parse_network(text: str) -> IPv4Network:
    """One "a.b.c.d/n" or bare "a.b.c.d" (a /32); host bits are cleared, as the cloud does."""
    if not isinstance(text, str):
        raise ValueError(f"not an IPv4 address or CIDR: {text!r}")
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise ValueError(f"not an IPv4 address or CIDR: {text!r}") from None
    if network.version != 4:
        raise ValueError(f"IPv6 is not supported here: {text!r}")
    return network


def parse_address(value: object) -> int:
    """An address as an integer, from an integer or a dotted quad."""
    if isinstance(value, bool):
        raise ValueError(f"not an IPv4 address: {value!r}")
    if isinstance(value, int):
        if not 0 <= value <= MAX_ADDRESS:
            raise ValueError(f"not an IPv4 address: {value!r}")
        return value
    if not isinstance(value, str):
        raise ValueError(f"not an IPv4 address: {value!r}")
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        raise ValueError(f"not an IPv4 address: {value!r}") from None
    if address.version != 4:
        raise ValueError(f"IPv6 is not supported here: {value!r}")
    return int(address)


def is_ipv6(text: str) -> bool:
    """Whether `text` is a well-formed IPv6 address or CIDR (which never holds an IPv4 packet)."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False).version == 6
    except (ValueError, AttributeError):
        return False


def _normalise(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Sort and merge overlapping or touching spans."""
    merged: list[list[int]] = []
    for first, last in sorted(spans):
        if not 0 <= first <= last <= MAX_ADDRESS:
            raise ValueError(f"not an IPv4 address interval: ({first}, {last})")
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return tuple((first, last) for first, last in merged)


class IntervalSet:
    """An immutable set of IPv4 addresses."""

    __slots__ = ("_spans",)
    _spans: tuple[Span, ...]

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        object.__setattr__(self, "_spans", _normalise(spans))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("IntervalSet is immutable")

    # --- constructors ---------------------------------------------------------------------

    @classmethod
    def empty(cls) -> IntervalSet:
        return cls()

    @classmethod
    def from_cidrs(cls, cidrs: Iterable[str] | str, *, skip_ipv6: bool = False) -> IntervalSet:
        """The addresses of CIDRs or bare addresses (one string counts as one CIDR).

        `skip_ipv6` drops IPv6 entries instead of rejecting them: a rule's or ACL's IPv6
        source can never match the IPv4 traffic under test.
        """
        if isinstance(cidrs, str):
            cidrs = [cidrs]
        spans = []
        for text in cidrs:
            if skip_ipv6 and isinstance(text, str) and is_ipv6(text):
                continue
            network = parse_network(text)
            spans.append((int(network.network_address), int(network.broadcast_address)))
        return cls(spans)

    # --- queries --------------------------------------------------------------------------

    def intervals(self) -> tuple[Span, ...]:
        """The inclusive (first, last) integer intervals, sorted and merged."""
        return self._spans

    @property
    def is_empty(self) -> bool:
        return not self._spans

    @property
    def size(self) -> int:
        """How many addresses the set holds."""
        return sum(last - first + 1 for first, last in self._spans)

    def __contains__(self, address: object) -> bool:
        value = parse_address(address)
        index = bisect_right(self._spans, (value, MAX_ADDRESS)) - 1
        return index >= 0 and self._spans[index][0] <= value <= self._spans[index][1]

    def covers(self, other: IntervalSet) -> bool:
        """Whether every address of `other` is in this set."""
        return (other - self).is_empty

    def to_cidrs(self) -> list[str]:
        """The fewest CIDRs that hold exactly these addresses."""
        return [network.with_prefixlen for network in self._networks()]

    def _networks(self) -> Iterator[IPv4Network]:
        for first, last in self._spans:
            yield from ipaddress.summarize_address_range(IPv4Address(first), IPv4Address(last))

    # --- algebra --------------------------------------------------------------------------

    def __or__(self, other: IntervalSet) -> IntervalSet:
        if not isinstance(other, IntervalSet):
            return NotImplemented
        return IntervalSet(self._spans + other._spans)

    def __and__(self, other: IntervalSet) -> IntervalSet:
        if not isinstance(other, IntervalSet):
            return NotImplemented
        result: list[Span] = []
        mine, theirs = self._spans, other._spans
        i = j = 0
        while i < len(mine) and j < len(theirs):
            first = max(mine[i][0], theirs[j][0])
            last = min(mine[i][1], theirs[j][1])
            if first <= last:
                result.append((first, last))
            if mine[i][1] < theirs[j][1]:
                i += 1
            else:
                j += 1
        return IntervalSet(result)

    def __sub__(self, other: IntervalSet) -> IntervalSet:
        if not isinstance(other, IntervalSet):
            return NotImplemented
        result: list[Span] = []
        theirs = other._spans
        j = 0
        for first, last in self._spans:
            # Skip the spans of `other` that end before this one starts.
            while j < len(theirs) and theirs[j][1] < first:
                j += 1
            start = first
            k = j
            while k < len(theirs) and theirs[k][0] <= last:
                if theirs[k][0] > start:
                    result.append((start, theirs[k][0] - 1))
                start = max(start, theirs[k][1] + 1)
                k += 1
            if start <= last:
                result.append((start, last))
        return IntervalSet(result)

    # --- value behaviour ------------------------------------------------------------------

    def __bool__(self) -> bool:
        return bool(self._spans)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IntervalSet):
            return NotImplemented
        return self._spans == other._spans

    def __hash__(self) -> int:
        return hash(self._spans)

    def __repr__(self) -> str:
        return f"IntervalSet.from_cidrs({self.to_cidrs()!r})"

    def __str__(self) -> str:
        """CIDRs when there are a few, else dotted first-last ranges."""
        if not self._spans:
            return "no addresses"
        cidrs = self.to_cidrs()
        if len(cidrs) <= STR_CIDR_LIMIT:
            return ", ".join(cidrs)
        return ", ".join(_range_text(first, last) for first, last in self._spans)


def _range_text(first: int, last: int) -> str:
    if first == last:
        return str(IPv4Address(first))
    return f"{IPv4Address(first)}-{IPv4Address(last)}"


def as_interval_set(value: IntervalSet | Iterable[str] | str) -> IntervalSet:
    """Accept either an IntervalSet or CIDR strings wherever sources are taken."""
    return value if isinstance(value, IntervalSet) else IntervalSet.from_cidrs(value)
