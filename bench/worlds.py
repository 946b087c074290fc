"""Generated worlds for the benchmarks."""

from __future__ import annotations

from typing import Any

CREDENTIALS = {"access_key_id": "LTAI-bench", "access_key_secret": "bench-secret"}
GATEWAY = {
    "id": "apigateway-bench",
    "name": "bench",
    "type": "VPC_SHARED",
    "vpc_egress_address": "100.104.13.0/26",
}


def _group(n: int) -> dict[str, Any]:
    return {
        "id": f"sg-{n}",
        "vpc_id": "vpc-main",
        "type": "normal",
        "inbound": [
            {
                "policy": "accept",
                "priority": 10,
                "protocol": "TCP",
                "port_range": "8000/8100",
                "source_cidr": "100.104.13.0/26",
            },
            {
                "policy": "drop",
                "priority": 1,
                "protocol": "TCP",
                "port_range": "22/22",
                "source_cidr": "0.0.0.0/0",
            },
        ],
    }


def _instance(name: str, n: int, group: int) -> dict[str, Any]:
    return {
        "id": name,
        "vpc_id": "vpc-main",
        "private_ip": f"192.168.{n // 250}.{n % 250 + 2}",
        "status": "Running",
        "health": "Ok",
        "security_groups": [f"sg-{group}"],
        "listening": [8080],
    }


def latency_world(latency_ms: int) -> dict[str, Any]:
    """One ECS target and one tcp CLB target, every call slowed by `latency_ms`."""
    world = fleet_world(ecs_targets=1, clbs=1, listeners_per_clb=1, groups=2)
    world["faults"] = {"latency_ms": latency_ms}
    return world


def fleet_world(
    ecs_targets: int = 400,
    clbs: int = 20,
    listeners_per_clb: int = 5,
    groups: int = 50,
    backends_per_clb: int = 2,
    qps: float | None = None,
    actions: tuple[str, ...] = (),
) -> dict[str, Any]:
    """`ecs_targets` ECS authorizations plus clbs × listeners CLB ones, sharing `groups` groups."""
    instances = [_instance(f"i-{n}", n, n % groups) for n in range(ecs_targets)]
    accesses = [
        {
            "id": f"va-ecs-{n}",
            "name": f"ecs-{n}",
            "vpc_id": "vpc-main",
            "instance_id": f"i-{n}",
            "port": 8080,
        }
        for n in range(ecs_targets)
    ]
    lbs = []
    for c in range(clbs):
        backends = []
        for b in range(backends_per_clb):
            n = ecs_targets + c * backends_per_clb + b
            instances.append(_instance(f"i-backend-{c}-{b}", n, n % groups))
            backends.append({"server_id": f"i-backend-{c}-{b}", "port": 8080, "weight": 100})
        listeners = []
        for port in range(80, 80 + listeners_per_clb):
            listeners.append(
                {
                    "port": port,
                    "protocol": "tcp",
                    "status": "running",
                    "backend_port": 8080,
                    "backends": backends,
                }
            )
            accesses.append(
                {
                    "id": f"va-lb-{c}-{port}",
                    "name": f"lb-{c}-{port}",
                    "vpc_id": "vpc-main",
                    "instance_id": f"lb-{c}",
                    "port": port,
                }
            )
        lbs.append(
            {
                "id": f"lb-{c}",
                "vpc_id": "vpc-main",
                "address": f"192.168.100.{c + 2}",
                "address_type": "intranet",
                "status": "active",
                "listeners": listeners,
            }
        )
    world: dict[str, Any] = {
        "region": "cn-hangzhou",
        "credentials": CREDENTIALS,
        "gateways": [GATEWAY],
        "vpc_accesses": accesses,
        "vpcs": ["vpc-main"],
        "ecs_instances": instances,
        "security_groups": [_group(n) for n in range(groups)],
        "clb_instances": lbs,
        "clb_acls": [],
    }
    if qps is not None:
        world["faults"] = {"actions": {action: {"qps": qps} for action in actions}}
    return world
