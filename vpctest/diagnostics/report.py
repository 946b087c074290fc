"""What a diagnosis returns: per-check results, the verdict, root causes, the JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from vpctest.diagnostics.facts import ApiRef, Gateway, VpcAccess

if TYPE_CHECKING:
    from vpctest.diagnostics.fixes import Fix


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"


# (id, step, what it establishes), in the spec's table order.
CHECKS: tuple[tuple[str, int, str], ...] = (
    ("connectivity", 0, "API Gateway's own connectivity test"),
    ("gateway.acl", 0, "no access-control policy on the gateway instance"),
    ("authorization.target", 1, "the authorization names an existing ECS or CLB instance"),
    ("authorization.vpc", 1, "that instance lies in the authorization's VPC"),
    ("authorization.port", 1, "the port is served"),
    ("ecs.security_group", 2, "the ECS security groups admit the gateway's egress"),
    ("clb.acl", 2, "the CLB listener's access control admits the gateway's egress"),
    ("clb.backend_security_group", 2, "the CLB backends' security groups admit the egress"),
    ("ecs.status", 3, "the ECS instance is running and healthy"),
    ("clb.listener", 3, "the CLB instance is active and the listener running"),
    ("clb.health", 3, "the CLB health check finds a normal backend"),
    ("backend.port", 3, "a probe from inside the VPC connects to the port"),
)
CHECK_STEP = {check_id: step for check_id, step, _ in CHECKS}
CHECK_ORDER = {check_id: index for index, (check_id, _, _) in enumerate(CHECKS)}
STEP_TITLES = {
    0: "Connectivity test",
    1: "Step 1 · the authorization",
    2: "Step 2 · security group and access control",
    3: "Step 3 · the backend service",
}


@dataclass(frozen=True)
class CheckResult:
    id: str
    status: Status
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    fix: Fix | None = None

    @property
    def step(self) -> int:
        return CHECK_STEP[self.id]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "step": self.step,
            "status": str(self.status),
            "summary": self.summary,
            "evidence": self.evidence,
        }
        if self.fix is not None:
            data["fix"] = self.fix.to_json()
        return data


@dataclass(frozen=True)
class Report:
    """One authorization's diagnosis."""

    vpc_access: VpcAccess
    gateway: Gateway
    target_type: str | None  # ECS | CLB | None when the target could not be found
    checks: tuple[CheckResult, ...]
    apis: tuple[ApiRef, ...] | None = None  # None: could not be listed
    apis_error: str = ""
    elapsed_ms: int = 0

    def check(self, check_id: str) -> CheckResult:
        return next(c for c in self.checks if c.id == check_id)

    @property
    def verdict(self) -> Status:
        connectivity = self.check("connectivity").status
        if any(c.status == Status.FAIL for c in self.checks):
            return Status.FAIL
        if connectivity == Status.PASS:
            return Status.PASS
        return Status.UNKNOWN

    @property
    def root_causes(self) -> list[str]:
        """The failing checks of the earliest failing step, connectivity aside."""
        failing = [c for c in self.checks if c.status == Status.FAIL and c.id != "connectivity"]
        if failing:
            first_step = min(c.step for c in failing)
            return [c.id for c in failing if c.step == first_step]
        if self.check("connectivity").status == Status.FAIL:
            return ["connectivity"]
        return []

    @property
    def fixes(self) -> list[CheckResult]:
        return [c for c in self.checks if c.fix is not None]

    def to_json(self) -> dict[str, Any]:
        return {
            "vpc_access": {
                "id": self.vpc_access.id,
                "name": self.vpc_access.name,
                "vpc_id": self.vpc_access.vpc_id,
                "instance_id": self.vpc_access.instance_id,
                "port": self.vpc_access.port,
            },
            "gateway": {
                "id": self.gateway.id,
                "egress": list(self.gateway.egress_cidrs),
                "new_egress": list(self.gateway.new_egress_cidrs),
            },
            "target_type": self.target_type,
            "verdict": str(self.verdict),
            "root_causes": self.root_causes,
            "checks": [c.to_json() for c in self.checks],
            "apis": None
            if self.apis is None
            else [
                {"id": a.api_id, "name": a.api_name, "group": a.group_name, "stage": a.stage}
                for a in self.apis
            ],
            "elapsed_ms": self.elapsed_ms,
        }
