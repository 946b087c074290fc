"""Step 3: the backend is up — ECS running and healthy, CLB listener running with a
healthy backend, and (with --probe) the port answering from inside the VPC."""

from __future__ import annotations

from diagnostics.facts import ProbeResult
from diagnostics.report import CheckResult, Status
from diagnostics.snapshot import Snapshot, Unavailable, need


def ecs_status(snap: Snapshot) -> CheckResult:
    instance = snap.ecs
    assert instance is not None
    if instance.status != "Running":
        return CheckResult(
            "ecs.status",
            Status.FAIL,
            f"{instance.id} is {instance.status}: start it",
            {"status": instance.status},
        )
    full = need(snap.ecs_health)
    health = full[1] if full else "unknown"
    evidence = {"status": instance.status, "health": health}
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
    evidence = {"clb_status": clb.status, "listener_status": listener.status}
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
    clb, listener = snap.clb, snap.listener
    assert clb is not None and listener is not None
    if clb.status != "active" or listener.status != "running":
        return CheckResult(
            "clb.health",
            Status.SKIPPED,
            "the CLB or its listener is not running, so no health check runs",
        )
    health = need(snap.clb_health) or ()
    states = {f"{h.server_id}:{h.port}": h.status for h in health}
    normal = [h for h in health if h.status == "normal"]
    if not health:
        return CheckResult(
            "clb.health", Status.FAIL, "the listener has no backend servers: add one", states
        )
    if not normal:
        return CheckResult(
            "clb.health",
            Status.FAIL,
            f"no backend is healthy ({_list(states)}): check the service on the backend port",
            states,
        )
    if len(normal) < len(health):
        return CheckResult(
            "clb.health",
            Status.WARN,
            f"{len(normal)} of {len(health)} backends healthy ({_list(states)})",
            states,
        )
    return CheckResult(
        "clb.health", Status.PASS, f"all {len(health)} backends healthy ({_list(states)})", states
    )


def _list(states: dict[str, str]) -> str:
    return ", ".join(f"{server} {state}" for server, state in states.items())


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
