"""The facts one diagnosis judges, gathered concurrently; a fact that could not be read
holds an `Unavailable` with the reason, so the checks that need it become `unknown`."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

from diagnostics.errors import CloudError
from diagnostics.facts import (
    ApiRef,
    BackendHealth,
    ClbAcl,
    EcsInstance,
    Gateway,
    Listener,
    LoadBalancer,
    ProbeResult,
    SecurityGroup,
    VpcAccess,
)
from diagnostics.lookups import Lookups

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
    """`--probe` (from the target itself) or `--probe=INSTANCE` (from that instance)."""

    from_instance: str | None = None


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
    ip_matches: tuple[str, ...] = ()  # for an IP target: every instance that holds the IP
    ecs_health: tuple[str, str] | Unavailable | None = None
    security_groups: tuple[SecurityGroup, ...] | Unavailable = ()
    clb_acl: ClbAcl | Unavailable | None = None
    clb_health: tuple[BackendHealth, ...] | Unavailable | None = None
    backends: dict[str, EcsInstance | None] | Unavailable = field(default_factory=dict)
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
            instances, lb_ids = await asyncio.gather(
                lookups.ecs_by_ip(access.vpc_id, target),
                lookups.load_balancers_by_address(access.vpc_id, target),
            )
            snap.ip_matches = tuple(i.id for i in instances) + tuple(lb_ids)
            if instances:
                snap.ecs = instances[0]
            elif lb_ids:
                snap.clb = await lookups.load_balancer(lb_ids[0])
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


async def _groups(lookups: Lookups, group_ids: tuple[str, ...]) -> tuple[SecurityGroup, ...]:
    return tuple(await asyncio.gather(*(lookups.security_group(g) for g in group_ids)))


async def _gather_ecs(lookups: Lookups, snap: Snapshot) -> None:
    assert snap.ecs is not None
    snap.ecs_health, snap.security_groups = await asyncio.gather(
        read(lookups.ecs_health(snap.ecs.id)),
        read(_groups(lookups, snap.ecs.security_group_ids)),
    )


async def _gather_clb(lookups: Lookups, snap: Snapshot) -> None:
    listener = snap.listener
    assert snap.clb is not None
    if listener is None:
        return
    acl_read = (
        read(lookups.clb_acl(listener.acl_id))
        if listener.acl_status == "on" and listener.acl_id
        else None
    )

    async def acl() -> None:
        if acl_read:
            snap.clb_acl = await acl_read

    async def health() -> None:
        snap.clb_health = await read(lookups.clb_health(snap.clb.id, listener.port))

    async def backends() -> None:
        if listener.protocol in ("tcp", "udp"):
            await _gather_backends(lookups, snap)

    await asyncio.gather(acl(), health(), backends())


async def _gather_backends(lookups: Lookups, snap: Snapshot) -> None:
    """The backends' instances and security groups, for a listener that passes client IPs.

    The server ids come from the CLB itself, so this runs alongside the health check."""
    assert snap.clb is not None
    server_ids = list(dict.fromkeys(s.server_id for s in snap.clb.backend_servers))
    try:
        instances = await asyncio.gather(*(lookups.ecs_instance(s) for s in server_ids))
        snap.backends = dict(zip(server_ids, instances, strict=True))
        group_ids = tuple(dict.fromkeys(g for i in instances if i for g in i.security_group_ids))
        groups = await _groups(lookups, group_ids)
        snap.backend_groups = {g.id: g for g in groups}
    except CloudError as exc:
        snap.backends = snap.backend_groups = Unavailable(exc.reason)


async def _gather_probe(lookups: Lookups, snap: Snapshot, probe: ProbeRequest) -> None:
    """Probe the port from inside the VPC with Cloud Assistant."""
    source, ip, port = _probe_plan(snap, probe)
    if source is None:
        return
    snap.probe = await read(lookups.probe(source, ip, port))


def _probe_plan(snap: Snapshot, probe: ProbeRequest) -> tuple[str | None, str, int]:
    """(instance to run on, address, port), or (None, …) with `probe_note` set."""
    if snap.ecs:
        if snap.ecs.status != "Running":
            snap.probe_note = f"{snap.ecs.id} is {snap.ecs.status}, so nothing can be probed"
            return None, "", 0
        if probe.from_instance and probe.from_instance != snap.ecs.id:
            return probe.from_instance, snap.ecs.private_ips[0], snap.vpc_access.port
        return snap.ecs.id, "127.0.0.1", snap.vpc_access.port
    listener = snap.listener
    if snap.clb and listener and isinstance(snap.clb_health, tuple):
        healthy = [h for h in snap.clb_health if h.status == "normal"]
        if not healthy:
            snap.probe_note = "no backend is healthy, so there is none to probe from"
            return None, "", 0
        backend = healthy[0]
        port = backend.port or listener.backend_port or listener.port
        if probe.from_instance and probe.from_instance != backend.server_id:
            return probe.from_instance, backend.server_ip, port
        return backend.server_id, "127.0.0.1", port
    snap.probe_note = "the target was not found, so there is nothing to probe"
    return None, "", 0
