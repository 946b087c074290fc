"""Hand-built snapshots for testing checks without any I/O."""

from __future__ import annotations

from vpctest.diagnostics.facts import (
    BackendHealth,
    BackendServer,
    EcsInstance,
    Gateway,
    Listener,
    LoadBalancer,
    SecurityGroup,
    ServerGroup,
    SgRule,
    VpcAccess,
)
from vpctest.diagnostics.snapshot import Snapshot

EGRESS = "100.104.13.0/26"


def gateway(**overrides) -> Gateway:
    fields = dict(
        id="apigateway-hz-1", name="shared", instance_type="VPC_SHARED", egress_cidrs=(EGRESS,)
    )
    return Gateway(**{**fields, **overrides})


def rule(
    policy="accept", priority=1, port="8080/8080", cidr=EGRESS, group="sg-web", protocol="TCP"
):
    low, high = (int(p) for p in port.split("/"))
    return SgRule(group, policy, priority, protocol, low, high, source_cidrs=(cidr,))


ADMIT_EGRESS = (rule(),)


def ecs_snapshot(
    rules=ADMIT_EGRESS, status="Running", health="Ok", connected=False, **kw
) -> Snapshot:
    instance = EcsInstance("i-orders", "vpc-main", ("192.168.1.10",), status, ("sg-web",))
    return Snapshot(
        vpc_access=VpcAccess("va-orders", "orders-backend", "vpc-main", "i-orders", 8080),
        gateway=kw.pop("gw", gateway()),
        connectivity=(connected, ""),
        ecs=instance,
        ecs_health=(status, health),
        security_groups=(SecurityGroup("sg-web", "vpc-main", "normal", "Accept", tuple(rules)),),
        **kw,
    )


def clb_snapshot(
    protocol="tcp",
    listener_status="running",
    acl=("off", "", ""),
    health=("normal",),
    backend_rules=ADMIT_EGRESS,
    weights=None,
    **kw,
) -> Snapshot:
    listener = Listener(80, protocol, listener_status, 8080, *acl)
    weights = weights or (100,) * len(health)
    servers = tuple(BackendServer(f"i-shop-{n}", 0, weight) for n, weight in enumerate(weights))
    clb = LoadBalancer(
        "lb-shop", "vpc-main", "192.168.1.100", "intranet", "active", (listener,), servers
    )
    backends = {
        s.server_id: EcsInstance(
            s.server_id, "vpc-main", (f"192.168.1.{20 + n}",), "Running", ("sg-web",)
        )
        for n, s in enumerate(servers)
    }
    return Snapshot(
        vpc_access=VpcAccess("va-shop", "shop", "vpc-main", "lb-shop", 80),
        gateway=kw.pop("gw", gateway()),
        connectivity=(False, ""),
        clb=clb,
        server_group=ServerGroup("default", "lb-shop", servers),
        clb_health=tuple(
            BackendHealth(s.server_id, 8080, state)
            for s, state in zip(servers, health, strict=True)
        ),
        backends=backends,
        backend_groups={
            "sg-web": SecurityGroup("sg-web", "vpc-main", "normal", "Accept", tuple(backend_rules))
        },
        **kw,
    )
