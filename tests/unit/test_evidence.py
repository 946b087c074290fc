"""`evidence_lines`: each check's evidence as readable rows, never JSON."""

from __future__ import annotations

from tests.unit.snapshots import EGRESS, clb_snapshot, ecs_snapshot, gateway, rule
from vpctest.diagnostics.checks import run_checks
from vpctest.diagnostics.evidence import evidence_lines
from vpctest.diagnostics.facts import SgRule
from vpctest.diagnostics.report import CheckResult, Status

VSERVER = {"type": "vserver", "id": "rsp-1", "name": "web-v2"}


def checks_of(snap) -> dict[str, CheckResult]:
    return {c.id: c for c in run_checks(snap)}


def result(check_id: str, evidence: dict) -> CheckResult:
    return CheckResult(check_id, Status.FAIL, "…", evidence)


def no_json(lines: list[str]) -> None:
    assert lines
    for line in lines:
        assert "{" not in line and '"' not in line and "[{" not in line, line


# --- security groups ---------------------------------------------------------------------------


def test_segments_in_evaluation_order_name_the_deciding_rule() -> None:
    rules = (
        rule("drop", 1, cidr="100.104.13.0/27"),
        rule("accept", 10, cidr="0.0.0.0/0"),
    )
    check = checks_of(ecs_snapshot(rules=rules))["ecs.security_group"]
    lines = evidence_lines(check)
    assert lines[0] == "security groups sg-web · TCP port 8080"
    assert lines[1:] == [
        "  ✗ 100.104.13.0/27 dropped by sg-web: drop TCP 8080/8080 from 100.104.13.0/27 at "
        "priority 1, overriding sg-web: accept TCP 8080/8080 from 0.0.0.0/0 at priority 10",
        "  ✓ 100.104.13.32/27 admitted by sg-web: accept TCP 8080/8080 from 0.0.0.0/0 at "
        "priority 10",
    ]
    no_json(lines)


def test_no_rule_and_the_new_egress() -> None:
    check = checks_of(ecs_snapshot(rules=(rule(port="22/22"),)))["ecs.security_group"]
    assert evidence_lines(check)[1:] == [f"  ✗ {EGRESS} matched by no rule"]
    moving = ecs_snapshot(gw=gateway(new_egress_cidrs=("100.104.200.0/26",)))
    lines = evidence_lines(checks_of(moving)["ecs.security_group"])
    assert "  the gateway's new egress 100.104.200.0/26:" in lines
    assert "    ✗ 100.104.200.0/26 matched by no rule" in lines


def test_a_port_list_rule_names_its_list_and_an_eni_its_interface() -> None:
    listed = SgRule(
        "sg-eni",
        "accept",
        1,
        "TCP",
        -1,
        -1,
        source_cidrs=(EGRESS,),
        port_range_list_id="prl-web",
        port_list_ranges=((8080, 8080), (9000, 9100)),
    )
    check = checks_of(ecs_snapshot(rules=(listed,)))["ecs.security_group"]
    evidence = {**check.evidence, "network_interface": "eni-2"}
    lines = evidence_lines(result("ecs.security_group", evidence))
    assert lines[0] == "network interface eni-2 (its own groups)"
    assert (
        f"  ✓ {EGRESS} admitted by sg-eni: accept TCP (prl-web: 8080/8080, 9000/9100) "
        f"from {EGRESS} at priority 1"
    ) in lines


# --- CLB server groups and backends ----------------------------------------------------------


def test_health_rows_one_per_backend_with_weight_health_and_traffic() -> None:
    check = checks_of(clb_snapshot(health=("normal", "abnormal", "normal"), weights=(100, 50, 0)))[
        "clb.health"
    ]
    assert evidence_lines(check) == [
        "the default server group of lb-shop",
        "i-shop-0:8080  weight 100  normal  receives traffic",
        "i-shop-1:8080  weight 50  abnormal  — no traffic",
        "i-shop-2:8080  weight 0  normal  — weight 0, no traffic",
    ]


def test_vserver_group_with_an_eni_and_a_primary_secondary_pair() -> None:
    eni = result(
        "clb.health",
        {
            "server_group": VSERVER,
            "backends": [
                {
                    "server_id": "eni-x",
                    "type": "eni",
                    "port": 9000,
                    "weight": 0,
                    "health": "normal",
                    "receives_traffic": False,
                    "ip": "192.168.1.40",
                }
            ],
        },
    )
    assert evidence_lines(eni) == [
        "vServer group rsp-1 (web-v2)",
        "eni-x:9000 (ENI)  192.168.1.40  weight 0  normal  — weight 0, no traffic",
    ]
    pair = result(
        "clb.health",
        {
            "server_group": {"type": "primary_secondary", "id": "rsp-ha", "name": "rsp-ha"},
            "backends": [
                {
                    "server_id": "i-a",
                    "type": "ecs",
                    "port": 80,
                    "weight": 100,
                    "health": "normal",
                    "receives_traffic": True,
                    "role": "Master",
                },
                {
                    "server_id": "i-b",
                    "type": "ecs",
                    "port": 80,
                    "weight": 100,
                    "health": "normal",
                    "receives_traffic": False,
                    "role": "Slave",
                },
                {
                    "server_id": "i-c",
                    "type": "ecs",
                    "port": 80,
                    "weight": 100,
                    "health": "unavailable",
                    "receives_traffic": False,
                },
            ],
        },
    )
    assert evidence_lines(pair) == [
        "primary/secondary group rsp-ha",
        "i-a:80  primary (Master)  weight 100  normal  receives traffic",
        "i-b:80  secondary (Slave)  weight 100  normal  — standby, no traffic",
        "i-c:80  weight 100  health not checked  — no traffic",
    ]


def test_backend_security_groups_per_backend_port() -> None:
    snap = clb_snapshot(health=("normal", "normal"), backend_rules=(rule(port="22/22"),))
    check = checks_of(snap)["clb.backend_security_group"]
    assert evidence_lines(check) == [
        "the default server group of lb-shop",
        "i-shop-0:8080 — security groups sg-web",
        f"  ✗ {EGRESS} matched by no rule",
        "i-shop-1:8080 — security groups sg-web",
        f"  ✗ {EGRESS} matched by no rule",
    ]


def test_long_lists_are_clipped_with_and_n_more() -> None:
    check = checks_of(clb_snapshot(health=("normal",) * 25))["clb.health"]
    lines = evidence_lines(check, limit=3)
    assert len(lines) == 1 + 3 + 1
    assert lines[-1] == "… and 22 more"
    assert len(evidence_lines(check)) == 1 + 10 + 1


# --- access control, probe, status, anything else ---------------------------------------------


def test_whitelist_and_blacklist_entries_that_matter() -> None:
    evidence = {
        "acl_id": "acl-1",
        "acl_type": "white",
        "egress": {
            "acl_id": "acl-1",
            "acl_type": "white",
            "entry_count": 2,
            "sources": [EGRESS],
            "fully_admitted": False,
            "admitted": ["100.104.13.0/27"],
            "denied": ["100.104.13.32/27"],
            "deciding_entries": [{"cidr": "100.104.13.0/27", "comment": "half"}],
        },
    }
    assert evidence_lines(result("clb.acl", evidence)) == [
        "whitelist acl-1 (2 entries)",
        "✓ entry 100.104.13.0/27 (half) admits",
        "✗ 100.104.13.32/27 covered by no entry",
    ]
    black = {
        "acl_id": "acl-2",
        "acl_type": "black",
        "egress": {
            **evidence["egress"],
            "acl_type": "black",
            "entry_count": 1,
            "admitted": ["100.104.13.32/27"],
        },
    }
    assert evidence_lines(result("clb.acl", black)) == [
        "blacklist acl-2 (1 entry)",
        "✗ entry 100.104.13.0/27 (half) blocks",
        "✓ 100.104.13.32/27 covered by no entry, so admitted",
    ]


def test_probe_status_and_the_generic_fallback() -> None:
    probe = {"from": "i-web", "to": "192.168.1.10:8080", "output": "Connection\nrefused"}
    assert evidence_lines(result("backend.port", probe)) == [
        "Cloud Assistant probe from i-web to 192.168.1.10:8080",
        "output: Connection refused",
    ]
    status = {"instance_id": "i-web", "status": "Running", "health": "Impaired"}
    assert evidence_lines(result("ecs.status", status)) == ["i-web is Running, health Impaired"]
    vpc = {"authorization_vpc": "vpc-a", "instance_vpc": "vpc-b"}
    assert evidence_lines(result("authorization.vpc", vpc)) == [
        "authorization vpc: vpc-a",
        "instance vpc: vpc-b",
    ]
    assert evidence_lines(result("connectivity", {"connected": False})) == []
    assert evidence_lines(result("clb.health", {})) == []


def test_a_shape_it_does_not_know_becomes_key_value_rows() -> None:
    odd = result("clb.health", {"server_group": "rsp-1", "backends": [1, 2]})
    lines = evidence_lines(odd)
    assert lines == ["server group: rsp-1", "backends: 1, 2"]
