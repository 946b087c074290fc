"""Generated worlds for the benchmarks."""

from __future__ import annotations

import random
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


def _acl_entries(size: int) -> list[dict[str, str]]:
    """`size` entries, the gateway's egress last, so every page must be read to admit it."""
    filler = [
        {"cidr": f"10.{n // 256}.{n % 256}.0/24", "comment": f"office {n}"} for n in range(size - 1)
    ]
    return [*filler, {"cidr": GATEWAY["vpc_egress_address"], "comment": "api gateway"}]


def real_fleet_world(
    accesses: int = 500,
    clbs: int = 20,
    vserver_groups_per_clb: int = 5,
    backends: tuple[int, int] = (3, 10),
    acl_entries: tuple[int, int] = (200, 1000),
    groups: int = 50,
    qps: float | None = None,
    actions: tuple[str, ...] = (),
    seed: int = 7,
) -> dict[str, Any]:
    """The second edition's real shape: `accesses` authorizations spread over `clbs` CLBs
    whose tcp listeners forward to vServer groups of 3–10 backends (every third an ENI on
    one of the group's instances) behind a whitelist ACL (one per CLB) of 200–1,000 entries.
    """
    rng = random.Random(seed)
    instances: list[dict[str, Any]] = []
    enis: list[dict[str, Any]] = []
    lbs: list[dict[str, Any]] = []
    acls: list[dict[str, Any]] = []
    listeners_per_clb = -(-accesses // clbs)
    low, high = acl_entries
    for c in range(clbs):
        vgroups = []
        for g in range(vserver_groups_per_clb):
            members: list[dict[str, Any]] = []
            hosts: list[str] = []
            size = rng.randint(*backends)
            for b in range(size):
                if b >= size - round(size / 3):  # a third: secondary ENIs on the group's instances
                    n = len(enis)
                    enis.append(
                        {
                            "id": f"eni-{c}-{g}-{b}",
                            "vpc_id": "vpc-main",
                            "private_ip": f"192.168.{128 + n // 250}.{n % 250 + 2}",
                            "instance_id": hosts[b % len(hosts)],
                            "security_groups": [f"sg-{(n + 1) % groups}"],
                        }
                    )
                    members.append(
                        {"server_id": enis[-1]["id"], "type": "eni", "port": 8080, "weight": 100}
                    )
                else:
                    n = len(instances)
                    hosts.append(f"i-rs-{c}-{g}-{b}")
                    instances.append(_instance(hosts[-1], n, n % groups))
                    members.append({"server_id": hosts[-1], "port": 8080, "weight": 100})
            vgroups.append({"id": f"rsp-{c}-{g}", "name": f"pool-{c}-{g}", "backends": members})
        acl_size = low + round((high - low) * c / max(1, clbs - 1))
        acls.append({"id": f"acl-{c}", "entries": _acl_entries(acl_size)})
        listeners = [
            {
                "port": port,
                "protocol": "tcp",
                "status": "running",
                "backend_port": 8080,
                "server_group": vgroups[i % len(vgroups)]["id"],
                "acl": {"status": "on", "type": "white", "id": f"acl-{c}"},
            }
            for i, port in enumerate(range(80, 80 + listeners_per_clb))
        ]
        lbs.append(
            {
                "id": f"lb-{c}",
                "vpc_id": "vpc-main",
                "address": f"192.168.250.{c + 2}",
                "address_type": "intranet",
                "status": "active",
                "listeners": listeners,
                "vserver_groups": vgroups,
            }
        )
    targets = [
        {
            "id": f"va-lb-{c}-{port}",
            "name": f"lb-{c}-{port}",
            "vpc_id": "vpc-main",
            "instance_id": f"lb-{c}",
            "port": port,
        }
        for c in range(clbs)
        for port in range(80, 80 + listeners_per_clb)
    ][:accesses]
    world: dict[str, Any] = {
        "region": "cn-hangzhou",
        "credentials": CREDENTIALS,
        "gateways": [GATEWAY],
        "vpc_accesses": targets,
        "vpcs": ["vpc-main"],
        "ecs_instances": instances,
        "network_interfaces": enis,
        "security_groups": [_group(n) for n in range(groups)],
        "clb_instances": lbs,
        "clb_acls": acls,
    }
    if qps is not None:
        world["faults"] = {"actions": {action: {"qps": qps} for action in actions}}
    return world
