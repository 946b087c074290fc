"""Every check of the spec, in table order, and the runner that applies them to a snapshot.

A check is a pure function of the snapshot. What it applies to is declared here, once,
so the checks themselves need not repeat "is there a target / a listener" tests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from vpctest.diagnostics.checks import admission, authorization, backend, gateway
from vpctest.diagnostics.facts import TCP_CARRYING
from vpctest.diagnostics.report import CHECKS, CheckResult, Status
from vpctest.diagnostics.snapshot import FactUnavailable, Snapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckDef:
    id: str
    run: Callable[[Snapshot], CheckResult]
    needs: str  # "" | "lookup" | "target" | "ECS" | "CLB" | "listener"


REGISTRY: tuple[CheckDef, ...] = (
    CheckDef("connectivity", gateway.connectivity, ""),
    CheckDef("gateway.acl", gateway.gateway_acl, ""),
    CheckDef("authorization.target", authorization.target, "lookup"),
    CheckDef("authorization.vpc", authorization.vpc, "target"),
    CheckDef("authorization.port", authorization.port, "target"),
    CheckDef("ecs.security_group", admission.ecs_security_group, "ECS"),
    CheckDef("clb.acl", admission.clb_acl, "listener"),
    CheckDef("clb.backend_security_group", admission.clb_backend_security_group, "listener"),
    CheckDef("ecs.status", backend.ecs_status, "ECS"),
    CheckDef("clb.listener", backend.clb_listener, "listener"),
    CheckDef("clb.health", backend.clb_health, "listener"),
    CheckDef("backend.port", backend.backend_port, "target"),
)
assert tuple(d.id for d in REGISTRY) == tuple(c[0] for c in CHECKS), "registry out of table order"


def _not_applicable(check: CheckDef, snap: Snapshot) -> CheckResult | None:
    """`unknown` or `skipped` when the check cannot or need not run on this snapshot."""
    if not check.needs:
        return None
    if snap.target_lookup is not None:
        return CheckResult(
            check.id, Status.UNKNOWN, f"could not look up the target: {snap.target_lookup.reason}"
        )
    kind = snap.target_type
    if check.needs == "lookup":
        return None
    if kind is None:
        return CheckResult(check.id, Status.SKIPPED, "the authorization's target was not found")
    if check.needs == "ECS" and kind != "ECS":
        return CheckResult(check.id, Status.SKIPPED, "does not apply to a CLB target")
    if check.needs in ("CLB", "listener") and kind != "CLB":
        return CheckResult(check.id, Status.SKIPPED, "does not apply to an ECS target")
    if check.needs == "listener":
        listener = snap.listener
        if listener is None:
            return CheckResult(
                check.id, Status.SKIPPED, f"there is no listener on port {snap.vpc_access.port}"
            )
        if listener.protocol not in TCP_CARRYING:
            return CheckResult(
                check.id,
                Status.SKIPPED,
                f"the listener on port {listener.port} is {listener.protocol.upper()}: "
                "it carries none of the TCP traffic under test",
            )
    return None


def run_check(check: CheckDef, snap: Snapshot) -> CheckResult:
    moot = _not_applicable(check, snap)
    if moot is not None:
        return moot
    try:
        return check.run(snap)
    except FactUnavailable as exc:
        return CheckResult(check.id, Status.UNKNOWN, exc.reason)
    except Exception as exc:  # a bug must cost one check, not the report
        log.error("check %s crashed: %r", check.id, exc)
        log.debug("check %s crashed", check.id, exc_info=True)
        return CheckResult(check.id, Status.UNKNOWN, f"internal error in this check: {exc!r}")


def run_checks(snap: Snapshot) -> tuple[CheckResult, ...]:
    return tuple(run_check(check, snap) for check in REGISTRY)
