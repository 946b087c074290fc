"""Step 2: the security groups and CLB access control admit the gateway's egress addresses.

Each is judged on today's egress (`fail` when any address is left out) and then on the
range the gateway is moving to (`warn`: the backend will break when it moves); the fix
covers whichever range is not admitted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vpctest.diagnostics.facts import SecurityGroup, SgRule
from vpctest.diagnostics.fixes import AddAclEntries, AuthorizeSecurityGroup, Fix, Wording
from vpctest.diagnostics.report import CheckResult, Status
from vpctest.diagnostics.rules.acls import AclResult, evaluate_acl, missing_entries
from vpctest.diagnostics.rules.security_groups import blocking_drops, evaluate_ingress, fix_priority
from vpctest.diagnostics.snapshot import Snapshot, need


def pooled_rules(groups: Sequence[SecurityGroup]) -> list[SgRule]:
    """All inbound rules of an instance's groups decide together."""
    return [rule for group in groups for rule in group.rules]


def sg_fix(
    groups: Sequence[SecurityGroup], cidrs: Sequence[str], port: int
) -> tuple[Fix | None, str]:
    """The narrowest accept rules that admit `cidrs`, or (None, what to change by hand)."""
    rules = pooled_rules(groups)
    missing = [c for c in cidrs if not evaluate_ingress(rules, [c], port).fully_admitted]
    if not missing:
        return None, ""
    priority = fix_priority(rules, missing, port)
    if priority is None:
        drops = "; ".join(
            r.describe() for r in blocking_drops(rules, missing, port) if r.priority == 1
        )
        return None, f"no new rule can beat {drops}: change that rule by hand"
    return AuthorizeSecurityGroup.admitting(groups[0].id, port, missing, priority), ""


def _fix_text(fix: Fix | None, manual: str) -> str:
    if fix is None:
        return f" — {manual}" if manual else ""
    return f" — {fix.describe(Wording.NOTE).render()}"


def _judge_groups(
    check_id: str, subject: str, groups: Sequence[SecurityGroup], port: int, snap: Snapshot
) -> CheckResult:
    """Shared by the ECS target and the CLB backends: pooled rules against the egress."""
    rules = pooled_rules(groups)
    egress, moving_to = snap.egress()
    today = evaluate_ingress(rules, egress, port)
    evidence: dict[str, Any] = {
        "security_groups": [g.id for g in groups],
        "port": port,
        "egress": today.evidence(),
    }
    if not today.fully_admitted:
        fix, manual = sg_fix(groups, egress, port)
        return CheckResult(
            check_id,
            Status.FAIL,
            f"{subject}: {today.explain()}{_fix_text(fix, manual)}",
            evidence,
            fix,
        )
    if moving_to:
        later = evaluate_ingress(rules, moving_to, port)
        evidence["new_egress"] = later.evidence()
        if not later.fully_admitted:
            fix, manual = sg_fix(groups, moving_to, port)
            return CheckResult(
                check_id,
                Status.WARN,
                f"{subject}: today's egress is admitted, but the gateway's new egress "
                f"{', '.join(moving_to)} is not: {later.explain()}{_fix_text(fix, manual)}",
                evidence,
                fix,
            )
    return CheckResult(check_id, Status.PASS, f"{subject}: {today.explain()}", evidence)


def ecs_security_group(snap: Snapshot) -> CheckResult:
    """The instance's groups, or, for the address of a secondary ENI, the ENI's own."""
    assert snap.ecs is not None
    subject = f"{snap.eni.id} (on {snap.ecs.id})" if snap.eni else snap.ecs.id
    groups = need(snap.security_groups)
    if not groups:
        return CheckResult(
            "ecs.security_group", Status.FAIL, f"{subject} is in no security group", {}
        )
    result = _judge_groups("ecs.security_group", subject, groups, snap.vpc_access.port, snap)
    if snap.eni:
        result.evidence["network_interface"] = snap.eni.id
    return result


def clb_acl(snap: Snapshot) -> CheckResult:
    listener = snap.listener
    assert listener is not None
    name = f"listener {listener.port}/{listener.protocol}"
    acl = need(snap.clb_acl) if listener.acl_status == "on" else None
    if acl is None:
        return CheckResult("clb.acl", Status.PASS, f"{name} has no access control on", {})
    egress, moving_to = snap.egress()

    def judge(cidrs: Sequence[str]) -> AclResult:
        return evaluate_acl(listener.acl_type, acl.entries, cidrs, acl_id=acl.id)

    today = judge(egress)
    evidence: dict[str, Any] = {"acl_id": acl.id, "acl_type": listener.acl_type}
    evidence["egress"] = today.evidence()
    for status, cidrs, result in (
        (Status.FAIL, egress, today),
        (Status.WARN, moving_to, judge(moving_to)),
    ):
        if not cidrs or result.fully_admitted:
            continue
        missing = missing_entries(listener.acl_type, acl.entries, cidrs)
        fix = AddAclEntries.admitting(acl.id, missing) if missing else None
        manual = "remove or narrow that blacklist entry by hand (a fix never removes one)"
        lead = (
            "" if status == Status.FAIL else "today's egress is admitted, but the new one is not: "
        )
        return CheckResult(
            "clb.acl",
            status,
            f"{name}: {lead}{result.explain()}{_fix_text(fix, manual)}",
            evidence,
            fix,
        )
    return CheckResult("clb.acl", Status.PASS, f"{name}: {today.explain()}", evidence)


def clb_backend_security_group(snap: Snapshot) -> CheckResult:
    """tcp/udp: the backends that receive traffic, each on its own port through its own
    groups (an ENI's are the ENI's). `skipped` when none receives any: clb.health fails."""
    check_id = "clb.backend_security_group"
    listener = snap.listener
    assert listener is not None and snap.clb is not None
    if not listener.passes_client_ip:
        return CheckResult(
            check_id,
            Status.SKIPPED,
            f"{listener.protocol} listeners proxy from the CLB's own addresses",
        )
    group = need(snap.server_group)
    members = snap.group_members()
    receiving = [m for m in members if m.receives_traffic]
    where = {"server_group": group.to_json()}
    if not members:
        return CheckResult(check_id, Status.SKIPPED, f"{group.title} has no backend servers", where)
    if not receiving:
        return CheckResult(
            check_id,
            Status.SKIPPED,
            f"no backend of {group.title} receives traffic (none is normal and of "
            "weight > 0), so clb.health fails first and a rule would mend nothing",
            where,
        )
    backends = need(snap.backends)
    groups_by_id = need(snap.backend_groups)
    results: dict[str, CheckResult] = {}
    for member in receiving:
        server = backends.get(member.server_id)
        if server is None:
            continue
        groups = [groups_by_id[g] for g in server.security_group_ids if g in groups_by_id]
        results[member.label] = _judge_groups(check_id, member.label, groups, member.port, snap)
    if not results:
        return CheckResult(
            check_id,
            Status.UNKNOWN,
            f"none of the backends receiving traffic ({', '.join(m.label for m in receiving)}) "
            "could be found as an ECS instance or network interface",
            where,
        )
    failing = [r for r in results.values() if r.status == Status.FAIL]
    evidence = {**where, "backends": {label: r.evidence for label, r in results.items()}}
    if len(failing) == len(results):
        status = Status.FAIL
    elif failing or any(r.status == Status.WARN for r in results.values()):
        status = Status.WARN
    else:
        status = Status.PASS
    admitted = len(results) - len(failing)
    lines = "; ".join(r.summary for r in results.values())
    # The first backend that does not admit today's egress, else the first that will not.
    first_fix = next((r.fix for r in (*failing, *results.values()) if r.fix), None)
    return CheckResult(
        check_id,
        status,
        f"{admitted} of {plural(len(results), 'backend')} receiving traffic "
        f"{'admits' if admitted == 1 else 'admit'} the egress on its port: {lines}",
        evidence,
        first_fix if status != Status.PASS else None,
    )


def plural(count: int, noun: str) -> str:
    """`1 backend`, `2 backends`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
