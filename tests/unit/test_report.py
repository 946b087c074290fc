"""Verdicts, root causes and the check runner's skip/unknown rules."""

from __future__ import annotations

from dataclasses import replace

from tests.unit.snapshots import clb_snapshot, ecs_snapshot, rule
from vpctest.diagnostics.checks import run_checks
from vpctest.diagnostics.report import CHECKS, Report, Status
from vpctest.diagnostics.snapshot import Unavailable


def report_of(snap) -> Report:
    return Report(snap.vpc_access, snap.gateway, snap.target_type, run_checks(snap))


def statuses(report: Report) -> dict[str, str]:
    return {c.id: c.status.value for c in report.checks}


def test_every_check_appears_in_table_order() -> None:
    report = report_of(ecs_snapshot(connected=True))
    assert [c.id for c in report.checks] == [c[0] for c in CHECKS]


def test_pass_needs_connectivity_and_no_failure() -> None:
    report = report_of(ecs_snapshot(connected=True))
    assert report.verdict == Status.PASS and report.root_causes == []
    assert statuses(report)["clb.acl"] == "skipped"
    assert statuses(report)["backend.port"] == "skipped"


def test_stopped_instance_is_the_root_cause() -> None:
    report = report_of(ecs_snapshot(status="Stopped"))
    assert report.verdict == Status.FAIL
    assert report.root_causes == ["ecs.status"]


def test_connectivity_failing_alone_points_outside_the_checks() -> None:
    report = report_of(ecs_snapshot(connected=False))
    assert report.verdict == Status.FAIL
    assert report.root_causes == ["connectivity"]


def test_unknown_connectivity_without_failures_is_unknown() -> None:
    snap = ecs_snapshot()
    snap.connectivity = Unavailable("ValidateVpcConnectivity was denied")
    report = report_of(snap)
    assert report.check("connectivity").status == Status.UNKNOWN
    assert "denied" in report.check("connectivity").summary
    assert report.verdict == Status.UNKNOWN


def test_unreadable_facts_make_their_checks_unknown_never_fail() -> None:
    snap = ecs_snapshot(health="Ok")
    snap.security_groups = Unavailable("grant ecs:DescribeSecurityGroupAttribute")
    snap.ecs_health = Unavailable("grant ecs:DescribeInstancesFullStatus")
    report = report_of(snap)
    assert report.check("ecs.security_group").status == Status.UNKNOWN
    assert "ecs:DescribeSecurityGroupAttribute" in report.check("ecs.security_group").summary
    assert report.check("ecs.status").status == Status.UNKNOWN


def test_target_lookup_failure_makes_target_checks_unknown() -> None:
    snap = ecs_snapshot()
    snap.ecs = None
    snap.target_lookup = Unavailable("ecs:DescribeInstances denied")
    got = statuses(report_of(snap))
    assert got["authorization.target"] == "unknown"
    assert got["ecs.security_group"] == "unknown"
    assert got["connectivity"] == "fail"


def test_missing_target_fails_and_later_checks_are_skipped() -> None:
    snap = ecs_snapshot()
    snap.ecs = None
    report = report_of(snap)
    assert report.root_causes == ["authorization.target"]
    assert statuses(report)["ecs.status"] == "skipped"


def test_wrong_vpc() -> None:
    snap = ecs_snapshot()
    snap.vpc_access = replace(snap.vpc_access, vpc_id="vpc-other")
    report = report_of(snap)
    assert report.root_causes == ["authorization.vpc"]
    assert "vpc-main" in report.check("authorization.vpc").summary


def test_gateway_acl_fails_only_with_failed_connectivity() -> None:
    from vpctest.diagnostics.facts import GatewayAcl

    acl = GatewayAcl("on", "white", "acl-gw-1")
    gw = ecs_snapshot().gateway
    failing = report_of(ecs_snapshot(gw=replace(gw, acl=acl)))
    assert failing.check("gateway.acl").status == Status.FAIL
    assert failing.root_causes == ["gateway.acl"]
    passing = report_of(ecs_snapshot(gw=replace(gw, acl=acl), connected=True))
    assert passing.check("gateway.acl").status == Status.WARN
    assert passing.verdict == Status.PASS


def test_gateway_without_acl_is_a_full_sentence() -> None:
    summary = report_of(ecs_snapshot()).check("gateway.acl").summary
    assert summary.endswith("has no access-control policy turned on"), summary


def test_clb_listener_stopped_skips_health() -> None:
    report = report_of(clb_snapshot(listener_status="stopped"))
    got = statuses(report)
    assert got["clb.listener"] == "fail" and got["clb.health"] == "skipped"
    assert report.root_causes == ["clb.listener"]


def test_clb_health_partial_is_warn_none_is_fail() -> None:
    assert statuses(report_of(clb_snapshot(health=("normal", "abnormal"))))["clb.health"] == "warn"
    assert statuses(report_of(clb_snapshot(health=("abnormal",))))["clb.health"] == "fail"


def test_clb_without_listener_on_port() -> None:
    snap = clb_snapshot()
    snap.vpc_access = replace(snap.vpc_access, port=443)
    got = statuses(report_of(snap))
    assert got["authorization.port"] == "fail"
    assert got["clb.acl"] == got["clb.health"] == "skipped"


def test_ecs_health_warning_is_warn_and_impaired_is_fail() -> None:
    assert statuses(report_of(ecs_snapshot(health="Warning")))["ecs.status"] == "warn"
    assert statuses(report_of(ecs_snapshot(health="Impaired")))["ecs.status"] == "fail"


def test_tcp_backend_groups_admitting_the_egress_pass() -> None:
    report = report_of(clb_snapshot())
    check = report.check("clb.backend_security_group")
    assert check.status == Status.PASS, check.summary
    assert "i-shop-0:8080" in check.evidence["backends"]


def test_tcp_backend_groups_not_admitting_the_egress_fail_with_a_fix() -> None:
    report = report_of(clb_snapshot(backend_rules=(rule(cidr="10.0.0.0/8"),)))
    check = report.check("clb.backend_security_group")
    assert check.status == Status.FAIL, check.summary
    assert check.fix is not None and check.fix.to_json() == {
        "kind": "authorize_security_group",
        "security_group_id": "sg-web",
        "protocol": "TCP",
        "port_range": "8080/8080",
        "source_cidrs": ["100.104.13.0/26"],
        "priority": 1,
    }
    assert report.root_causes == ["clb.backend_security_group"]


def test_http_listener_skips_backend_groups() -> None:
    report = report_of(clb_snapshot(protocol="http", backend_rules=()))
    assert report.check("clb.backend_security_group").status == Status.SKIPPED


def test_no_check_crashes_on_the_sample_snapshots() -> None:
    for snap in (ecs_snapshot(), clb_snapshot(), clb_snapshot(health=("abnormal", "normal"))):
        for check in report_of(snap).checks:
            assert "internal error" not in check.summary, check
