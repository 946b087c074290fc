"""The network semantics of docs/spec/world.md (rules 1-12), computed by brute force.

Written independently of `diagnostics/`: the emulator is the oracle the engine is tested against,
so everything here walks every egress address rather than reasoning about CIDR arithmetic.

A network *interface* is where an address lives and which security groups guard it: an ECS
instance's primary interface (its `private_ip`, its `security_groups`) or a secondary ENI (its own
`private_ip` and `security_groups`, serving the instance it is attached to).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network

from vpctest.emulator.world import (
    Backend,
    ClbInstance,
    EcsInstance,
    Eni,
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


# --- interfaces --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interface:
    """One address of the VPC and the groups that guard it; `instance` is what serves behind it
    (None for a detached ENI)."""

    id: str  # the instance id (primary interface) or the ENI id
    address: str
    security_groups: tuple[str, ...]
    instance: EcsInstance | None


def primary_interface(instance: EcsInstance) -> Interface:
    return Interface(instance.id, instance.private_ip, tuple(instance.security_groups), instance)


def eni_interface(world: World, eni: Eni) -> Interface:
    owner = world.ecs(eni.instance_id) if eni.instance_id else None
    return Interface(eni.id, eni.private_ip, tuple(eni.security_groups), owner)


def interface_at(world: World, vpc_id: str, ip: str) -> Interface | None:
    """The ECS primary interface or secondary ENI holding `ip` in the VPC."""
    for instance in world.ecs_instances:
        if instance.vpc_id == vpc_id and instance.private_ip == ip:
            return primary_interface(instance)
    for eni in world.network_interfaces:
        if eni.vpc_id == vpc_id and eni.private_ip == ip:
            return eni_interface(world, eni)
    return None


def group_addresses(world: World, group_id: str) -> list[IPv4Address]:
    """The private IPs of every interface in the group (instances' and secondary ENIs')."""
    return [IPv4Address(i.private_ip) for i in world.members(group_id)] + [
        IPv4Address(e.private_ip) for e in world.member_enis(group_id)
    ]


def serves(interface: Interface, port: int) -> bool:
    """Something answers on the port behind the interface: a Running instance listening on it."""
    instance = interface.instance
    return instance is not None and instance.status == "Running" and port in instance.listening


# --- security groups ----------------------------------------------------------------------------


def rule_ports(world: World, rule: SgRule) -> list[str]:
    """The port ranges a rule covers: its own, or every entry of its port list."""
    if rule.port_range_list:
        port_list = world.port_range_list(rule.port_range_list)
        return list(port_list.entries) if port_list else []
    return [rule.port_range]


def rule_matches(world: World, rule: SgRule, source: IPv4Address, port: int) -> bool:
    """Whether an inbound rule matches one TCP packet from `source` to `port`."""
    if rule.protocol not in ("TCP", "ALL"):
        return False
    if rule.protocol == "TCP":
        spans = [r.partition("/") for r in rule_ports(world, rule)]
        if not any(int(low) <= port <= int(high) for low, _, high in spans):
            return False
    # One source decides: a CIDR first, then a group; a prefix list only when alone.
    if rule.source_cidr:
        return covered(source, [rule.source_cidr])
    if rule.source_group:
        return source in group_addresses(world, rule.source_group)
    prefix_list = world.prefix_list(rule.source_prefix_list)
    return bool(prefix_list) and covered(source, prefix_list.entries)


def _groups(target: EcsInstance | Interface) -> tuple[str, ...]:
    if isinstance(target, Interface):
        return target.security_groups
    return tuple(target.security_groups)


def _address(target: EcsInstance | Interface) -> str:
    return target.address if isinstance(target, Interface) else target.private_ip


def deciding_rules(
    world: World, target: EcsInstance | Interface, source: IPv4Address, port: int
) -> list[SgRule]:
    """The matching rules with the smallest priority number, over all the interface's groups."""
    matching = [
        rule
        for group_id in _groups(target)
        if (group := world.security_group(group_id))
        for rule in group.inbound
        if rule_matches(world, rule, source, port)
    ]
    if not matching:
        return []
    best = min(rule.priority for rule in matching)
    return [rule for rule in matching if rule.priority == best]


def same_group_accept(world: World, target: EcsInstance | Interface, source: IPv4Address) -> bool:
    """`source` is another interface in one of the target's normal groups with inner access
    Accept."""
    own = IPv4Address(_address(target))
    for group_id in _groups(target):
        group = world.security_group(group_id)
        if (
            group
            and group.type == "normal"
            and group.inner_access_policy == "Accept"
            and source != own
            and source in group_addresses(world, group_id)
        ):
            return True
    return False


def admits(world: World, target: EcsInstance | Interface, source: IPv4Address, port: int) -> bool:
    """Whether the security groups of an instance (its primary interface) or of an interface
    admit TCP from `source` to `port`.

    The best-priority matching rules decide, a drop beating an accept; with no matching rule,
    only a fellow member of a normal group with inner access Accept gets in.
    """
    rules = deciding_rules(world, target, source, port)
    if rules:
        return all(rule.policy == "accept" for rule in rules)
    return same_group_accept(world, target, source)


def admits_all(
    world: World, target: EcsInstance | Interface, sources: Iterable[IPv4Address], port: int
) -> bool:
    return all(admits(world, target, source, port) for source in sources)


# --- CLB ----------------------------------------------------------------------------------------


def tcp_listener(lb: ClbInstance, port: int) -> Listener | None:
    """The listener on the port that carries TCP (a udp listener on the same port carries none)."""
    return next((x for x in lb.listeners if x.port == port and x.protocol in TCP_CAPABLE), None)


def acl_admits(world: World, listener: Listener, sources: Iterable[IPv4Address]) -> bool:
    """A listener ACL that is on admits every source (an empty whitelist admits all)."""
    if listener.acl.status != "on":
        return True
    acl = world.clb_acl(listener.acl.id)
    entries = tuple(e.cidr for e in acl.entries) if acl else ()
    return _acl_admits(listener.acl.type, entries, tuple(sources))


@lru_cache(maxsize=1024)
def _acl_admits(acl_type: str, entries: tuple[str, ...], sources: tuple[IPv4Address, ...]) -> bool:
    """Address by address; remembered, since many listeners share one long list."""
    if acl_type == "white":
        return not entries or all(covered(s, entries) for s in sources)
    return not any(covered(s, entries) for s in sources)


@dataclass(frozen=True)
class ServerGroup:
    """The server group a listener really forwards to."""

    kind: str  # vserver | primary_secondary | default
    id: str  # the group's id ("" for the default group)
    backends: tuple[Backend, ...]


def server_group(lb: ClbInstance, listener: Listener) -> ServerGroup:
    """Rule 6: the vServer group when set, else the primary/secondary group, else the default."""
    if listener.server_group:
        group = lb.vserver_group(listener.server_group)
        return ServerGroup("vserver", listener.server_group, tuple(group.backends if group else ()))
    if listener.primary_secondary_group:
        ps = lb.primary_secondary_group(listener.primary_secondary_group)
        return ServerGroup(
            "primary_secondary", listener.primary_secondary_group, tuple(ps.backends if ps else ())
        )
    return ServerGroup("default", "", tuple(listener.backends))


def backend_interface(world: World, backend: Backend) -> Interface | None:
    """Where a backend receives: its ECS instance's primary interface, or its ENI (rule 7)."""
    if backend.type == "eni":
        eni = world.eni(backend.server_id)
        return eni_interface(world, eni) if eni else None
    instance = world.ecs(backend.server_id)
    return primary_interface(instance) if instance else None


def backend_ip(world: World, backend: Backend) -> str:
    interface = backend_interface(world, backend)
    return interface.address if interface else ""


def backend_health(world: World, lb: ClbInstance, listener: Listener, backend: Backend) -> str:
    """`normal`, `abnormal` or `unavailable`, as DescribeHealthStatus reports a backend.

    Every backend is `unavailable` when the CLB is inactive, the listener not running, or its
    health check off; else `normal` when a Running instance listens on the backend's port behind
    its interface (health checks come from 100.64.0.0/10 and need no rule). A locked CLB still
    checks. Weight does not matter here: weight-0 backends are checked too.
    """
    if lb.status == "inactive" or listener.status != "running" or listener.health_check == "off":
        return "unavailable"
    interface = backend_interface(world, backend)
    return "normal" if interface is not None and serves(interface, backend.port) else "abnormal"


def receiving_backends(world: World, lb: ClbInstance, listener: Listener) -> list[Backend]:
    """The backends the CLB forwards the listener's traffic to (rules 6 and 8).

    With the health check on: the `normal` backends of weight > 0; of a primary/secondary group,
    the Master while it is `normal`, else the Slave when it is. With the health check off: every
    backend of weight > 0, whatever its state.
    """
    group = server_group(lb, listener)
    weighted = [b for b in group.backends if b.weight > 0]
    if listener.health_check == "off":
        return weighted

    def normal(b: Backend) -> bool:
        return backend_health(world, lb, listener, b) == "normal"

    if group.kind == "primary_secondary":
        master = next((b for b in group.backends if b.server_type == "Master"), None)
        slave = next((b for b in group.backends if b.server_type == "Slave"), None)
        in_service = master if master and normal(master) else slave
        return [in_service] if in_service and in_service in weighted and normal(in_service) else []
    return [b for b in weighted if normal(b)]


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
    serving = [
        (interface, backend.port)
        for backend in receiving_backends(world, lb, listener)
        if (interface := backend_interface(world, backend)) and serves(interface, backend.port)
    ]
    if not serving:
        return f"no backend of listener {port} of {lb.id} receives its traffic and answers"
    if listener.protocol in ("http", "https"):
        return None  # proxied from the CLB's own addresses
    if not any(admits_all(world, interface, sources, p) for interface, p in serving):
        return (
            f"no backend receiving listener {port}'s traffic admits every source in its "
            "security groups"
        )
    return None


# --- ValidateVpcConnectivity ---------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What an authorization's instance_id names: an ECS or CLB instance (or a secondary ENI) in
    its VPC, or nothing."""

    ecs: EcsInstance | None = None
    clb: ClbInstance | None = None
    eni: Eni | None = None  # set when the instance_id is a secondary ENI's private IP
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
        # Rule 1: an IP is looked up in the authorization's VPC only.
        ecs = next(
            (i for i in world.ecs_instances if i.vpc_id == access.vpc_id and i.private_ip == key),
            None,
        )
        if ecs:
            return Target(ecs=ecs, ip_type="ECS")
        eni = next(
            (
                e
                for e in world.network_interfaces
                if e.vpc_id == access.vpc_id and e.private_ip == key
            ),
            None,
        )
        if eni:
            return Target(ecs=world.ecs(eni.instance_id), eni=eni, ip_type="ECS")
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
    if target.eni is not None:
        # Rule 7: the ENI's instance serves, the ENI's groups decide.
        interface = eni_interface(world, target.eni)
        if interface.instance is None:
            return result(f"network interface {target.eni.id} is not attached to an instance")
        return result(_ecs_reason(world, interface, access.port, sources))
    if target.ecs:
        return result(_ecs_reason(world, primary_interface(target.ecs), access.port, sources))
    assert target.clb is not None
    return result(clb_reason(world, target.clb, access.port, sources))


def _ecs_reason(
    world: World, interface: Interface, port: int, sources: list[IPv4Address]
) -> str | None:
    ecs = interface.instance
    assert ecs is not None
    if ecs.status != "Running":
        return f"{ecs.id} is {ecs.status}"
    if port not in ecs.listening:
        return f"nothing listens on port {port} of {ecs.id}"
    if not admits_all(world, interface, sources, port):
        return f"the security groups of {interface.id} do not admit every egress address"
    return None


# --- Cloud Assistant probes ----------------------------------------------------------------------


def own_addresses(world: World, instance: EcsInstance) -> set[str]:
    """An instance's addresses: its private IP and those of the ENIs attached to it."""
    return {instance.private_ip} | {e.private_ip for e in world.attached_enis(instance.id)}


def probe(world: World, prober: EcsInstance, ip: str, port: int) -> str:
    """A TCP connect from `prober` (bash /dev/tcp): `open`, `refused` or `timeout`."""
    if ip in ("127.0.0.1", "localhost") or ip in own_addresses(world, prober):
        return "open" if port in prober.listening else "refused"
    if not is_ip(ip):
        return "timeout"
    source = IPv4Address(prober.private_ip)
    interface = interface_at(world, prober.vpc_id, ip)
    if interface is not None:
        instance = interface.instance
        if instance is None or instance.status != "Running":
            return "timeout"
        if not admits(world, interface, source, port):
            return "timeout"
        return "open" if port in instance.listening else "refused"
    lb = next(
        (x for x in world.clb_instances if x.vpc_id == prober.vpc_id and x.address == ip), None
    )
    if lb is not None and lb.status == "active":
        listener = tcp_listener(lb, port)
        if listener is None:
            return "refused"
        return "open" if clb_reason(world, lb, port, [source]) is None else "timeout"
    return "timeout"
