"""The world file (docs/spec/world.md) loaded into mutable dataclasses, validated strictly."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vpctest.emulator.faults import Faults, parse_faults
from vpctest.emulator.schema import Node, WorldError, check_cidr, check_int, check_ip, check_str

__all__ = ["World", "WorldError", "load_world", "parse_world", "rule_id"]

ECS_STATUSES = ("Running", "Stopped", "Starting", "Stopping")
HEALTH_STATUSES = (
    "Ok",
    "Impaired",
    "Warning",
    "Maintaining",
    "Initializing",
    "InsufficientData",
    "NotApplicable",
)
PROTOCOLS = ("TCP", "UDP", "ICMP", "GRE", "ALL")
PORTLESS_PROTOCOLS = ("ICMP", "GRE", "ALL")
MAX_EGRESS_ADDRESSES = 4096  # a /20; real egress ranges are /24 to /26


def rule_id(group_id: str, index: int) -> str:
    """A stable security-group rule id, derived from the group and the rule's index."""
    return "sgr-" + hashlib.sha256(f"{group_id}/{index}".encode()).hexdigest()[:17]


@dataclass
class Credentials:
    access_key_id: str
    access_key_secret: str


@dataclass
class GatewayAcl:
    id: str
    status: str = "off"  # on | off
    type: str = "white"  # white | black
    entries: list[str] = field(default_factory=list)


@dataclass
class NetworkInterface:
    vswitch_id: str
    cidr_block: str
    security_group_id: str = ""


@dataclass
class Gateway:
    id: str
    name: str
    type: str = "VPC_SHARED"
    vpc_egress_address: str = ""  # one CIDR, or several comma-separated
    new_vpc_egress_address: str = ""
    dedicated_instance_type: str = ""  # "vpc_connect" for VPC integration
    network_interfaces: list[NetworkInterface] = field(default_factory=list)
    acl: GatewayAcl | None = None


@dataclass
class ApiRef:
    """An API that uses a VPC access authorization (the `apis:` extension)."""

    id: str
    name: str
    group_id: str = ""
    group_name: str = ""
    stage: str = "RELEASE"
    gateway_id: str = ""  # the API Gateway instance the API's group is deployed on


@dataclass
class VpcAccess:
    id: str
    name: str
    vpc_id: str
    instance_id: str
    port: int
    apis: list[ApiRef] = field(default_factory=list)


@dataclass
class EcsInstance:
    id: str
    vpc_id: str
    private_ip: str
    security_groups: list[str]
    status: str = "Running"
    health: str = "Ok"
    listening: list[int] = field(default_factory=list)
    cloud_assistant: bool = True


@dataclass
class Eni:
    """A secondary elastic network interface (`network_interfaces:`)."""

    id: str
    vpc_id: str
    private_ip: str
    security_groups: list[str]
    instance_id: str = ""  # attached to (Status InUse); "" when detached (Available)


@dataclass
class PortRangeList:
    id: str
    entries: list[str] = field(default_factory=list)  # "8080/8080", "9000/9100"


@dataclass
class SgRule:
    id: str
    protocol: str
    port_range: str  # "" when the rule names a port list
    policy: str = "accept"  # accept | drop
    priority: int = 1
    source_cidr: str = ""
    source_group: str = ""
    source_prefix_list: str = ""
    description: str = ""
    port_range_list: str = ""

    def identity(self) -> tuple[Any, ...]:
        """What makes two rules the same rule (the description does not)."""
        return (
            self.policy,
            self.priority,
            self.protocol,
            self.port_range,
            self.port_range_list,
            self.source_cidr,
            self.source_group,
            self.source_prefix_list,
        )


@dataclass
class SecurityGroup:
    id: str
    vpc_id: str
    type: str = "normal"  # normal | enterprise
    inner_access_policy: str = "Accept"
    inbound: list[SgRule] = field(default_factory=list)
    next_rule_index: int = 0  # the index the next added rule's id derives from

    def new_rule_id(self) -> str:
        self.next_rule_index += 1
        return rule_id(self.id, self.next_rule_index - 1)


@dataclass
class PrefixList:
    id: str
    entries: list[str] = field(default_factory=list)


@dataclass
class Backend:
    server_id: str
    port: int
    weight: int = 100
    type: str = "ecs"  # ecs | eni (eni only in vServer groups)
    server_type: str = ""  # Master | Slave, in primary/secondary groups only


@dataclass
class VServerGroup:
    id: str
    name: str = ""
    backends: list[Backend] = field(default_factory=list)


@dataclass
class PrimarySecondaryGroup:
    """A primary/secondary (master/slave) server group: one Master, one Slave."""

    id: str
    name: str = ""
    backends: list[Backend] = field(default_factory=list)


@dataclass
class ListenerAcl:
    status: str = "off"
    type: str = "white"
    id: str = ""


@dataclass
class Listener:
    port: int
    protocol: str  # tcp | udp | http | https
    backend_port: int
    status: str = "running"
    acl: ListenerAcl = field(default_factory=ListenerAcl)
    backends: list[Backend] = field(default_factory=list)  # the default server group
    health_check: str = "on"  # on | off
    server_group: str = ""  # VServerGroupId
    primary_secondary_group: str = ""  # MasterSlaveServerGroupId


@dataclass
class ClbInstance:
    id: str
    vpc_id: str
    address: str
    address_type: str = "intranet"
    status: str = "active"
    listeners: list[Listener] = field(default_factory=list)
    vserver_groups: list[VServerGroup] = field(default_factory=list)
    primary_secondary_groups: list[PrimarySecondaryGroup] = field(default_factory=list)

    def vserver_group(self, group_id: str) -> VServerGroup | None:
        return _find(self.vserver_groups, group_id)

    def primary_secondary_group(self, group_id: str) -> PrimarySecondaryGroup | None:
        return _find(self.primary_secondary_groups, group_id)


@dataclass
class AclEntry:
    cidr: str
    comment: str = ""


@dataclass
class ClbAcl:
    id: str
    entries: list[AclEntry] = field(default_factory=list)


@dataclass
class World:
    """One account in one region, as the emulator serves it. Mutated by write actions."""

    region: str
    credentials: Credentials
    gateways: list[Gateway] = field(default_factory=list)
    vpc_accesses: list[VpcAccess] = field(default_factory=list)
    vpcs: list[str] = field(default_factory=list)
    ecs_instances: list[EcsInstance] = field(default_factory=list)
    security_groups: list[SecurityGroup] = field(default_factory=list)
    prefix_lists: list[PrefixList] = field(default_factory=list)
    clb_instances: list[ClbInstance] = field(default_factory=list)
    clb_acls: list[ClbAcl] = field(default_factory=list)
    network_interfaces: list[Eni] = field(default_factory=list)
    port_range_lists: list[PortRangeList] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)
    source: str = "<world>"

    # Lookups by id (None when absent).
    def gateway(self, gateway_id: str) -> Gateway | None:
        return _find(self.gateways, gateway_id)

    def vpc_access(self, access_id: str) -> VpcAccess | None:
        return _find(self.vpc_accesses, access_id)

    def ecs(self, instance_id: str) -> EcsInstance | None:
        return _find(self.ecs_instances, instance_id)

    def security_group(self, group_id: str) -> SecurityGroup | None:
        return _find(self.security_groups, group_id)

    def prefix_list(self, prefix_list_id: str) -> PrefixList | None:
        return _find(self.prefix_lists, prefix_list_id)

    def clb(self, lb_id: str) -> ClbInstance | None:
        return _find(self.clb_instances, lb_id)

    def clb_acl(self, acl_id: str) -> ClbAcl | None:
        return _find(self.clb_acls, acl_id)

    def gateway_acl(self, acl_id: str) -> GatewayAcl | None:
        return next((g.acl for g in self.gateways if g.acl and g.acl.id == acl_id), None)

    def eni(self, eni_id: str) -> Eni | None:
        return _find(self.network_interfaces, eni_id)

    def port_range_list(self, list_id: str) -> PortRangeList | None:
        return _find(self.port_range_lists, list_id)

    def members(self, group_id: str) -> list[EcsInstance]:
        """The ECS instances whose primary interface is in the group."""
        return [i for i in self.ecs_instances if group_id in i.security_groups]

    def member_enis(self, group_id: str) -> list[Eni]:
        """The secondary ENIs in the group."""
        return [e for e in self.network_interfaces if group_id in e.security_groups]

    def attached_enis(self, instance_id: str) -> list[Eni]:
        return [e for e in self.network_interfaces if e.instance_id == instance_id]

    def to_dict(self) -> dict[str, Any]:
        """The world in world-file form: `parse_world(world.to_dict())` gives it back."""
        return _dump(self)


def _find(items: Iterable[Any], item_id: str) -> Any:
    return next((item for item in items if item.id == item_id), None)


def load_world(path: str | Path) -> World:
    """Read and validate a world YAML file."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise WorldError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise WorldError(f"{path}: cannot read the world file: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise WorldError(f"{path}: not valid YAML{where}: {problem}") from exc
    return parse_world(raw, source=str(path))


def parse_world(raw: Any, source: str = "<world>") -> World:
    """Validate a world mapping (as read from YAML) and build the World."""
    top = Node(
        raw,
        "",
        (
            "region",
            "credentials",
            "gateways",
            "vpc_accesses",
            "vpcs",
            "ecs_instances",
            "security_groups",
            "prefix_lists",
            "clb_instances",
            "clb_acls",
            "network_interfaces",
            "port_range_lists",
            "faults",
        ),
        required=("region", "credentials"),
        source=source,
    )
    creds = top.child(
        top.raw["credentials"],
        "credentials",
        ("access_key_id", "access_key_secret"),
        ("access_key_id", "access_key_secret"),
    )
    world = World(
        region=top.str("region"),
        credentials=Credentials(creds.str("access_key_id"), creds.str("access_key_secret")),
        gateways=[_gateway(top, raw, path) for raw, path in top.items("gateways")],
        vpc_accesses=[_vpc_access(top, raw, path) for raw, path in top.items("vpc_accesses")],
        vpcs=[check_str(top, path, raw) for raw, path in top.items("vpcs")],
        ecs_instances=[_ecs(top, raw, path) for raw, path in top.items("ecs_instances")],
        security_groups=[_group(top, raw, path) for raw, path in top.items("security_groups")],
        prefix_lists=[_prefix_list(top, raw, path) for raw, path in top.items("prefix_lists")],
        clb_instances=[_clb(top, raw, path) for raw, path in top.items("clb_instances")],
        clb_acls=[_clb_acl(top, raw, path) for raw, path in top.items("clb_acls")],
        network_interfaces=[_eni(top, raw, path) for raw, path in top.items("network_interfaces")],
        port_range_lists=[
            _port_range_list(top, raw, path) for raw, path in top.items("port_range_lists")
        ],
        faults=parse_faults(top.raw.get("faults"), top),
        source=source,
    )
    _check_references(top, world)
    return world


# --- one parser per kind of object ------------------------------------------------------------


def _gateway(top: Node, raw: Any, path: str) -> Gateway:
    n = top.child(
        raw,
        path,
        (
            "id",
            "name",
            "type",
            "vpc_egress_address",
            "new_vpc_egress_address",
            "dedicated_instance_type",
            "network_interfaces",
            "acl",
        ),
        ("id",),
    )
    gateway = Gateway(
        id=n.str("id"),
        name=n.str("name", n.str("id")),
        type=n.str("type", "VPC_SHARED", ("VPC_SHARED", "VPC_DEDICATED")),
        vpc_egress_address=_cidr_list(n, "vpc_egress_address"),
        new_vpc_egress_address=_cidr_list(n, "new_vpc_egress_address"),
        dedicated_instance_type=n.str("dedicated_instance_type", "", ("vpc_connect", "normal")),
    )
    for item, item_path in n.items("network_interfaces"):
        nic = n.child(
            item, item_path, ("vswitch_id", "cidr_block", "security_group_id"), ("vswitch_id",)
        )
        gateway.network_interfaces.append(
            NetworkInterface(
                vswitch_id=nic.str("vswitch_id"),
                cidr_block=check_cidr(
                    nic, nic.at("cidr_block"), nic.get("cidr_block"), MAX_EGRESS_ADDRESSES
                ),
                security_group_id=nic.str("security_group_id", ""),
            )
        )
    if gateway.dedicated_instance_type == "vpc_connect":
        if not gateway.network_interfaces:
            n.fail(
                n.at("network_interfaces"),
                "a vpc_connect gateway takes its egress from network_interfaces: list at least one",
            )
    elif not gateway.vpc_egress_address:
        n.fail(n.at("vpc_egress_address"), "missing: give the gateway's egress CIDR block(s)")
    if n.raw.get("acl") is not None:
        acl = n.child(n.raw["acl"], n.at("acl"), ("status", "type", "id", "entries"), ("id",))
        gateway.acl = GatewayAcl(
            id=acl.str("id"),
            status=acl.str("status", "off", ("on", "off")),
            type=acl.str("type", "white", ("white", "black")),
            entries=[check_cidr(acl, p, e) for e, p in acl.items("entries")],
        )
    return gateway


def _cidr_list(n: Node, key: str) -> str:
    """A comma-separated list of egress CIDR blocks, each checked."""
    value = n.get(key, "")
    if not value:
        return ""
    text = check_str(n, n.at(key), value)
    parts = [p.strip() for p in text.split(",")]
    for part in parts:
        check_cidr(n, n.at(key), part, MAX_EGRESS_ADDRESSES)
    return ",".join(parts)


def _vpc_access(top: Node, raw: Any, path: str) -> VpcAccess:
    n = top.child(
        raw,
        path,
        ("id", "name", "vpc_id", "instance_id", "port", "apis"),
        ("id", "vpc_id", "instance_id", "port"),
    )
    apis = []
    for item, item_path in n.items("apis"):
        a = n.child(
            item,
            item_path,
            ("id", "name", "group_id", "group_name", "stage", "gateway_id"),
            ("id", "name"),
        )
        apis.append(
            ApiRef(
                id=a.str("id"),
                name=a.str("name"),
                group_id=a.str("group_id", ""),
                group_name=a.str("group_name", ""),
                stage=a.str("stage", "RELEASE"),
                gateway_id=a.str("gateway_id", ""),
            )
        )
    return VpcAccess(
        id=n.str("id"),
        name=n.str("name", n.str("id")),
        vpc_id=n.str("vpc_id"),
        instance_id=n.str("instance_id"),
        port=n.int("port", lo=1, hi=65535),
        apis=apis,
    )


def _ecs(top: Node, raw: Any, path: str) -> EcsInstance:
    n = top.child(
        raw,
        path,
        (
            "id",
            "vpc_id",
            "private_ip",
            "status",
            "health",
            "security_groups",
            "listening",
            "cloud_assistant",
        ),
        ("id", "vpc_id", "private_ip", "security_groups"),
    )
    groups = [check_str(n, p, g) for g, p in n.items("security_groups", required=True)]
    if not groups:
        n.fail(n.at("security_groups"), "an ECS instance needs at least one security group")
    return EcsInstance(
        id=n.str("id"),
        vpc_id=n.str("vpc_id"),
        private_ip=check_ip(n, n.at("private_ip"), n.get("private_ip")),
        status=n.str("status", "Running", ECS_STATUSES),
        health=n.str("health", "Ok", HEALTH_STATUSES),
        security_groups=groups,
        listening=[check_int(n, p, v, 1, 65535) for v, p in n.items("listening")],
        cloud_assistant=n.bool("cloud_assistant", True),
    )


def _group(top: Node, raw: Any, path: str) -> SecurityGroup:
    n = top.child(
        raw, path, ("id", "vpc_id", "type", "inner_access_policy", "inbound"), ("id", "vpc_id")
    )
    group_type = n.str("type", "normal", ("normal", "enterprise"))
    group = SecurityGroup(
        id=n.str("id"),
        vpc_id=n.str("vpc_id"),
        type=group_type,
        inner_access_policy=n.str(
            "inner_access_policy",
            "Accept" if group_type == "normal" else "Drop",
            ("Accept", "Drop"),
        ),
    )
    for item, item_path in n.items("inbound"):
        group.inbound.append(_rule(n, item, item_path, group))
    group.next_rule_index = len(group.inbound)
    return group


def _rule(top: Node, raw: Any, path: str, group: SecurityGroup) -> SgRule:
    n = top.child(
        raw,
        path,
        (
            "policy",
            "priority",
            "protocol",
            "port_range",
            "port_range_list",
            "source_cidr",
            "source_group",
            "source_prefix_list",
            "description",
        ),
        ("protocol",),
    )
    protocol = n.str("protocol", choices=PROTOCOLS)
    port_range_list = n.str("port_range_list", "")
    if port_range_list:
        if n.raw.get("port_range") is not None:
            n.fail(n.at("port_range"), "give port_range or port_range_list, not both")
        if protocol not in ("TCP", "UDP"):
            n.fail(n.at("port_range_list"), f"a {protocol} rule cannot use a port list")
        port_range = ""
    else:
        port_range = n.str("port_range", "-1/-1" if protocol in PORTLESS_PROTOCOLS else None)
        if port_range is None:
            n.fail(
                n.at("port_range"),
                f"missing: a {protocol} rule needs a port range such as 80/80 "
                "(or a port_range_list)",
            )
        problem = port_range_problem(protocol, port_range)
        if problem:
            n.fail(n.at("port_range"), problem)
    rule = SgRule(
        id=rule_id(group.id, len(group.inbound)),
        protocol=protocol,
        port_range=port_range,
        port_range_list=port_range_list,
        policy=n.str("policy", "accept", ("accept", "drop")),
        priority=n.int("priority", 1, lo=1, hi=100),
        source_cidr=check_cidr(n, n.at("source_cidr"), n.raw["source_cidr"])
        if n.raw.get("source_cidr") is not None
        else "",
        source_group=n.str("source_group", ""),
        source_prefix_list=n.str("source_prefix_list", ""),
        description=str(n.raw.get("description") or ""),
    )
    if not (rule.source_cidr or rule.source_group or rule.source_prefix_list):
        n.fail(path, "a rule needs a source: source_cidr, source_group or source_prefix_list")
    if group.type == "enterprise" and rule.policy == "drop":
        n.fail(n.at("policy"), "enterprise security groups only take accept rules")
    if group.type == "enterprise" and rule.source_group:
        n.fail(n.at("source_group"), "enterprise security groups cannot reference groups")
    return rule


def port_range_problem(protocol: str, port_range: str) -> str | None:
    """Why `port_range` does not suit `protocol` (None when it does)."""
    if protocol in PORTLESS_PROTOCOLS:
        return None if port_range == "-1/-1" else f"a {protocol} rule takes port_range -1/-1"
    low, sep, high = port_range.partition("/")
    if not (sep and low.isdigit() and high.isdigit()):
        return f"{port_range!r} is not a port range such as 8080/8080"
    if not 1 <= int(low) <= int(high) <= 65535:
        return f"{port_range!r}: ports run from 1 to 65535, the first no larger than the second"
    return None


def _prefix_list(top: Node, raw: Any, path: str) -> PrefixList:
    n = top.child(raw, path, ("id", "entries"), ("id",))
    return PrefixList(id=n.str("id"), entries=[check_cidr(n, p, e) for e, p in n.items("entries")])


def _clb(top: Node, raw: Any, path: str) -> ClbInstance:
    n = top.child(
        raw,
        path,
        (
            "id",
            "vpc_id",
            "address",
            "address_type",
            "status",
            "listeners",
            "vserver_groups",
            "primary_secondary_groups",
        ),
        ("id", "vpc_id", "address"),
    )
    lb = ClbInstance(
        id=n.str("id"),
        vpc_id=n.str("vpc_id"),
        address=check_ip(n, n.at("address"), n.get("address")),
        address_type=n.str("address_type", "intranet", ("intranet", "internet")),
        status=n.str("status", "active", ("active", "inactive", "locked")),
    )
    seen: dict[tuple[int, bool], str] = {}
    for item, item_path in n.items("listeners"):
        listener = _listener(n, item, item_path)
        key = (listener.port, listener.protocol == "udp")
        if key in seen:
            n.fail(item_path, f"port {listener.port} already has a listener at {seen[key]}")
        seen[key] = item_path
        lb.listeners.append(listener)
    for item, item_path in n.items("vserver_groups"):
        g = n.child(item, item_path, ("id", "name", "backends"), ("id",))
        group = VServerGroup(id=g.str("id"), name=g.str("name", g.str("id")))
        for b_raw, b_path in g.items("backends"):
            b = g.child(
                b_raw, b_path, ("server_id", "type", "port", "weight"), ("server_id", "port")
            )
            group.backends.append(
                Backend(
                    server_id=b.str("server_id"),
                    port=b.int("port", lo=1, hi=65535),
                    weight=b.int("weight", 100, lo=0, hi=100),
                    type=b.str("type", "ecs", ("ecs", "eni")),
                )
            )
        _no_repeated_backends(g, group.backends)
        lb.vserver_groups.append(group)
    for item, item_path in n.items("primary_secondary_groups"):
        g = n.child(item, item_path, ("id", "name", "backends"), ("id", "backends"))
        group = PrimarySecondaryGroup(id=g.str("id"), name=g.str("name", g.str("id")))
        for b_raw, b_path in g.items("backends", required=True):
            b = g.child(
                b_raw,
                b_path,
                ("server_id", "type", "port", "weight", "server_type"),
                ("server_id", "port", "server_type"),
            )
            if b.str("type", "ecs", ("ecs", "eni")) == "eni":
                b.fail(b.at("type"), "ENIs join vServer groups only: use type ecs here")
            group.backends.append(
                Backend(
                    server_id=b.str("server_id"),
                    port=b.int("port", lo=1, hi=65535),
                    weight=b.int("weight", 100, lo=0, hi=100),
                    server_type=b.str("server_type", choices=("Master", "Slave")),
                )
            )
        if sorted(x.server_type for x in group.backends) != ["Master", "Slave"]:
            g.fail(
                g.at("backends"),
                "a primary/secondary group has exactly two backends: one Master, one Slave",
            )
        _no_repeated_backends(g, group.backends)
        lb.primary_secondary_groups.append(group)
    return lb


def _no_repeated_backends(n: Node, backends: list[Backend]) -> None:
    seen: set[tuple[str, int]] = set()
    for i, backend in enumerate(backends):
        key = (backend.server_id, backend.port)
        if key in seen:
            n.fail(
                f"{n.at('backends')}[{i}]",
                f"{backend.server_id} on port {backend.port} is already in this group",
            )
        seen.add(key)


def _listener(top: Node, raw: Any, path: str) -> Listener:
    n = top.child(
        raw,
        path,
        (
            "port",
            "protocol",
            "status",
            "backend_port",
            "acl",
            "backends",
            "health_check",
            "server_group",
            "primary_secondary_group",
        ),
        ("port", "protocol"),
    )
    port = n.int("port", lo=1, hi=65535)
    listener = Listener(
        port=port,
        protocol=n.str("protocol", choices=("tcp", "udp", "http", "https")),
        backend_port=n.int("backend_port", port, lo=1, hi=65535),
        status=n.str("status", "running", ("running", "stopped", "starting", "configuring")),
        health_check=n.str("health_check", "on", ("on", "off")),
        server_group=n.str("server_group", ""),
        primary_secondary_group=n.str("primary_secondary_group", ""),
    )
    if listener.server_group and listener.primary_secondary_group:
        n.fail(
            n.at("primary_secondary_group"),
            "a listener forwards to a server_group or a primary_secondary_group, not both",
        )
    if listener.primary_secondary_group and listener.protocol in ("http", "https"):
        n.fail(
            n.at("primary_secondary_group"),
            f"primary/secondary groups serve tcp and udp listeners only, not {listener.protocol}",
        )
    if n.raw.get("acl") is not None:
        acl = n.child(n.raw["acl"], n.at("acl"), ("status", "type", "id"))
        listener.acl = ListenerAcl(
            status=acl.str("status", "off", ("on", "off")),
            type=acl.str("type", "white", ("white", "black")),
            id=acl.str("id", ""),
        )
        if listener.acl.status == "on" and not listener.acl.id:
            acl.fail(acl.at("id"), "missing: an ACL that is on needs the id of a clb_acls entry")
    for item, item_path in n.items("backends"):
        b = n.child(item, item_path, ("server_id", "type", "port", "weight"), ("server_id",))
        if b.str("type", "ecs", ("ecs", "eni")) == "eni":
            b.fail(b.at("type"), "ENIs join vServer groups only, not the default server group")
        listener.backends.append(
            Backend(
                server_id=b.str("server_id"),
                port=b.int("port", listener.backend_port, lo=1, hi=65535),
                weight=b.int("weight", 100, lo=0, hi=100),
            )
        )
    return listener


def _clb_acl(top: Node, raw: Any, path: str) -> ClbAcl:
    n = top.child(raw, path, ("id", "entries"), ("id",))
    acl = ClbAcl(id=n.str("id"))
    for item, item_path in n.items("entries"):
        e = n.child(item, item_path, ("cidr", "comment"), ("cidr",))
        acl.entries.append(
            AclEntry(
                cidr=check_cidr(e, e.at("cidr"), e.get("cidr")),
                comment=str(e.raw.get("comment") or ""),
            )
        )
    return acl


def _eni(top: Node, raw: Any, path: str) -> Eni:
    n = top.child(
        raw,
        path,
        ("id", "vpc_id", "private_ip", "instance_id", "security_groups"),
        ("id", "vpc_id", "private_ip", "security_groups"),
    )
    groups = [check_str(n, p, g) for g, p in n.items("security_groups", required=True)]
    if not groups:
        n.fail(n.at("security_groups"), "a network interface needs at least one security group")
    return Eni(
        id=n.str("id"),
        vpc_id=n.str("vpc_id"),
        private_ip=check_ip(n, n.at("private_ip"), n.get("private_ip")),
        security_groups=groups,
        instance_id=n.str("instance_id", ""),
    )


def _port_range_list(top: Node, raw: Any, path: str) -> PortRangeList:
    n = top.child(raw, path, ("id", "entries"), ("id",))
    entries = []
    for entry, entry_path in n.items("entries"):
        text = check_str(n, entry_path, entry)
        if problem := port_range_problem("TCP", text):
            n.fail(entry_path, problem)
        entries.append(text)
    return PortRangeList(id=n.str("id"), entries=entries)


# --- cross-references ---------------------------------------------------------------------------


def _check_references(top: Node, w: World) -> None:
    fail = top.fail
    ids: dict[str, str] = {}
    collections = (
        ("gateways", w.gateways),
        ("vpc_accesses", w.vpc_accesses),
        ("ecs_instances", w.ecs_instances),
        ("security_groups", w.security_groups),
        ("prefix_lists", w.prefix_lists),
        ("clb_instances", w.clb_instances),
        ("clb_acls", w.clb_acls),
        ("network_interfaces", w.network_interfaces),
        ("port_range_lists", w.port_range_lists),
    )
    groups_of_lbs = tuple(
        (f"clb_instances[{i}].{kind}", getattr(lb, kind))
        for i, lb in enumerate(w.clb_instances)
        for kind in ("vserver_groups", "primary_secondary_groups")
    )
    for key, items in collections + groups_of_lbs:
        for i, item in enumerate(items):
            where = f"{key}[{i}]"
            if item.id in ids:
                fail(f"{where}.id", f"{item.id!r} is already the id of {ids[item.id]}")
            ids[item.id] = where
    for i, vpc in enumerate(w.vpcs):
        if w.vpcs.index(vpc) != i:
            fail(f"vpcs[{i}]", f"{vpc!r} is listed twice")

    def vpc_known(path: str, vpc_id: str) -> None:
        if vpc_id not in w.vpcs:
            fail(path, f"VPC {vpc_id!r} is not listed: add it under vpcs")

    names: dict[str, int] = {}
    gateway_of_group: dict[str, str] = {}
    for i, access in enumerate(w.vpc_accesses):
        vpc_known(f"vpc_accesses[{i}].vpc_id", access.vpc_id)
        for j, api in enumerate(access.apis):
            path = f"vpc_accesses[{i}].apis[{j}].gateway_id"
            if api.gateway_id and w.gateway(api.gateway_id) is None:
                fail(path, f"gateway {api.gateway_id!r} is not listed under gateways")
            if api.gateway_id and api.group_id:
                known = gateway_of_group.setdefault(api.group_id, api.gateway_id)
                if known != api.gateway_id:
                    fail(path, f"group {api.group_id!r} is already on gateway {known!r}")

        if access.name in names:
            fail(
                f"vpc_accesses[{i}].name",
                f"{access.name!r} is already the name of vpc_accesses[{names[access.name]}]",
            )
        names[access.name] = i

    gateway_acls: dict[str, GatewayAcl] = {}
    for i, gateway in enumerate(w.gateways):
        if gateway.acl:
            other = gateway_acls.setdefault(gateway.acl.id, gateway.acl)
            if other.entries != gateway.acl.entries:
                fail(f"gateways[{i}].acl.entries", f"ACL {gateway.acl.id} differs between gateways")

    for i, group in enumerate(w.security_groups):
        vpc_known(f"security_groups[{i}].vpc_id", group.vpc_id)
        for j, rule in enumerate(group.inbound):
            path = f"security_groups[{i}].inbound[{j}]"
            if rule.source_group and not w.security_group(rule.source_group):
                fail(f"{path}.source_group", f"security group {rule.source_group!r} is not defined")
            if rule.source_prefix_list and not w.prefix_list(rule.source_prefix_list):
                fail(
                    f"{path}.source_prefix_list",
                    f"prefix list {rule.source_prefix_list!r} is not defined under prefix_lists",
                )
            if rule.port_range_list and not w.port_range_list(rule.port_range_list):
                fail(
                    f"{path}.port_range_list",
                    f"port list {rule.port_range_list!r} is not defined under port_range_lists",
                )

    def groups_known(path: str, group_ids: list[str], vpc_id: str, what: str) -> None:
        kinds = set()
        for j, group_id in enumerate(group_ids):
            group = w.security_group(group_id)
            if group is None:
                fail(
                    f"{path}.security_groups[{j}]",
                    f"security group {group_id!r} is not defined under security_groups",
                )
                continue
            if group.vpc_id != vpc_id:
                fail(
                    f"{path}.security_groups[{j}]",
                    f"{group_id} is in {group.vpc_id}, the {what} in {vpc_id}",
                )
            kinds.add(group.type)
        if len(kinds) > 1:
            fail(
                f"{path}.security_groups",
                f"mixes normal and enterprise security groups: an {what}'s groups are of one type",
            )

    addresses: dict[tuple[str, str], str] = {}

    def address_free(path: str, vpc_id: str, ip: str) -> None:
        key = (vpc_id, ip)
        if key in addresses:
            fail(path, f"{ip} is already used by {addresses[key]}")
        addresses[key] = path.rsplit(".", 1)[0]

    for i, instance in enumerate(w.ecs_instances):
        path = f"ecs_instances[{i}]"
        vpc_known(f"{path}.vpc_id", instance.vpc_id)
        groups_known(path, instance.security_groups, instance.vpc_id, "instance")
        address_free(f"{path}.private_ip", instance.vpc_id, instance.private_ip)

    for i, eni in enumerate(w.network_interfaces):
        path = f"network_interfaces[{i}]"
        vpc_known(f"{path}.vpc_id", eni.vpc_id)
        groups_known(path, eni.security_groups, eni.vpc_id, "interface")
        if eni.instance_id:
            owner = w.ecs(eni.instance_id)
            if owner is None:
                fail(
                    f"{path}.instance_id",
                    f"ECS instance {eni.instance_id!r} is not defined under ecs_instances",
                )
            elif owner.vpc_id != eni.vpc_id:
                fail(
                    f"{path}.instance_id",
                    f"{owner.id} is in {owner.vpc_id}, the interface in {eni.vpc_id}",
                )
        address_free(f"{path}.private_ip", eni.vpc_id, eni.private_ip)

    def backend_known(path: str, backend: Backend, lb: ClbInstance) -> None:
        if backend.type == "eni":
            server: Any = w.eni(backend.server_id)
            missing = f"network interface {backend.server_id!r} is not defined under "
            missing += "network_interfaces"
        else:
            server = w.ecs(backend.server_id)
            missing = f"ECS instance {backend.server_id!r} is not defined under ecs_instances"
        if server is None:
            fail(f"{path}.server_id", missing)
        elif server.vpc_id != lb.vpc_id:
            fail(
                f"{path}.server_id",
                f"{server.id} is in {server.vpc_id}, the load balancer in {lb.vpc_id}",
            )

    for i, lb in enumerate(w.clb_instances):
        path = f"clb_instances[{i}]"
        vpc_known(f"{path}.vpc_id", lb.vpc_id)
        address_free(f"{path}.address", lb.vpc_id, lb.address)
        default_weights: dict[str, tuple[int, str]] = {}
        for j, listener in enumerate(lb.listeners):
            lpath = f"{path}.listeners[{j}]"
            if listener.acl.id and not w.clb_acl(listener.acl.id):
                fail(f"{lpath}.acl.id", f"ACL {listener.acl.id!r} is not defined under clb_acls")
            if listener.server_group and not lb.vserver_group(listener.server_group):
                fail(
                    f"{lpath}.server_group",
                    f"vServer group {listener.server_group!r} is not one of {lb.id}'s "
                    "vserver_groups",
                )
            if listener.primary_secondary_group and not lb.primary_secondary_group(
                listener.primary_secondary_group
            ):
                fail(
                    f"{lpath}.primary_secondary_group",
                    f"primary/secondary group {listener.primary_secondary_group!r} is not one of "
                    f"{lb.id}'s primary_secondary_groups",
                )
            for k, backend in enumerate(listener.backends):
                backend_known(f"{lpath}.backends[{k}]", backend, lb)
                first = default_weights.setdefault(backend.server_id, (backend.weight, lpath))
                if first[0] != backend.weight:
                    fail(
                        f"{lpath}.backends[{k}].weight",
                        f"{backend.server_id} has weight {first[0]} at {first[1]}: the default "
                        "server group is the load balancer's, so a server has one weight in it",
                    )
        for kind in ("vserver_groups", "primary_secondary_groups"):
            for j, group in enumerate(getattr(lb, kind)):
                for k, backend in enumerate(group.backends):
                    backend_known(f"{path}.{kind}[{j}].backends[{k}]", backend, lb)


# --- back to world-file form ---------------------------------------------------------------------


def _dump(w: World) -> dict[str, Any]:
    def gateway(g: Gateway) -> dict[str, Any]:
        out: dict[str, Any] = {"id": g.id, "name": g.name, "type": g.type}
        for key in ("vpc_egress_address", "new_vpc_egress_address", "dedicated_instance_type"):
            if getattr(g, key):
                out[key] = getattr(g, key)
        if g.network_interfaces:
            out["network_interfaces"] = [_compact(vars(nic)) for nic in g.network_interfaces]
        if g.acl:
            out["acl"] = dict(vars(g.acl), entries=list(g.acl.entries))
        return out

    def rule(r: SgRule) -> dict[str, Any]:
        return _compact({k: v for k, v in vars(r).items() if k != "id"})

    def backend(b: Backend) -> dict[str, Any]:
        out = _compact(vars(b))
        if out.get("type") == "ecs":
            del out["type"]
        return out

    def clb(lb: ClbInstance) -> dict[str, Any]:
        return dict(
            vars(lb),
            listeners=[
                _compact(
                    dict(
                        vars(listener),
                        acl=_compact(vars(listener.acl)),
                        backends=[backend(b) for b in listener.backends],
                    )
                )
                for listener in lb.listeners
            ],
            vserver_groups=[
                {"id": g.id, "name": g.name, "backends": [backend(b) for b in g.backends]}
                for g in lb.vserver_groups
            ],
            primary_secondary_groups=[
                {"id": g.id, "name": g.name, "backends": [backend(b) for b in g.backends]}
                for g in lb.primary_secondary_groups
            ],
        )

    return {
        "region": w.region,
        "credentials": dict(vars(w.credentials)),
        "gateways": [gateway(g) for g in w.gateways],
        "vpc_accesses": [
            dict(vars(a), apis=[_compact(vars(api)) for api in a.apis]) for a in w.vpc_accesses
        ],
        "vpcs": list(w.vpcs),
        "ecs_instances": [
            dict(vars(i), security_groups=list(i.security_groups), listening=list(i.listening))
            for i in w.ecs_instances
        ],
        "security_groups": [
            {
                "id": g.id,
                "vpc_id": g.vpc_id,
                "type": g.type,
                "inner_access_policy": g.inner_access_policy,
                "inbound": [rule(r) for r in g.inbound],
            }
            for g in w.security_groups
        ],
        "prefix_lists": [{"id": p.id, "entries": list(p.entries)} for p in w.prefix_lists],
        "clb_instances": [clb(lb) for lb in w.clb_instances],
        "clb_acls": [
            {"id": a.id, "entries": [dict(vars(e)) for e in a.entries]} for a in w.clb_acls
        ],
        "network_interfaces": [
            _compact(dict(vars(e), security_groups=list(e.security_groups)))
            for e in w.network_interfaces
        ],
        "port_range_lists": [{"id": p.id, "entries": list(p.entries)} for p in w.port_range_lists],
        "faults": w.faults.to_dict(),
    }


def _compact(fields: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty strings: the world file spells a default by omitting the key."""
    return {k: v for k, v in fields.items() if v != ""}
