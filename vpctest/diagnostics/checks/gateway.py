"""Step 0: the gateway's own connectivity test and its access-control policy."""

from __future__ import annotations

from vpctest.diagnostics.report import CheckResult, Status
from vpctest.diagnostics.snapshot import Snapshot, Unavailable, need


def connectivity(snap: Snapshot) -> CheckResult:
    connected, ip_type = need(snap.connectivity)
    access, gateway = snap.vpc_access, snap.gateway
    evidence = {"connected": connected, "ip_type": ip_type or None}
    if connected:
        return CheckResult(
            "connectivity",
            Status.PASS,
            f"{gateway.id} reaches {access.instance_id}:{access.port} "
            f"(ValidateVpcConnectivity: connected)",
            evidence,
        )
    note = " — the authorization's IP is not an ECS or CLB address" if ip_type == "INVALID" else ""
    return CheckResult(
        "connectivity",
        Status.FAIL,
        f"{gateway.id} cannot reach {access.instance_id}:{access.port} "
        f"(ValidateVpcConnectivity: not connected){note}",
        evidence,
    )


def gateway_acl(snap: Snapshot) -> CheckResult:
    if snap.gateway_error:
        need(snap.gateway_error)
    acl = snap.gateway.acl
    if acl is None or acl.status != "on":
        return CheckResult(
            "gateway.acl", Status.PASS, f"{snap.gateway.id} has no access-control policy turned on"
        )
    evidence: dict[str, object] = {"acl_id": acl.acl_id, "acl_type": acl.acl_type}
    if isinstance(snap.gateway_acl_entries, tuple):
        evidence["entries"] = list(snap.gateway_acl_entries)
    elif isinstance(snap.gateway_acl_entries, Unavailable):
        evidence["entries_unavailable"] = snap.gateway_acl_entries.reason
    kind = {"white": "whitelist", "black": "blacklist"}.get(acl.acl_type, acl.acl_type)
    policy = f"{snap.gateway.id} has access control on ({kind} {acl.acl_id})"
    connected = snap.connectivity
    if isinstance(connected, tuple) and connected[0]:
        return CheckResult(
            "gateway.acl",
            Status.WARN,
            f"{policy}; the connectivity test passed, but such a policy can make it fail",
            evidence,
        )
    if isinstance(connected, tuple):
        return CheckResult(
            "gateway.acl",
            Status.FAIL,
            f"{policy}, which makes the connectivity test fail whatever the network does: "
            "turn it off to test, or judge by the step 1–3 checks",
            evidence,
        )
    return CheckResult(
        "gateway.acl",
        Status.WARN,
        f"{policy}; such a policy can make the connectivity test fail",
        evidence,
    )
