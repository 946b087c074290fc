"""The playground's cloud panel: the world as the page shows it, and the changes it may make.

`apply(world, op)` runs on the emulator's loop (through `EmulatorServer.mutate`), between
requests, so a change is seen whole by the next cloud call.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import Any

from vpctest.emulator.world import (
    PORTLESS_PROTOCOLS,
    PROTOCOLS,
    AclEntry,
    Backend,
    ClbInstance,
    Listener,
    SgRule,
    World,
    port_range_problem,
)


class WorldOpError(ValueError):
    """A change the panel asked for is malformed or names nothing; the message says what to fix."""


def view(world: World) -> dict[str, Any]:
    """What the cloud panel shows (docs/playground.md, "The world view")."""
    return {
        "region": world.region,
        "gateways": [
            {
                "id": g.id,
                "name": g.name,
                "egress": g.vpc_egress_address,
                "new_egress": g.new_vpc_egress_address,
            }
            for g in world.gateways
        ],
        "authorizations": [
            {
                "id": a.id,
                "name": a.name,
                "vpc_id": a.vpc_id,
                "instance_id": a.instance_id,
                "port": a.port,
            }
            for a in world.vpc_accesses
        ],
        "ecs": [
            {
                "id": i.id,
                "private_ip": i.private_ip,
                "status": i.status,
                "health": i.health,
                "listening": list(i.listening),
                "security_groups": list(i.security_groups),
            }
            for i in world.ecs_instances
        ],
        "security_groups": [
            {"id": g.id, "vpc_id": g.vpc_id, "rules": [_rule(r) for r in g.inbound]}
            for g in world.security_groups
        ],
        "clbs": [
            {
                "id": lb.id,
                "address": lb.address,
                "listeners": [
                    {
                        "port": lis.port,
                        "protocol": lis.protocol,
                        "status": lis.status,
                        "acl": {"status": lis.acl.status, "type": lis.acl.type, "id": lis.acl.id},
                        "health_check": lis.health_check,
                        "server_group": _group_of(lis),
                        "backends": [_backend(b) for b in lis.backends],
                    }
                    for lis in lb.listeners
                ],
                "server_groups": [
                    {
                        "type": kind,
                        "id": g.id,
                        "name": g.name,
                        "backends": [_backend(b) for b in g.backends],
                    }
                    for kind, groups in (
                        ("vserver", lb.vserver_groups),
                        ("primary_secondary", lb.primary_secondary_groups),
                    )
                    for g in groups
                ],
            }
            for lb in world.clb_instances
        ],
        "network_interfaces": [
            {
                "id": e.id,
                "vpc_id": e.vpc_id,
                "private_ip": e.private_ip,
                "instance_id": e.instance_id,
                "status": "InUse" if e.instance_id else "Available",
                "security_groups": list(e.security_groups),
            }
            for e in world.network_interfaces
        ],
        "acls": [
            {"id": a.id, "entries": [{"cidr": e.cidr, "comment": e.comment} for e in a.entries]}
            for a in world.clb_acls
        ],
        "prefix_lists": [{"id": p.id, "entries": list(p.entries)} for p in world.prefix_lists],
    }


def _group_of(listener: Listener) -> dict[str, str]:
    """The group the listener forwards to: its vServer group, else its primary/secondary
    group, else the CLB's default group (its own `backends`)."""
    if listener.server_group:
        return {"type": "vserver", "id": listener.server_group}
    if listener.primary_secondary_group:
        return {"type": "primary_secondary", "id": listener.primary_secondary_group}
    return {"type": "default", "id": ""}


def _backend(backend: Backend) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "server_id": backend.server_id,
        "type": backend.type,
        "port": backend.port,
        "weight": backend.weight,
    }
    if backend.server_type:
        shown["role"] = backend.server_type
    return shown


def _rule(rule: SgRule) -> dict[str, Any]:
    source = rule.source_cidr or rule.source_prefix_list or rule.source_group
    return {
        "id": rule.id,
        "policy": rule.policy,
        "priority": rule.priority,
        "protocol": rule.protocol,
        "port_range": rule.port_range,
        "source": source,
        "description": rule.description,
    }


# --- changes -------------------------------------------------------------------------------------


def apply(world: World, op: Mapping[str, Any]) -> None:
    """Make the change `op` describes; WorldOpError when it is malformed or names nothing."""
    name = op.get("op")
    handler = OPS.get(name) if isinstance(name, str) else None
    if handler is None:
        raise WorldOpError(f"unknown op {name!r}: use one of {', '.join(sorted(OPS))} or reset")
    handler(world, op)


def _text(op: Mapping[str, Any], key: str) -> str:
    value = op.get(key)
    if not isinstance(value, str) or not value.strip():
        raise WorldOpError(f"{op['op']}: give {key}")
    return value.strip()


def _choice(op: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str:
    value = _text(op, key)
    if value not in choices:
        raise WorldOpError(f"{op['op']}: {key} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _int(op: Mapping[str, Any], key: str, lo: int, hi: int) -> int:
    value = op.get(key)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise WorldOpError(f"{op['op']}: {key} must be a whole number from {lo} to {hi}")
    return value


def _cidr(op: Mapping[str, Any], key: str) -> str:
    text = _text(op, key)
    try:
        return str(ipaddress.IPv4Network(text))
    except ValueError as exc:
        raise WorldOpError(f"{op['op']}: {key} {text!r} is not an IPv4 CIDR ({exc})") from None


def _named(op: Mapping[str, Any], key: str, find: Callable[[str], Any], what: str) -> Any:
    """The object `op[key]` names, found with `find`; WorldOpError when there is none."""
    item_id = _text(op, key)
    item = find(item_id)
    if item is None:
        raise WorldOpError(f"no {what} {item_id!r}")
    return item


def _ecs(world: World, op: Mapping[str, Any]) -> Any:
    return _named(op, "instance", world.ecs, "ECS instance")


def _listener(world: World, op: Mapping[str, Any]) -> tuple[ClbInstance, Listener]:
    lb_id, port = _text(op, "lb"), _int(op, "port", 1, 65535)
    lb = world.clb(lb_id)
    if lb is None:
        raise WorldOpError(f"no CLB instance {lb_id!r}")
    listener = next((lis for lis in lb.listeners if lis.port == port), None)
    if listener is None:
        raise WorldOpError(f"{lb_id} has no listener on port {port}")
    return lb, listener


def ecs_status(world: World, op: Mapping[str, Any]) -> None:
    _ecs(world, op).status = _choice(op, "status", ("Running", "Stopped"))


def ecs_listening(world: World, op: Mapping[str, Any]) -> None:
    instance, port = _ecs(world, op), _int(op, "port", 1, 65535)
    listening = op.get("listening")
    if not isinstance(listening, bool):
        raise WorldOpError("ecs.listening: give listening: true or false")
    ports = [p for p in instance.listening if p != port]
    instance.listening = sorted([*ports, port]) if listening else ports


def _group(world: World, op: Mapping[str, Any]) -> Any:
    return _named(op, "group", world.security_group, "security group")


def sg_remove_rule(world: World, op: Mapping[str, Any]) -> None:
    group, rule_id = _group(world, op), _text(op, "rule")
    kept = [r for r in group.inbound if r.id != rule_id]
    if len(kept) == len(group.inbound):
        raise WorldOpError(f"{group.id} has no rule {rule_id!r}")
    group.inbound = kept


def sg_add_rule(world: World, op: Mapping[str, Any]) -> None:
    group = _group(world, op)
    protocol = _choice(op, "protocol", PROTOCOLS)
    default_range = "-1/-1" if protocol in PORTLESS_PROTOCOLS else None
    port_range = str(op.get("port_range") or default_range or "").strip()
    problem = port_range_problem(protocol, port_range)
    if problem:
        raise WorldOpError(f"sg.add_rule: {problem}")
    policy = _choice(op, "policy", ("accept", "drop"))
    if group.type == "enterprise" and policy == "drop":
        raise WorldOpError(f"{group.id} is an enterprise group: it only takes accept rules")
    rule = SgRule(
        id=group.new_rule_id(),
        protocol=protocol,
        port_range=port_range,
        policy=policy,
        priority=_int(op, "priority", 1, 100),
        source_cidr=_cidr(op, "source_cidr"),
        description=str(op.get("description") or "")[:512],
    )
    if any(r.identity() == rule.identity() for r in group.inbound):
        raise WorldOpError(f"{group.id} already has that rule")
    group.inbound.append(rule)


def clb_listener_status(world: World, op: Mapping[str, Any]) -> None:
    _, listener = _listener(world, op)
    listener.status = _choice(op, "status", ("running", "stopped"))


def clb_acl_status(world: World, op: Mapping[str, Any]) -> None:
    lb, listener = _listener(world, op)
    status = _choice(op, "status", ("on", "off"))
    if status == "on" and not listener.acl.id:
        raise WorldOpError(f"listener {listener.port} of {lb.id} has no ACL to turn on")
    listener.acl.status = status


def _acl(world: World, op: Mapping[str, Any]) -> Any:
    return _named(op, "acl", world.clb_acl, "CLB ACL")


def acl_remove_entry(world: World, op: Mapping[str, Any]) -> None:
    acl, cidr = _acl(world, op), _cidr(op, "cidr")
    kept = [e for e in acl.entries if e.cidr != cidr]
    if len(kept) == len(acl.entries):
        raise WorldOpError(f"{acl.id} has no entry {cidr}")
    acl.entries = kept


def acl_add_entry(world: World, op: Mapping[str, Any]) -> None:
    acl, cidr = _acl(world, op), _cidr(op, "cidr")
    if any(e.cidr == cidr for e in acl.entries):
        raise WorldOpError(f"{acl.id} already has {cidr}")
    acl.entries.append(AclEntry(cidr=cidr, comment=str(op.get("comment") or "")[:100]))


OPS: dict[str, Callable[[World, Mapping[str, Any]], None]] = {
    "ecs.status": ecs_status,
    "ecs.listening": ecs_listening,
    "sg.remove_rule": sg_remove_rule,
    "sg.add_rule": sg_add_rule,
    "clb.listener_status": clb_listener_status,
    "clb.acl_status": clb_acl_status,
    "acl.remove_entry": acl_remove_entry,
    "acl.add_entry": acl_add_entry,
}
