"""The network semantics of docs/spec/world.md, computed by brute force over addresses.

Written independently of `diagnostics/`: the emulator is the oracle the engine is tested against,
so everything here walks every egress address rather than reasoning about CIDR arithmetic.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network

from emulator.world import (
    ClbInstance,
    EcsInstance,
    Gateway,
    Listener,
    SgRule,
    VpcAccess,
    World,
)

MAX_ADDRESSES = 65_536  # refuse to enumerate anything larger than a /16
TCP_CAPABLE = ("tcp", "http", "https")  # listener protocols that carry the TCP traffic under test


class NetworkError(ValueError):
    """A range too large to enumerate."""


def networks(text: str) -> list[IPv4Network]:
    """Comma-separated CIDR blocks (a bare IP is a /32)."""
    return [ipaddress.IPv4Network(p.strip(), strict=False) for p in text.split(",") if p.strip()]


def egress_networks(gateway: Gateway) -> list[IPv4Network]:
    """Today's egress: the network interfaces of a vpc_connect gateway, else vpc_egress_address."""
    if gateway.dedicated_instance_type == "vpc_connect":
        return [ipaddress.IPv4Network(n.cidr_block) for n in gateway.network_interfaces]
    return networks(gateway.vpc_egress_address)


def addresses(blocks: Iterable[IPv4Network]) -> list[IPv4Address]:
    """Every address of the blocks, in order (network and broadcast addresses included)."""
    blocks = list(blocks)
    total = sum(b.num_addresses for b in blocks)
    if total > MAX_ADDRESSES:
        raise NetworkError(
            f"{total} addresses is too many to check one by one (limit {MAX_ADDRESSES})"
        )
    return [address for block in blocks for address in block]


@lru_cache(maxsize=4096)
def _network(text: str) -> IPv4Network:
    return ipaddress.IPv4Network(text, strict=False)


def covered(address: IPv4Address, entries: Iterable[str]) -> bool:
    """Whether an entry (a CIDR block or a bare IP) holds the address."""
    return any(address in _network(e) for e in entries)


# --- security groups ----------------------------------------------------------------------------


def rule_matches(world: World, rule: SgRule, source: IPv4Address, port: int) -> bool:
    """Whether an inbound rule matches one TCP packet from `source` to `port`."""
    if rule.protocol not in ("TCP", "ALL"):
        return False
    if rule.protocol == "TCP":
        low, _, high = rule.port_range.partition("/")
        if not int(low) <= port <= int(high):
            return False
    # One source decides: a CIDR first, then a group; a prefix list only when alone.
    if rule.source_cidr:
        return covered(source, [rule.source_cidr])
    if rule.source_group:
        return any(
            IPv4Address(member.private_ip) == source for member in world.members(rule.source_group)
        )
    prefix_list = world.prefix_list(rule.source_prefix_list)
    return bool(prefix_list) and covered(source, prefix_list.entries)


def deciding_rules(
    world: World, instance: EcsInstance, source: IPv4Address, port: int
) -> list[SgRule]:
    """The matching rules with the smallest priority number, over all the instance's groups."""
    matching = [
        rule
        for group_id in instance.security_groups
        if (group := world.security_group(group_id))
        for rule in group.inbound
        if rule_matches(world, rule, source, port)
    ]
    if not matching:
        return []
    best = min(rule.priority for rule in matching)
    return [rule for rule in matching if rule.priority == best]


def same_group_accept(world: World, instance: EcsInstance, source: IPv4Address) -> bool:
    """`source` is a member of one of the instance's normal groups whose inner access is Accept."""
    for group_id in instance.security_groups:
        group = world.security_group(group_id)
        if group and group.type == "normal" and group.inner_access_policy == "Accept":
            for member in world.members(group_id):
                if member.id != instance.id and IPv4Address(member.private_ip) == source:
                    return True
    return False


def admits(world: World, instance: EcsInstance, source: IPv4Address, port: int) -> bool:
    """Whether the instance's security groups admit TCP from `source` to `port`.

    The best-priority matching rules decide, a drop beating an accept; with no matching rule,
    only a fellow member of a normal group with inner access Accept gets in.
    """
    rules = deciding_rules(world, instance, source, port)
    if rules:
        return all(rule.policy == "accept" for rule in rules)
    return same_group_accept(world, instance, source)


def admits_all(
    world: World, instance: EcsInstance, sources: Iterable[IPv4Address], port: int
) -> bool:
    return all(admits(world, instance, source, port) for source in sources)


# --- CLB ----------------------------------------------------------------------------------------


def tcp_listener(lb: ClbInstance, port: int) -> Listener | None:
    return next((x for x in lb.listeners if x.port == port and x.protocol in TCP_CAPABLE), None)


def acl_admits(world: World, listener: Listener, sources: Iterable[IPv4Address]) -> bool:
    """A listener ACL that is on admits every source (an empty whitelist admits all)."""
    if listener.acl.status != "on":
        return True
    acl = world.clb_acl(listener.acl.id)
    entries = [e.cidr for e in acl.entries] if acl else []
    if listener.acl.type == "white":
        return not entries or all(covered(s, entries) for s in sources)
    return not any(covered(s, entries) for s in sources)


def backend_health(
    world: World, lb: ClbInstance, listener: Listener, server_id: str, port: int
) -> str:
    """`normal`, `abnormal` or `unavailable`, as DescribeHealthStatus reports a backend."""
    if lb.status == "inactive" or listener.status != "running":
        return "unavailable"
    server = world.ecs(server_id)
    healthy = server is not None and server.status == "Running" and port in server.listening
    return "normal" if healthy else "abnormal"


def healthy_backends(
    world: World, lb: ClbInstance, listener: Listener
) -> list[tuple[EcsInstance, int]]:
    return [
        (server, backend.port)
        for backend in listener.backends
        if backend_health(world, lb, listener, backend.server_id, backend.port) == "normal"
        and (server := world.ecs(backend.server_id))
    ]


def clb_reason(world: World, lb: ClbInstance, port: int, sources: list[IPv4Address]) -> str | None:
    """Why TCP from every source to the load balancer's port fails (None when it succeeds)."""
    if lb.status != "active":
        return f"load balancer {lb.id} is {lb.status}"
    listener = tcp_listener(lb, port)
    if listener is None:
        return f"load balancer {lb.id} has no TCP-capable listener on port {port}"
    if listener.status != "running":
        return f"listener {port} of {lb.id} is {listener.status}"
    if not acl_admits(world, listener, sources):
        return (
            f"the {listener.acl.type}list {listener.acl.id} of listener {port} leaves sources out"
        )
    backends = healthy_backends(world, lb, listener)
    if not backends:
        return f"listener {port} of {lb.id} has no healthy backend"
    if listener.protocol in ("http", "https"):
        return None  # proxied from the CLB's own addresses
    if not any(
        admits_all(world, server, sources, backend_port) for server, backend_port in backends
    ):
        return f"no healthy backend of listener {port} admits every source in its security groups"
    return None


# --- ValidateVpcConnectivity ---------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What an authorization's instance_id names: an ECS or CLB instance in its VPC, or nothing."""

    ecs: EcsInstance | None = None
    clb: ClbInstance | None = None
    ip_type: str | None = None  # ECS | SLB | INVALID, only when instance_id is an IP address
    problem: str = ""


def is_ip(text: str) -> bool:
    try:
        IPv4Address(text)
    except ValueError:
        return False
    return True


def resolve_target(world: World, access: VpcAccess) -> Target:
    key = access.instance_id
    if is_ip(key):
        ecs = next(
            (i for i in world.ecs_instances if i.vpc_id == access.vpc_id and i.private_ip == key),
            None,
        )
        if ecs:
            return Target(ecs=ecs, ip_type="ECS")
        clb = next(
            (lb for lb in world.clb_instances if lb.vpc_id == access.vpc_id and lb.address == key),
            None,
        )
        if clb:
            return Target(clb=clb, ip_type="SLB")
        return Target(
            ip_type="INVALID", problem=f"no ECS or CLB instance has {key} in {access.vpc_id}"
        )
    ecs, clb = world.ecs(key), world.clb(key)
    found = ecs or clb
    if found is None:
        return Target(problem=f"no ECS or CLB instance {key}")
    if found.vpc_id != access.vpc_id:
        return Target(problem=f"{key} is in {found.vpc_id}, not in {access.vpc_id}")
    return Target(ecs=ecs, clb=clb)


@dataclass(frozen=True)
class Connectivity:
    connected: bool
    ip_type: str | None
    reason: str  # why not connected ("" when connected)


def connectivity(world: World, gateway: Gateway, access: VpcAccess) -> Connectivity:
    """ValidateVpcConnectivity: TCP from every egress address to the authorization's target."""
    target = resolve_target(world, access)

    def result(reason: str | None) -> Connectivity:
        return Connectivity(not reason, target.ip_type, reason or "")

    if target.problem:
        return result(target.problem)
    if gateway.acl and gateway.acl.status == "on":
        return result(f"gateway {gateway.id} has its access control policy {gateway.acl.id} on")
    sources = addresses(egress_networks(gateway))
    if target.ecs:
        ecs = target.ecs
        if ecs.status != "Running":
            return result(f"{ecs.id} is {ecs.status}")
        if access.port not in ecs.listening:
            return result(f"nothing listens on port {access.port} of {ecs.id}")
        if not admits_all(world, ecs, sources, access.port):
            return result(f"the security groups of {ecs.id} do not admit every egress address")
        return result(None)
    assert target.clb is not None
    return result(clb_reason(world, target.clb, access.port, sources))


# --- Cloud Assistant probes ----------------------------------------------------------------------


def probe(world: World, prober: EcsInstance, ip: str, port: int) -> str:
    """A TCP connect from `prober` (bash /dev/tcp): `open`, `refused` or `timeout`."""
    if ip in ("127.0.0.1", "localhost", prober.private_ip):
        return "open" if port in prober.listening else "refused"
    if not is_ip(ip):
        return "timeout"
    source = IPv4Address(prober.private_ip)
    ecs = next(
        (i for i in world.ecs_instances if i.vpc_id == prober.vpc_id and i.private_ip == ip), None
    )
    if ecs is not None:
        if ecs.status != "Running" or not admits(world, ecs, source, port):
            return "timeout"
        return "open" if port in ecs.listening else "refused"
    lb = next(
        (x for x in world.clb_instances if x.vpc_id == prober.vpc_id and x.address == ip), None
    )
    if lb is not None and lb.status == "active":
        listener = tcp_listener(lb, port)
        if listener is None:
            return "refused"
        return "open" if clb_reason(world, lb, port, [source]) is None else "timeout"
    return "timeout"
