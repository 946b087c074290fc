"""Step 1: the authorization names an existing instance, in its VPC, on a served port."""

from __future__ import annotations

from vpctest.diagnostics.facts import TCP_CARRYING, ProbeResult
from vpctest.diagnostics.report import CheckResult, Status
from vpctest.diagnostics.snapshot import Snapshot, is_ip


def _target_name(snap: Snapshot) -> str:
    """`ECS instance i-1 (web-1)`, naming the instance when the authorization gives an IP."""
    instance = snap.ecs or snap.clb
    assert instance is not None
    kind = "ECS" if snap.ecs else "CLB"
    name = f" ({instance.name})" if instance.name and instance.name != instance.id else ""
    if instance.id == snap.vpc_access.instance_id:
        return f"an existing {kind} instance{name}"
    return f"{kind} instance {instance.id}{name}"


def target(snap: Snapshot) -> CheckResult:
    access = snap.vpc_access
    eni = snap.eni
    if eni is not None and snap.ecs is None:
        held_by = (
            f"attached to {eni.instance_id}, which does not exist"
            if eni.instance_id
            else "attached to no instance"
        )
        return CheckResult(
            "authorization.target",
            Status.FAIL,
            f"{access.instance_id} is the address of network interface {eni.id}, {held_by}: "
            "nothing serves it — attach the interface to an instance, or point the "
            "authorization at one",
            {"instance_id": access.instance_id, "eni": eni.id, "eni_status": eni.status},
        )
    if snap.target_type is None:
        where = f" in {access.vpc_id}" if is_ip(access.instance_id) else ""
        return CheckResult(
            "authorization.target",
            Status.FAIL,
            f"{access.instance_id} names no ECS or CLB instance{where}: "
            "point the authorization at an existing instance",
            {"instance_id": access.instance_id},
        )
    evidence: dict[str, object] = {"type": snap.target_type, "id": (snap.ecs or snap.clb).id}
    summary = f"{access.instance_id} is {_target_name(snap)}"
    if eni is not None:
        evidence["eni"] = eni.id
        summary = (
            f"{access.instance_id} is secondary network interface {eni.id} of "
            f"{_target_name(snap)}; the interface's security groups decide step 2"
        )
    if len(snap.ip_matches) > 1:
        evidence["ip_matches"] = list(snap.ip_matches)
        summary += f" (the address is held by {len(snap.ip_matches)} instances)"
    return CheckResult("authorization.target", Status.PASS, summary, evidence)


def vpc(snap: Snapshot) -> CheckResult:
    instance = snap.ecs or snap.clb
    assert instance is not None
    access = snap.vpc_access
    evidence = {"authorization_vpc": access.vpc_id, "instance_vpc": instance.vpc_id}
    if instance.vpc_id == access.vpc_id:
        return CheckResult(
            "authorization.vpc", Status.PASS, f"{instance.id} is in {access.vpc_id}", evidence
        )
    return CheckResult(
        "authorization.vpc",
        Status.FAIL,
        f"{instance.id} is in {instance.vpc_id}, not in {access.vpc_id} as the authorization "
        f"says: recreate the authorization with VPC {instance.vpc_id}",
        evidence,
    )


def port(snap: Snapshot) -> CheckResult:
    access = snap.vpc_access
    if snap.clb:
        listener = snap.listener
        ports = [f"{lst.port}/{lst.protocol}" for lst in snap.clb.listeners]
        if listener is None:
            listed = ", ".join(ports) or "none"
            return CheckResult(
                "authorization.port",
                Status.FAIL,
                f"{snap.clb.id} has no listener on port {access.port} (listeners: {listed}): "
                "use a listener's port in the authorization, or add the listener",
                {"listeners": ports},
            )
        if listener.protocol not in TCP_CARRYING:
            return CheckResult(
                "authorization.port",
                Status.FAIL,
                f"{snap.clb.id} serves port {access.port} only over UDP, but API Gateway calls "
                "its backend over TCP: point the authorization at a TCP, HTTP or HTTPS listener",
                {"listener": listener.name, "listeners": ports},
            )
        if listener.vserver_group_id:
            onward = f" → vServer group {listener.vserver_group_id}"
        elif listener.master_slave_group_id:
            onward = f" → primary/secondary group {listener.master_slave_group_id}"
        elif listener.backend_port:
            onward = f" → backend port {listener.backend_port}"
        else:
            onward = ""
        return CheckResult(
            "authorization.port",
            Status.PASS,
            f"{snap.clb.id} listens on {listener.name}{onward}",
            {"listener": listener.name},
        )
    if not 1 <= access.port <= 65535:
        return CheckResult(
            "authorization.port",
            Status.FAIL,
            f"{access.port} is not a TCP port (1–65535)",
            {"port": access.port},
        )
    probe = snap.probe
    if isinstance(probe, ProbeResult) and snap.ecs and probe.instance_id == snap.ecs.id:
        # Probed from the target itself: it tells whether anything listens there.
        if not probe.connected:
            return CheckResult(
                "authorization.port",
                Status.FAIL,
                f"nothing listens on port {access.port} of {probe.instance_id}: "
                "start the service, or correct the authorization's port",
                {"instance_id": probe.instance_id, "port": access.port, "probe": probe.output},
            )
        return CheckResult(
            "authorization.port",
            Status.PASS,
            f"TCP port {access.port}, and a process listens on it (probe)",
            {"port": access.port},
        )
    return CheckResult(
        "authorization.port", Status.PASS, f"TCP port {access.port}", {"port": access.port}
    )
