"""Cloud facts a diagnosis gathers, as plain immutable values.

The cloud clients turn SDK responses into these; checks and rule evaluators read
only these, so they can be tested with hand-built values and no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SG_PROTOCOLS = ("TCP", "UDP", "ICMP", "GRE", "ALL")


@dataclass(frozen=True)
class GatewayAcl:
    """The API Gateway instance's access-control policy (instance ACL)."""

    status: str  # "on" | "off"
    acl_type: str  # "white" | "black"
    acl_id: str


@dataclass(frozen=True)
class Gateway:
    """An API Gateway (CloudAPI) instance and the addresses its backend calls come from."""

    id: str
    name: str
    instance_type: str  # VPC_SHARED | VPC_DEDICATED
    egress_cidrs: tuple[str, ...]
    new_egress_cidrs: tuple[str, ...] = ()
    vpc_connect: bool = False
    acl: GatewayAcl | None = None


@dataclass(frozen=True)
class VpcAccess:
    """A VPC access authorization: the backend a gateway may call in a VPC."""

    id: str
    name: str
    vpc_id: str
    instance_id: str  # ECS id, CLB id, or a private IP of either
    port: int


@dataclass(frozen=True)
class EcsInstance:
    id: str
    vpc_id: str
    private_ips: tuple[str, ...]
    status: str  # Running | Stopped | Starting | Stopping
    security_group_ids: tuple[str, ...]
    name: str = ""


@dataclass(frozen=True)
class NetworkInterface:
    """An elastic network interface (DescribeNetworkInterfaces): its own address and groups."""

    id: str
    vpc_id: str
    private_ips: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    instance_id: str = ""  # empty when detached
    eni_type: str = "Secondary"  # Primary | Secondary
    status: str = ""  # InUse | Available | …

    @property
    def attached(self) -> bool:
        return bool(self.instance_id)


@dataclass(frozen=True)
class SgRule:
    """One inbound security-group rule, with its prefix list already expanded.

    `source_cidrs` holds the CIDRs the rule admits or drops: its `SourceCidrIp`, or
    the entries of its prefix list. It is empty for a rule that names only a
    source group (`source_group_id`).
    """

    security_group_id: str
    policy: str  # "accept" | "drop"
    priority: int  # 1 (first) .. 100
    protocol: str  # one of SG_PROTOCOLS
    port_from: int  # -1 for "-1/-1"
    port_to: int
    source_cidrs: tuple[str, ...] = ()
    source_group_id: str | None = None
    source_prefix_list_id: str | None = None
    rule_id: str = ""
    description: str = ""
    # A rule with a port list (`PortRangeListId`, empty `PortRange`) matches a port inside
    # any of the list's ranges; `port_list_ranges` holds them once the list is read.
    port_range_list_id: str | None = None
    port_list_ranges: tuple[tuple[int, int], ...] = ()

    @property
    def port_ranges(self) -> tuple[tuple[int, int], ...]:
        """The (first, last) port ranges the rule matches; (-1, -1) means every port."""
        if self.port_range_list_id:
            return self.port_list_ranges
        return ((self.port_from, self.port_to),)

    def covers_port(self, port: int) -> bool:
        if self.protocol.upper() == "ALL":
            return True
        return any(low == -1 or low <= port <= high for low, high in self.port_ranges)

    @property
    def port_range(self) -> str:
        """`8080/8080`, or a port list with its ranges: `prl-web: 8080/8080, 9000/9100`."""
        if self.port_range_list_id:
            ranges = ", ".join(f"{low}/{high}" for low, high in self.port_list_ranges)
            return f"{self.port_range_list_id}: {ranges or 'no ranges'}"
        return f"{self.port_from}/{self.port_to}"

    @property
    def source(self) -> str:
        """The rule's source as a person reads it."""
        if self.source_prefix_list_id:
            return f"prefix list {self.source_prefix_list_id}"
        if self.source_cidrs:
            return ", ".join(self.source_cidrs)
        return f"group {self.source_group_id}"

    def describe(self) -> str:
        """e.g. `sg-web: drop TCP 8080/8080 from 0.0.0.0/0 at priority 1`."""
        ports = f"({self.port_range})" if self.port_range_list_id else self.port_range
        return (
            f"{self.security_group_id}: {self.policy} {self.protocol} {ports} "
            f"from {self.source} at priority {self.priority}"
        )


@dataclass(frozen=True)
class SecurityGroup:
    id: str
    vpc_id: str
    group_type: str  # "normal" | "enterprise"
    inner_access_policy: str  # "Accept" | "Drop"
    rules: tuple[SgRule, ...] = ()
    name: str = ""


TCP_CARRYING = ("tcp", "http", "https")  # listener protocols that carry the traffic under test


@dataclass(frozen=True)
class Listener:
    port: int
    protocol: str  # tcp | udp | http | https
    status: str  # running | stopped | starting | configuring
    backend_port: int | None
    acl_status: str = "off"  # on | off
    acl_type: str = ""  # white | black
    acl_id: str = ""
    health_check: str = "on"  # on | off
    vserver_group_id: str = ""  # VServerGroupId: the group it forwards to, when set
    master_slave_group_id: str = ""  # MasterSlaveServerGroupId, when set

    @property
    def name(self) -> str:
        return f"{self.port}/{self.protocol}"

    @property
    def passes_client_ip(self) -> bool:
        """tcp/udp listeners pass the client address through to the backend."""
        return self.protocol in ("tcp", "udp")


@dataclass(frozen=True)
class BackendServer:
    """A member of a server group; `port` 0 means the listener's backend port."""

    server_id: str
    port: int
    weight: int = 100
    server_ip: str = ""
    server_type: str = "ecs"  # ecs | eni
    role: str = ""  # Master | Slave, in a primary/secondary group


@dataclass(frozen=True)
class ServerGroup:
    """The servers a listener forwards to: its vServer group, its primary/secondary group,
    or the CLB's default group."""

    kind: str  # vserver | primary_secondary | default
    id: str
    backends: tuple[BackendServer, ...] = ()
    name: str = ""

    @property
    def title(self) -> str:
        """`vServer group rsp-1 (orders-v2)`, as a person reads it."""
        named = f" ({self.name})" if self.name and self.name != self.id else ""
        if self.kind == "vserver":
            return f"vServer group {self.id}{named}"
        if self.kind == "primary_secondary":
            return f"primary/secondary group {self.id}{named}"
        return f"the default server group of {self.id}"

    def to_json(self) -> dict[str, str]:
        return {"type": self.kind, "id": self.id, "name": self.name}


@dataclass(frozen=True)
class LoadBalancer:
    id: str
    vpc_id: str
    address: str
    address_type: str  # intranet | internet
    status: str  # active | inactive | locked
    listeners: tuple[Listener, ...] = ()
    backend_servers: tuple[BackendServer, ...] = ()
    name: str = ""

    def listener(self, port: int) -> Listener | None:
        """The listener on `port` that carries TCP; else any on the port (a udp one)."""
        on_port = [lst for lst in self.listeners if lst.port == port]
        return next((lst for lst in on_port if lst.protocol in TCP_CARRYING), None) or next(
            iter(on_port), None
        )


@dataclass(frozen=True)
class BackendHealth:
    """A backend server's state in a listener's health check (DescribeHealthStatus)."""

    server_id: str
    port: int
    status: str  # normal | abnormal | unavailable
    server_ip: str = ""
    listener_port: int | None = None


@dataclass(frozen=True)
class AclEntry:
    cidr: str
    comment: str = ""


@dataclass(frozen=True)
class ClbAcl:
    id: str
    entries: tuple[AclEntry, ...] = field(default_factory=tuple)
    name: str = ""

    @property
    def cidrs(self) -> tuple[str, ...]:
        return tuple(entry.cidr for entry in self.entries)


@dataclass(frozen=True)
class ApiRef:
    """An API that calls its backend through a VPC access authorization."""

    api_id: str
    api_name: str
    group_id: str = ""
    group_name: str = ""
    stage: str = ""


@dataclass(frozen=True)
class ProbeResult:
    """A Cloud Assistant TCP probe from inside the VPC."""

    instance_id: str
    target: str  # "ip:port"
    connected: bool
    output: str = ""
    exit_code: int | None = None
