"""CLB listener ACLs: white and black lists, and agreement with a per-address check."""

from __future__ import annotations

import ipaddress
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vpctest.diagnostics.facts import AclEntry
from vpctest.diagnostics.rules.acls import evaluate_acl, missing_entries

EGRESS = ["100.104.13.0/26"]


def test_whitelist_that_does_not_cover_the_egress() -> None:
    result = evaluate_acl("white", [AclEntry("10.0.0.0/8")], EGRESS, acl_id="acl-lb-1")
    assert not result.fully_admitted and result.denied.to_cidrs() == EGRESS
    assert result.deciding_entries == ()
    assert (
        result.explain()
        == "whitelist acl-lb-1 does not cover 100.104.13.0/26 (entries: 10.0.0.0/8)"
    )
    assert missing_entries("white", ["10.0.0.0/8"], EGRESS) == EGRESS


def test_whitelist_covering_part_names_the_rest() -> None:
    entries = [AclEntry("100.104.13.0/27", "gateway"), AclEntry("10.0.0.0/8")]
    result = evaluate_acl("white", entries, EGRESS, acl_id="acl-lb-1")
    assert result.admitted.to_cidrs() == ["100.104.13.0/27"]
    assert result.denied.to_cidrs() == ["100.104.13.32/27"]
    assert result.deciding_entries == (entries[0],)
    assert "does not cover 100.104.13.32/27" in result.explain()
    assert missing_entries("white", entries, [*EGRESS, "100.104.13.8/29"]) == EGRESS


def test_whitelist_covered_by_several_entries() -> None:
    entries = ["100.104.13.0/27", "100.104.13.32/27"]
    result = evaluate_acl("white", entries, EGRESS)
    assert result.fully_admitted
    assert result.explain() == (
        "whitelist admits 100.104.13.0/26 (entries: 100.104.13.0/27, 100.104.13.32/27)"
    )
    assert missing_entries("white", entries, EGRESS) == []


def test_an_empty_whitelist_admits_everything() -> None:
    result = evaluate_acl("white", [], EGRESS, acl_id="acl-empty")
    assert result.fully_admitted
    assert "no entries" in result.explain()
    assert missing_entries("white", [], EGRESS) == []


def test_a_long_whitelist_is_abbreviated() -> None:
    entries = [f"10.0.{i}.0/24" for i in range(8)]
    text = evaluate_acl("white", entries, EGRESS).explain()
    assert text.endswith("10.0.4.0/24 and 3 more)")


def test_blacklist_partial_overlap_blocks_that_part() -> None:
    entries = [AclEntry("100.104.13.48/28", "old office"), AclEntry("192.168.0.0/16")]
    result = evaluate_acl("black", entries, EGRESS, acl_id="acl-x")
    assert result.denied.to_cidrs() == ["100.104.13.48/28"]
    assert result.admitted.to_cidrs() == ["100.104.13.0/27", "100.104.13.32/28"]
    assert result.deciding_entries == (entries[0],)
    assert (
        result.explain()
        == "blacklist acl-x entry 100.104.13.48/28 (old office) blocks 100.104.13.48/28"
    )
    assert missing_entries("black", entries, EGRESS) == []


def test_blacklist_entry_wider_than_the_egress() -> None:
    result = evaluate_acl("black", [AclEntry("100.104.0.0/16", "gw")], EGRESS, acl_id="acl-x")
    assert result.explain() == "blacklist acl-x entry 100.104.0.0/16 (gw) blocks 100.104.13.0/26"


def test_blacklist_that_covers_nothing_admits_all() -> None:
    result = evaluate_acl("black", ["10.0.0.0/8"], EGRESS)
    assert result.fully_admitted and result.deciding_entries == ()
    assert result.explain() == "blacklist has no entry covering 100.104.13.0/26"


def test_evidence_is_json() -> None:
    evidence = evaluate_acl("Black", [AclEntry("100.104.13.0/30", "x")], EGRESS, "a").evidence()
    assert json.loads(json.dumps(evidence))["deciding_entries"] == [
        {"cidr": "100.104.13.0/30", "comment": "x"}
    ]
    assert evidence["acl_type"] == "black" and evidence["denied"] == ["100.104.13.0/30"]


def test_unknown_acl_type_is_rejected() -> None:
    with pytest.raises(ValueError, match="'grey'"):
        evaluate_acl("grey", [], EGRESS)


# --- agreement with a per-address check -------------------------------------------------------

REGION = ipaddress.IPv4Network("100.104.12.0/22")


@st.composite
def cidr_in_region(draw, shortest: int = 22) -> str:
    prefix = draw(st.integers(shortest, 32))
    address = REGION.network_address + draw(st.integers(0, REGION.num_addresses - 1))
    return str(ipaddress.IPv4Network((address, prefix), strict=False))


def covered(address: int, entries: list[str]) -> bool:
    ip = ipaddress.IPv4Address(address)
    return any(ip in ipaddress.IPv4Network(e, strict=False) for e in entries)


@settings(max_examples=100, deadline=None)
@given(
    acl_type=st.sampled_from(("white", "black")),
    entries=st.lists(cidr_in_region(), max_size=4),
    sources=st.lists(cidr_in_region(shortest=25), min_size=1, max_size=3),
)
def test_evaluate_acl_agrees_with_a_per_address_check(acl_type, entries, sources) -> None:
    result = evaluate_acl(acl_type, entries, sources)
    addresses = {int(a) for s in sources for a in ipaddress.IPv4Network(s, strict=False)}
    for address in addresses:
        if acl_type == "white":
            expected = not entries or covered(address, entries)
        else:
            expected = not covered(address, entries)
        assert (address in result.admitted) == expected
        assert (address in result.denied) == (not expected)
    assert result.fully_admitted == all(
        (not entries or covered(a, entries)) if acl_type == "white" else not covered(a, entries)
        for a in addresses
    )
    deciding = {e.cidr for e in result.deciding_entries}
    assert deciding == {e for e in entries if any(covered(a, [e]) for a in addresses)}
    missing = missing_entries(acl_type, entries, sources)
    if acl_type == "white":
        assert missing == [
            s
            for s in sources
            if entries and not all(covered(int(a), entries) for a in ipaddress.IPv4Network(s))
        ]
    else:
        assert missing == []
