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

    @property
    def port_range(self) -> str:
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
        return (
            f"{self.security_group_id}: {self.policy} {self.protocol} {self.port_range} "
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


@dataclass(frozen=True)
class Listener:
    port: int
    protocol: str  # tcp | udp | http | https
    status: str  # running | stopped | starting | configuring
    backend_port: int | None
    acl_status: str = "off"  # on | off
    acl_type: str = ""  # white | black
    acl_id: str = ""


@dataclass(frozen=True)
class BackendServer:
    server_id: str
    port: int
    weight: int = 100
    server_ip: str = ""


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
        return next((lst for lst in self.listeners if lst.port == port), None)


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
