"""The security-group evaluator: each rule of the semantics, and agreement with `admits`."""

from __future__ import annotations

import ipaddress
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from vpctest.diagnostics.facts import SgRule
from vpctest.diagnostics.rules.intervals import IntervalSet
from vpctest.diagnostics.rules.security_groups import (
    admits,
    blocking_drops,
    deciding_rule,
    evaluate_ingress,
    fix_priority,
)

EGRESS = ["100.104.13.0/26"]


def rule(
    policy: str = "accept",
    priority: int = 1,
    source: str | None = "100.104.13.0/26",
    protocol: str = "TCP",
    ports: tuple[int, int] = (8080, 8080),
    group: str = "sg-web",
    **kw,
) -> SgRule:
    return SgRule(
        security_group_id=group,
        policy=policy,
        priority=priority,
        protocol=protocol,
        port_from=ports[0],
        port_to=ports[1],
        source_cidrs=(source,) if source else (),
        **kw,
    )


def cidrs(s: IntervalSet) -> list[str]:
    return s.to_cidrs()


# --- hand-written cases ---------------------------------------------------------------------------


def test_no_rule_means_denied() -> None:
    result = evaluate_ingress([], EGRESS, 8080)
    assert not result.fully_admitted and cidrs(result.denied) == EGRESS
    assert result.explain() == "no rule admits TCP 8080 from 100.104.13.0/26"
    assert result.segments[0].rule is None


def test_an_accept_covering_the_range_admits_it() -> None:
    result = evaluate_ingress([rule()], EGRESS, 8080)
    assert result.fully_admitted and cidrs(result.admitted) == EGRESS
    assert result.explain() == (
        "100.104.13.0/26 admitted by sg-web: accept TCP 8080/8080 from 100.104.13.0/26 "
        "at priority 1"
    )


def test_smaller_priority_number_decides() -> None:
    rules = [rule("drop", 5, "0.0.0.0/0"), rule("accept", 2)]
    result = evaluate_ingress(rules, EGRESS, 8080)
    assert result.fully_admitted
    assert result.segments[0].rule == rules[1]


def test_a_worse_priority_drop_does_not_override_a_better_accept() -> None:
    rules = [rule("accept", 10), rule("drop", 11, "0.0.0.0/0")]
    assert evaluate_ingress(rules, EGRESS, 8080).fully_admitted


def test_drop_beats_accept_at_equal_priority() -> None:
    rules = [rule("accept", 3), rule("drop", 3, "100.104.0.0/16")]
    result = evaluate_ingress(rules, EGRESS, 8080)
    assert not result.fully_admitted
    assert result.segments[0].rule == rules[1]
    assert result.segments[0].overridden == rules[0]


def test_the_specs_drop_override_message() -> None:
    rules = [rule("accept", 10), rule("drop", 1, "0.0.0.0/0")]
    result = evaluate_ingress(rules, EGRESS, 8080)
    assert result.explain() == (
        "sg-web: drop TCP 8080/8080 from 0.0.0.0/0 at priority 1 "
        "overrides accept from 100.104.13.0/26 at priority 10"
    )
    evidence = result.evidence()
    json.dumps(evidence)
    segment = evidence["segments"][0]
    assert segment["admitted"] is False and segment["cidrs"] == EGRESS
    assert segment["rule"]["policy"] == "drop" and segment["rule"]["priority"] == 1
    assert segment["overridden"]["source"] == "100.104.13.0/26"


def test_a_drop_with_nothing_to_override_names_the_addresses() -> None:
    result = evaluate_ingress([rule("drop", 4, "100.104.0.0/16")], EGRESS, 8080)
    assert result.explain() == (
        "100.104.13.0/26 dropped by sg-web: drop TCP 8080/8080 from 100.104.0.0/16 at priority 4"
    )


def test_protocol_all_matches_tcp_on_any_port() -> None:
    result = evaluate_ingress([rule(protocol="ALL", ports=(-1, -1))], EGRESS, 22)
    assert result.fully_admitted


def test_udp_does_not_match_tcp_nor_icmp() -> None:
    rules = [rule(protocol="UDP"), rule(protocol="ICMP", ports=(-1, -1))]
    assert not evaluate_ingress(rules, EGRESS, 8080).admitted
    assert evaluate_ingress(rules[:1], EGRESS, 8080, protocol="udp").fully_admitted


def test_port_ranges() -> None:
    wide = rule(ports=(8000, 8100))
    assert evaluate_ingress([wide], EGRESS, 8000).fully_admitted
    assert evaluate_ingress([wide], EGRESS, 8100).fully_admitted
    assert not evaluate_ingress([wide], EGRESS, 8101).admitted
    assert not evaluate_ingress([rule(ports=(80, 80))], EGRESS, 8080).admitted
    assert evaluate_ingress([rule(ports=(-1, -1))], EGRESS, 8080).fully_admitted


def test_partial_coverage_leaves_the_rest_denied() -> None:
    result = evaluate_ingress([rule(source="100.104.13.0/27")], EGRESS, 8080)
    assert cidrs(result.admitted) == ["100.104.13.0/27"]
    assert cidrs(result.denied) == ["100.104.13.32/27"]
    assert result.explain() == (
        "100.104.13.0/27 admitted by sg-web: accept TCP 8080/8080 from 100.104.13.0/27 "
        "at priority 1; 100.104.13.32/27 matched by no rule"
    )


def test_a_partial_drop_names_the_part_it_takes() -> None:
    rules = [rule("accept", 10), rule("drop", 1, "100.104.13.48/28", group="sg-other")]
    result = evaluate_ingress(rules, EGRESS, 8080)
    assert cidrs(result.denied) == ["100.104.13.48/28"]
    assert "100.104.13.48/28 dropped by sg-other: drop" in result.explain()
    assert "(overrides sg-web: accept from 100.104.13.0/26 at priority 10)" in result.explain()


def test_segments_of_one_rule_are_grouped_even_when_apart() -> None:
    rules = [rule("accept", 2), rule("drop", 1, "100.104.13.16/28")]
    result = evaluate_ingress(rules, EGRESS, 8080)
    assert [(cidrs(s.addresses), s.admitted) for s in result.segments] == [
        (["100.104.13.0/28", "100.104.13.32/27"], True),
        (["100.104.13.16/28"], False),
    ]


def test_several_pooled_groups_decide_together() -> None:
    rules = [
        rule("accept", 1, "100.104.13.0/27", group="sg-a"),
        rule("accept", 1, "100.104.13.32/27", group="sg-b"),
    ]
    result = evaluate_ingress(rules, EGRESS, 8080)
    assert result.fully_admitted
    assert {s.rule.security_group_id for s in result.segments if s.rule} == {"sg-a", "sg-b"}
    # A drop in one group beats an accept in another at the same priority.
    dropped = evaluate_ingress([*rules, rule("drop", 1, "0.0.0.0/0", group="sg-c")], EGRESS, 8080)
    assert not dropped.admitted


def test_group_rules_match_only_the_members_given() -> None:
    by_group = rule(source=None, source_group_id="sg-peers")
    assert not evaluate_ingress([by_group], EGRESS, 8080).admitted
    members = {"sg-peers": IntervalSet.from_cidrs(["100.104.13.5"])}
    result = evaluate_ingress([by_group], EGRESS, 8080, group_members=members)
    assert cidrs(result.admitted) == ["100.104.13.5/32"]
    assert admits([by_group], "100.104.13.5", 8080, group_members=members)
    assert not admits([by_group], "100.104.13.6", 8080, group_members=members)


def test_ipv6_sources_never_match() -> None:
    assert not evaluate_ingress([rule(source="::/0")], EGRESS, 8080).admitted


def test_sources_may_be_an_interval_set_or_several_cidrs() -> None:
    both = ["100.104.13.0/26", "100.104.14.0/26"]
    result = evaluate_ingress([rule()], IntervalSet.from_cidrs(both), 8080)
    assert cidrs(result.denied) == ["100.104.14.0/26"]
    assert evaluate_ingress([rule()], both, 8080).denied == result.denied


def test_empty_sources_are_vacuously_admitted() -> None:
    result = evaluate_ingress([], [], 8080)
    assert result.fully_admitted and result.explain() == "no source addresses to check"


def test_reference_evaluator() -> None:
    rules = [rule("accept", 10), rule("drop", 1, "100.104.13.7")]
    assert admits(rules, "100.104.13.6", 8080)
    assert not admits(rules, "100.104.13.7", 8080)
    assert deciding_rule(rules, "100.104.13.7", 8080) == rules[1]
    assert deciding_rule(rules, "10.0.0.1", 8080) is None


# --- fixing -------------------------------------------------------------------------------------


def test_fix_priority_is_1_when_no_drop_matches() -> None:
    rules = [rule("drop", 1, "10.0.0.0/8"), rule("drop", 1, ports=(22, 22))]
    assert fix_priority(rules, EGRESS, 8080) == 1
    assert blocking_drops(rules, EGRESS, 8080) == []


def test_fix_priority_beats_the_best_matching_drop() -> None:
    rules = [
        rule("drop", 7, "0.0.0.0/0"),
        rule("drop", 5, "100.104.13.60/30"),
        rule("drop", 2, "100.104.14.0/24"),  # outside the sources
    ]
    assert fix_priority(rules, EGRESS, 8080) == 4
    assert blocking_drops(rules, EGRESS, 8080) == [rules[1], rules[0]]


def test_no_fix_priority_beats_a_drop_at_priority_1() -> None:
    rules = [rule("drop", 1, "100.104.13.0/30"), rule("accept", 5)]
    assert fix_priority(rules, EGRESS, 8080) is None
    assert blocking_drops(rules, EGRESS, 8080) == [rules[0]]


def test_the_fix_priority_works() -> None:
    rules = [rule("drop", 6, "0.0.0.0/0"), rule("accept", 6)]
    priority = fix_priority(rules, EGRESS, 8080)
    assert priority == 5
    assert evaluate_ingress([*rules, rule("accept", priority)], EGRESS, 8080).fully_admitted


# --- agreement with the one-address reference ---------------------------------------------------

REGION = ipaddress.IPv4Network("100.104.12.0/22")
PORTS = (8079, 8080, 8081)


@st.composite
def cidr_in_region(draw, shortest: int = 22) -> str:
    prefix = draw(st.integers(shortest, 32))
    offset = draw(st.integers(0, REGION.num_addresses - 1))
    address = REGION.network_address + offset
    return str(ipaddress.IPv4Network((address, prefix), strict=False))


@st.composite
def sg_rules(draw) -> SgRule:
    low = draw(st.sampled_from((-1, *PORTS)))
    high = -1 if low == -1 else draw(st.integers(low, PORTS[-1]))
    by_group = draw(st.integers(0, 4)) == 0  # one rule in five names a source group
    any_source = st.one_of(cidr_in_region(), st.just("0.0.0.0/0"))
    sources = () if by_group else tuple(draw(st.lists(any_source, min_size=1, max_size=2)))
    return SgRule(
        security_group_id=draw(st.sampled_from(("sg-a", "sg-b"))),
        policy=draw(st.sampled_from(("accept", "drop", "Accept", "Drop"))),
        priority=draw(st.integers(1, 5)),
        protocol=draw(st.sampled_from(("TCP", "UDP", "ALL", "ICMP"))),
        port_from=low,
        port_to=high,
        source_cidrs=sources,
        source_group_id="sg-peers" if by_group else None,
    )


@settings(max_examples=150, deadline=None)
@given(
    rules=st.lists(sg_rules(), max_size=8),
    sources=st.lists(cidr_in_region(shortest=25), min_size=1, max_size=3),
    port=st.sampled_from(PORTS),
    protocol=st.sampled_from(("TCP", "UDP")),
    peers=st.lists(cidr_in_region(shortest=28), max_size=2),
)
def test_evaluate_ingress_agrees_with_admits(rules, sources, port, protocol, peers) -> None:
    members = {"sg-peers": IntervalSet.from_cidrs(peers)}
    result = evaluate_ingress(rules, sources, port, protocol, members)
    wanted = IntervalSet.from_cidrs(sources)
    assert result.admitted | result.denied == wanted
    assert (result.admitted & result.denied).is_empty
    for first, last in wanted.intervals():
        for address in range(first, last + 1):
            expected = deciding_rule(rules, address, port, protocol, members)
            segment = next(s for s in result.segments if address in s.addresses)
            assert segment.admitted == admits(rules, address, port, protocol, members)
            if expected is None:
                assert segment.rule is None
            else:
                assert segment.rule is not None
                assert segment.rule.policy.lower() == expected.policy.lower()
                assert segment.rule.priority == expected.priority
    json.dumps(result.evidence())
    assert result.explain()
