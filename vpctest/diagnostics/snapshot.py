"""The facts one diagnosis judges, gathered concurrently; a fact that could not be read
holds an `Unavailable` with the reason, so the checks that need it become `unknown`."""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

from vpctest.diagnostics.cloud.ecs import PROBE_DEADLINE_S
from vpctest.diagnostics.errors import CloudError
from vpctest.diagnostics.facts import (
    TCP_CARRYING,
    ApiRef,
    BackendHealth,
    ClbAcl,
    EcsInstance,
    Gateway,
    Listener,
    LoadBalancer,
    NetworkInterface,
    ProbeResult,
    SecurityGroup,
    ServerGroup,
    VpcAccess,
)
from vpctest.diagnostics.lookups import Lookups
from vpctest.diagnostics.rules import server_groups

T = TypeVar("T")


@dataclass(frozen=True)
class Unavailable:
    """A fact that could not be read, and why (the RAM action to grant, a timeout…)."""

    reason: str


class FactUnavailable(Exception):
    """Raised by `need()`; turns the check that needed the fact into `unknown`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def need(value: T | Unavailable) -> T:
    if isinstance(value, Unavailable):
        raise FactUnavailable(value.reason)
    return value


async def read(fact: Awaitable[T]) -> T | Unavailable:
    try:
        return await fact
    except CloudError as exc:
        return Unavailable(exc.reason)


@dataclass(frozen=True)
class ProbeRequest:
    """`--probe` (from the target itself) or `--probe=INSTANCE` (from that instance);
    a Cloud Assistant invocation still running after `timeout_s` is given up on."""

    from_instance: str | None = None
    timeout_s: float = PROBE_DEADLINE_S


Backend = EcsInstance | NetworkInterface  # what a backend's server id names


@dataclass
class Snapshot:
    vpc_access: VpcAccess
    gateway: Gateway
    gateway_error: Unavailable | None = None  # the gateway could not be read
    connectivity: tuple[bool, str] | Unavailable = Unavailable("not checked")
    gateway_acl_entries: tuple[str, ...] | Unavailable | None = None
    apis: list[ApiRef] | Unavailable = field(default_factory=list)
    # The target: exactly one of ecs / clb is set when it was found.
    target_lookup: Unavailable | None = None  # set when the target could not be looked up
    ecs: EcsInstance | None = None
    clb: LoadBalancer | None = None
    # An IP target held by a secondary ENI: the ENI (its groups decide step 2); `ecs` is the
    # instance it is attached to, None when it is detached.
    eni: NetworkInterface | None = None
    ip_matches: tuple[str, ...] = ()  # for an IP target: every instance that holds the IP
    ecs_health: tuple[str, str] | Unavailable | None = None
    security_groups: tuple[SecurityGroup, ...] | Unavailable = ()
    clb_acl: ClbAcl | Unavailable | None = None
    clb_health: tuple[BackendHealth, ...] | Unavailable | None = None
    server_group: ServerGroup | Unavailable | None = None  # the group the listener uses
    backends: dict[str, Backend | None] | Unavailable = field(default_factory=dict)
    backend_groups: dict[str, SecurityGroup] | Unavailable = field(default_factory=dict)
    probe_requested: bool = False
    probe: ProbeResult | Unavailable | None = None
    probe_note: str = ""  # why no probe ran although one was asked for

    def egress(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(today's egress CIDRs, the ones the gateway moves to), or FactUnavailable."""
        if self.gateway_error:
            raise FactUnavailable(self.gateway_error.reason)
        if not self.gateway.egress_cidrs:
            raise FactUnavailable(f"{self.gateway.id} reports no VPC egress address")
        return self.gateway.egress_cidrs, self.gateway.new_egress_cidrs

    @property
    def target_type(self) -> str | None:
        return "ECS" if self.ecs else "CLB" if self.clb else None

    @property
    def listener(self) -> Listener | None:
        return self.clb.listener(self.vpc_access.port) if self.clb else None

    def group_members(self) -> list[server_groups.Member]:
        """The listener's backends, each marked whether it receives traffic (or
        FactUnavailable when the group or the health check could not be read)."""
        listener, clb = self.listener, self.clb
        assert listener is not None and clb is not None
        group, health = need(self.server_group), need(self.clb_health)
        found = server_groups.members(group, listener, health or ())
        if clb.status == "inactive" or listener.status != "running":
            # Every backend reports `unavailable` here because nothing forwards at all.
            return [dataclasses.replace(m, receives_traffic=False) for m in found]
        return found


def is_ip(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


async def gather_snapshot(
    lookups: Lookups, gateway: Gateway, access: VpcAccess, probe: ProbeRequest | None = None
) -> Snapshot:
    """Read everything the checks need for one authorization, concurrently."""
    snap = Snapshot(vpc_access=access, gateway=gateway, probe_requested=probe is not None)

    async def gateway_side() -> None:
        snap.connectivity, snap.apis = await asyncio.gather(
            read(lookups.connectivity(gateway.id, access.id)), read(lookups.apis(access.name))
        )
        if gateway.acl and gateway.acl.status == "on" and gateway.acl.acl_id:
            snap.gateway_acl_entries = await read(lookups.gateway_acl_entries(gateway.acl.acl_id))

    async def target_side() -> None:
        await _resolve_target(lookups, snap)
        if snap.ecs:
            await _gather_ecs(lookups, snap)
        elif snap.clb:
            await _gather_clb(lookups, snap)
        if probe is not None:
            await _gather_probe(lookups, snap, probe)

    await asyncio.gather(gateway_side(), target_side())
    return snap


async def _resolve_target(lookups: Lookups, snap: Snapshot) -> None:
    access = snap.vpc_access
    target = access.instance_id
    try:
        if is_ip(target):
            await _resolve_ip(lookups, snap)
        elif target.startswith("lb-"):
            snap.clb = await lookups.load_balancer(target)
        else:
            if target.startswith("i-"):
                lookups.ecs_health(target)  # needed next: start it now, off the critical path
            snap.ecs = await lookups.ecs_instance(target)
            if snap.ecs is None and not target.startswith("i-"):
                snap.clb = await lookups.load_balancer(target)
    except CloudError as exc:
        snap.target_lookup = Unavailable(exc.reason)


async def _resolve_ip(lookups: Lookups, snap: Snapshot) -> None:
    """An instance's primary IP, a CLB's address, or a secondary ENI's IP, in the
    authorization's VPC only. The ENI read may fail without harm when another matched."""
    access = snap.vpc_access
    instances, lb_ids, enis = await asyncio.gather(
        lookups.ecs_by_ip(access.vpc_id, access.instance_id),
        lookups.load_balancers_by_address(access.vpc_id, access.instance_id),
        read(lookups.enis_by_ip(access.vpc_id, access.instance_id)),
    )
    secondary = (
        [e for e in enis if isinstance(e, NetworkInterface) and e.eni_type != "Primary"]
        if isinstance(enis, list)
        else []
    )
    snap.ip_matches = (
        tuple(i.id for i in instances) + tuple(lb_ids) + tuple(e.id for e in secondary)
    )
    if instances:
        snap.ecs = instances[0]
    elif lb_ids:
        snap.clb = await lookups.load_balancer(lb_ids[0])
    elif isinstance(enis, Unavailable):
        snap.target_lookup = enis  # nothing else holds the IP, and the ENIs could not be read
    elif secondary:
        snap.eni = secondary[0]
        if snap.eni.instance_id:
            lookups.ecs_health(snap.eni.instance_id)
            snap.ecs = await lookups.ecs_instance(snap.eni.instance_id)


async def _groups(lookups: Lookups, group_ids: tuple[str, ...]) -> tuple[SecurityGroup, ...]:
    return tuple(await asyncio.gather(*(lookups.security_group(g) for g in group_ids)))


async def _gather_ecs(lookups: Lookups, snap: Snapshot) -> None:
    assert snap.ecs is not None
    group_ids = snap.eni.security_group_ids if snap.eni else snap.ecs.security_group_ids
    snap.ecs_health, snap.security_groups = await asyncio.gather(
        read(lookups.ecs_health(snap.ecs.id)), read(_groups(lookups, group_ids))
    )


async def _gather_clb(lookups: Lookups, snap: Snapshot) -> None:
    """The listener's ACL, its health and its server group (with the backends' groups for a
    listener that passes client IPs), all at once."""
    listener, clb = snap.listener, snap.clb
    assert clb is not None
    if listener is None or listener.protocol not in TCP_CARRYING:
        return

    async def acl() -> None:
        if listener.acl_status == "on" and listener.acl_id:
            snap.clb_acl = await read(lookups.clb_acl(listener.acl_id))

    async def health() -> None:
        snap.clb_health = await read(lookups.clb_health(clb.id, listener.port, listener.protocol))

    async def group() -> None:
        snap.server_group = await read(_server_group(lookups, clb, listener))
        # The backends' groups matter where client IPs pass through; a probe needs to know
        # where a backend runs (an ENI's instance) whatever the protocol.
        wanted = listener.passes_client_ip or snap.probe_requested
        if isinstance(snap.server_group, ServerGroup) and wanted:
            await _gather_backends(lookups, snap, snap.server_group)

    await asyncio.gather(acl(), health(), group())


def _server_group(
    lookups: Lookups, clb: LoadBalancer, listener: Listener
) -> Awaitable[ServerGroup]:
    if listener.vserver_group_id:
        return lookups.vserver_group(listener.vserver_group_id)
    if listener.master_slave_group_id:
        return lookups.master_slave_group(listener.master_slave_group_id)
    return _default_group(clb)


async def _default_group(clb: LoadBalancer) -> ServerGroup:
    return ServerGroup(kind="default", id=clb.id, backends=clb.backend_servers)


async def _gather_backends(lookups: Lookups, snap: Snapshot, group: ServerGroup) -> None:
    """Each backend's instance or ENI and its security groups, for a listener that passes
    client IPs. Read for every member, alongside the health check that says which count."""

    def server(backend_id: str, kind: str) -> Awaitable[Backend | None]:
        if kind == "eni":
            return lookups.network_interface(backend_id)
        return lookups.ecs_instance(backend_id)

    kinds = dict.fromkeys((b.server_id, b.server_type) for b in group.backends)
    try:
        found = await asyncio.gather(*(server(i, k) for i, k in kinds))
        snap.backends = {i: f for (i, _), f in zip(kinds, found, strict=True)}
        group_ids = tuple(dict.fromkeys(g for f in found if f for g in f.security_group_ids))
        snap.backend_groups = {g.id: g for g in await _groups(lookups, group_ids)}
    except CloudError as exc:
        snap.backends = snap.backend_groups = Unavailable(exc.reason)


async def _gather_probe(lookups: Lookups, snap: Snapshot, probe: ProbeRequest) -> None:
    """Probe the port from inside the VPC with Cloud Assistant."""
    source, ip, port = _probe_plan(snap, probe)
    if source is None:
        return
    snap.probe = await read(lookups.probe(source, ip, port, probe.timeout_s))


def _probe_plan(snap: Snapshot, probe: ProbeRequest) -> tuple[str | None, str, int]:
    """(instance to run on, address, port), or (None, …) with `probe_note` set."""
    if snap.ecs:
        if snap.ecs.status != "Running":
            snap.probe_note = f"{snap.ecs.id} is {snap.ecs.status}, so nothing can be probed"
            return None, "", 0
        address = snap.eni.private_ips[0] if snap.eni else snap.ecs.private_ips[0]
        if probe.from_instance and probe.from_instance != snap.ecs.id:
            return probe.from_instance, address, snap.vpc_access.port
        return snap.ecs.id, address if snap.eni else "127.0.0.1", snap.vpc_access.port
    if snap.clb and snap.listener and snap.listener.protocol in TCP_CARRYING:
        try:
            receiving = [m for m in snap.group_members() if m.receives_traffic]
        except FactUnavailable as exc:
            snap.probe_note = f"the backends are not known: {exc.reason}"
            return None, "", 0
        if not receiving:
            snap.probe_note = "no backend receives traffic, so there is none to probe from"
            return None, "", 0
        return _backend_probe(snap, receiving[0], probe)
    snap.probe_note = "the target was not found, so there is nothing to probe"
    return None, "", 0


def _backend_probe(
    snap: Snapshot, member: server_groups.Member, probe: ProbeRequest
) -> tuple[str | None, str, int]:
    """From the backend itself (an ENI's instance, to the ENI's address), or from INSTANCE."""
    backends = snap.backends if isinstance(snap.backends, dict) else {}
    found = backends.get(member.server_id)
    address = member.server.server_ip or (found.private_ips[0] if found else "")
    if isinstance(found, NetworkInterface):
        runs_on, local = found.instance_id, address
    else:
        runs_on, local = member.server_id, "127.0.0.1"
    if probe.from_instance and probe.from_instance != runs_on:
        return probe.from_instance, address, member.port
    if not runs_on:
        snap.probe_note = f"{member.server_id} is attached to no instance to probe from"
        return None, "", 0
    return runs_on, local, member.port
