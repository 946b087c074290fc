"""Step 3: the backend is up — ECS running and healthy, CLB listener running with a
healthy backend, and (with --probe) the port answering from inside the VPC."""

from __future__ import annotations

from vpctest.diagnostics.facts import ProbeResult
from vpctest.diagnostics.report import CheckResult, Status
from vpctest.diagnostics.rules.server_groups import Member, health_check_off
from vpctest.diagnostics.snapshot import Snapshot, Unavailable, need


def ecs_status(snap: Snapshot) -> CheckResult:
    instance = snap.ecs
    assert instance is not None
    if instance.status != "Running":
        return CheckResult(
            "ecs.status",
            Status.FAIL,
            f"{instance.id} is {instance.status}: start it",
            {"instance_id": instance.id, "status": instance.status},
        )
    full = need(snap.ecs_health)
    health = full[1] if full else "unknown"
    evidence = {"instance_id": instance.id, "status": instance.status, "health": health}
    if health == "Ok":
        return CheckResult("ecs.status", Status.PASS, f"{instance.id} is Running and Ok", evidence)
    if health == "Impaired":
        return CheckResult(
            "ecs.status",
            Status.FAIL,
            f"{instance.id} is Running but Impaired: check its system events and restart it",
            evidence,
        )
    return CheckResult(
        "ecs.status", Status.WARN, f"{instance.id} is Running, health {health}", evidence
    )


def clb_listener(snap: Snapshot) -> CheckResult:
    clb, listener = snap.clb, snap.listener
    assert clb is not None and listener is not None
    evidence = {
        "clb_id": clb.id,
        "listener": listener.name,
        "clb_status": clb.status,
        "listener_status": listener.status,
    }
    name = f"{clb.id} listener {listener.port}/{listener.protocol}"
    if clb.status != "active":
        return CheckResult(
            "clb.listener", Status.FAIL, f"{clb.id} is {clb.status}, not active", evidence
        )
    if listener.status != "running":
        return CheckResult(
            "clb.listener", Status.FAIL, f"{name} is {listener.status}: start it", evidence
        )
    return CheckResult("clb.listener", Status.PASS, f"{name} is running", evidence)


def clb_health(snap: Snapshot) -> CheckResult:
    """The backends of the group the listener really uses; only weight > 0 counts."""
    clb, listener = snap.clb, snap.listener
    assert clb is not None and listener is not None
    if clb.status == "inactive" or listener.status != "running":
        return CheckResult(
            "clb.health",
            Status.SKIPPED,
            "the CLB or its listener is not running, so no health check runs",
        )
    group = need(snap.server_group)
    members = snap.group_members()
    evidence = {"server_group": group.to_json(), "backends": [m.to_json() for m in members]}
    where = group.title
    counted = [m for m in members if m.server.weight > 0]
    idle = [m for m in members if m.server.weight <= 0]
    idle_note = f"; weight 0, so no traffic: {_states(idle)}" if idle else ""

    def result(status: Status, text: str) -> CheckResult:
        return CheckResult("clb.health", status, f"{where}: {text}{idle_note}", evidence)

    if not members:
        return result(Status.FAIL, "no backend servers: add one")
    if not counted:
        return result(Status.FAIL, "every backend has weight 0, so none receives traffic")
    if health_check_off(listener, snap.clb_health or ()):
        return result(
            Status.WARN,
            f"the health check is off, so health is not known ({_states(counted)}): "
            "run with --probe to test the port",
        )
    normal = [m for m in counted if m.health == "normal"]
    if group.kind == "primary_secondary":
        serving = next((m for m in members if m.receives_traffic), None)
        if serving is None:
            return result(Status.FAIL, f"neither server is normal ({_states(counted)})")
        if serving.server.role != "Master":
            return result(
                Status.WARN,
                f"failed over to the Slave {serving.label}; the Master is not normal "
                f"({_states(counted)})",
            )
        return result(Status.PASS, f"the Master {serving.label} is normal ({_states(counted)})")
    if not normal:
        return result(
            Status.FAIL,
            f"no backend is healthy ({_states(counted)}): check the service on its port",
        )
    if len(normal) < len(counted):
        return result(
            Status.WARN,
            f"{len(normal)} of {len(counted)} backends healthy ({_states(counted)})",
        )
    return result(Status.PASS, f"{_all(len(counted))} healthy ({_states(counted)})")


def _all(count: int) -> str:
    return "the backend is" if count == 1 else f"all {count} backends are"


def _states(members: list[Member]) -> str:
    return ", ".join(f"{m.label} {m.health or 'not reported'}" for m in members)


def backend_port(snap: Snapshot) -> CheckResult:
    if not snap.probe_requested:
        return CheckResult(
            "backend.port",
            Status.SKIPPED,
            "not probed: run with --probe to test from inside the VPC",
        )
    if snap.probe is None:
        return CheckResult("backend.port", Status.SKIPPED, snap.probe_note or "nothing to probe")
    if isinstance(snap.probe, Unavailable):
        return CheckResult("backend.port", Status.UNKNOWN, f"probe failed: {snap.probe.reason}")
    probe: ProbeResult = snap.probe
    evidence = {"from": probe.instance_id, "to": probe.target, "output": probe.output}
    if probe.connected:
        return CheckResult(
            "backend.port",
            Status.PASS,
            f"{probe.instance_id} connected to {probe.target} (Cloud Assistant probe)",
            evidence,
        )
    return CheckResult(
        "backend.port",
        Status.FAIL,
        f"{probe.instance_id} could not connect to {probe.target}: {probe.output}",
        evidence,
    )
