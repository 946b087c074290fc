"""IntervalSet: parsing, algebra against Python sets, and CIDR rendering."""

from __future__ import annotations

import ipaddress
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vpctest.diagnostics.rules.intervals import IntervalSet, as_interval_set

BASE = int(ipaddress.IPv4Address("100.104.12.0"))


def test_from_cidrs_merges_overlapping_and_touching_blocks() -> None:
    s = IntervalSet.from_cidrs(["100.104.13.0/27", "100.104.13.32/27", "100.104.13.16/28"])
    assert s.intervals() == ((BASE + 256, BASE + 256 + 63),)
    assert s.to_cidrs() == ["100.104.13.0/26"]
    assert s.size == 64


def test_bare_address_is_a_host_and_host_bits_are_cleared() -> None:
    assert IntervalSet.from_cidrs(["10.0.0.7"]).to_cidrs() == ["10.0.0.7/32"]
    assert IntervalSet.from_cidrs(["10.0.0.7/24"]).to_cidrs() == ["10.0.0.0/24"]


def test_a_single_string_is_one_cidr() -> None:
    assert IntervalSet.from_cidrs("10.0.0.0/8") == IntervalSet.from_cidrs(["10.0.0.0/8"])


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "10.0.0", "banana", "", "10.0.0.256", "::1"])
def test_malformed_or_ipv6_input_is_rejected_naming_the_value(bad: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        IntervalSet.from_cidrs([bad])


def test_ipv6_can_be_skipped_where_it_cannot_match() -> None:
    s = IntervalSet.from_cidrs(["2001:db8::/32", "10.0.0.0/31"], skip_ipv6=True)
    assert s.to_cidrs() == ["10.0.0.0/31"]
    with pytest.raises(ValueError, match="banana"):
        IntervalSet.from_cidrs(["banana"], skip_ipv6=True)


def test_contains_takes_ints_and_dotted_quads() -> None:
    s = IntervalSet.from_cidrs(["100.104.13.0/26"])
    assert "100.104.13.63" in s and "100.104.13.64" not in s
    assert BASE + 256 in s and BASE + 255 not in s
    with pytest.raises(ValueError, match="::1"):
        _ = "::1" in s


def test_whole_space_and_empty_set() -> None:
    everything = IntervalSet.from_cidrs(["0.0.0.0/0"])
    assert everything.size == 2**32
    assert everything.to_cidrs() == ["0.0.0.0/0"]
    assert (everything - everything).is_empty
    assert IntervalSet.empty().is_empty and not IntervalSet.empty()
    assert everything.covers(IntervalSet.empty())
    assert str(IntervalSet.empty()) == "no addresses"


def test_to_cidrs_is_minimal_for_an_unaligned_range() -> None:
    s = IntervalSet([(BASE + 1, BASE + 6)])
    assert s.to_cidrs() == [
        "100.104.12.1/32",
        "100.104.12.2/31",
        "100.104.12.4/31",
        "100.104.12.6/32",
    ]


def test_str_shows_cidrs_or_ranges() -> None:
    assert str(IntervalSet.from_cidrs(["10.0.0.0/27", "10.0.1.0/24"])) == "10.0.0.0/27, 10.0.1.0/24"
    assert str(IntervalSet([(BASE + 1, BASE + 6), (BASE + 9, BASE + 9)])) == (
        "100.104.12.1-100.104.12.6, 100.104.12.9"
    )


def test_as_interval_set_passes_sets_through() -> None:
    s = IntervalSet.from_cidrs(["10.0.0.0/8"])
    assert as_interval_set(s) is s
    assert as_interval_set(["10.0.0.0/8"]) == s


# --- algebra against Python sets of ints ------------------------------------------------------

SMALL = 64
spans = st.lists(
    st.tuples(st.integers(0, SMALL - 1), st.integers(0, 8)).map(
        lambda t: (t[0], min(SMALL - 1, t[0] + t[1]))
    ),
    max_size=5,
)


def members(s: IntervalSet) -> set[int]:
    return {a for first, last in s.intervals() for a in range(first, last + 1)}


@settings(max_examples=200, deadline=None)
@given(spans, spans)
def test_algebra_agrees_with_python_sets(a_spans, b_spans) -> None:
    a, b = IntervalSet(a_spans), IntervalSet(b_spans)
    sa, sb = members(a), members(b)
    assert sa == {x for f, t in a_spans for x in range(f, t + 1)}
    assert members(a | b) == sa | sb
    assert members(a & b) == sa & sb
    assert members(a - b) == sa - sb
    assert a.covers(b) == (sb <= sa)
    assert a.size == len(sa)
    assert a.is_empty == (not sa)
    assert all((x in a) == (x in sa) for x in range(SMALL + 2))
    # Intervals are sorted, disjoint and not touching.
    ivs = a.intervals()
    assert all(ivs[i][1] + 1 < ivs[i + 1][0] for i in range(len(ivs) - 1))
    # CIDRs cover exactly the set, and equal sets are equal values.
    assert IntervalSet.from_cidrs(a.to_cidrs()) == a
    assert (a == b) == (sa == sb)
