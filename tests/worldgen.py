"""Seeded random worlds (docs/spec/world.md, first edition) for the random-world test.

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
Second-edition shapes (server groups, ENIs, port lists) slot in the same way: a `vserver_group`
method called from `clb_instance`, a `network_interface` method called from `generate`, a
`port_range_list` beside `prefix_list`, and `target_eni_ip` in `TARGETS`.
"""

from __future__ import annotations

import copy
import ipaddress
import random
from collections.abc import Callable, Iterator
from typing import Any

from emulator.world import WorldError, parse_world

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

    def gateway_rule(self, group: dict[str, Any]) -> dict[str, Any]:
        """What an operator adds for API Gateway: accept TCP on a port from the egress."""
        port = self.rng.choice(PORTS)
        block = ipaddress.IPv4Network(self.rng.choice(self.egress))
        source = block if self.chance(0.7) else block.supernet(new_prefix=16)
        return {
            "policy": "accept",
            "priority": self.rng.choice((1, 1, 10, 50, 100)),
            "protocol": "TCP",
            "port_range": f"{port}/{port}" if self.chance(0.7) else "1/65535",
            "source_cidr": str(source),
            "description": self.next_id("rule") + " api gateway",
        }

    def rule(self, group: dict[str, Any]) -> dict[str, Any]:
        protocol = self.rng.choice(("TCP",) * 6 + ("ALL", "ALL", "UDP", "UDP", "ICMP", "GRE"))
        enterprise = group["type"] == "enterprise"
        rule: dict[str, Any] = {
            "policy": "accept" if enterprise or self.chance(0.7) else "drop",
            "priority": self.rng.choice((1, 1, 1, 2, 5, 10, 50, 100, self.rng.randint(1, 100))),
            "protocol": protocol,
            "port_range": self.port_range(protocol),
            "description": self.next_id("rule"),
        }
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
        taken: set[tuple[int, bool]] = set()
        if self.chance(0.4):  # a udp and a tcp-capable listener on one port, in random order
            port = self.rng.choice(PORTS)
            pair = ["udp", self.rng.choice(("tcp", "tcp", "http", "https"))]
            self.rng.shuffle(pair)
            for protocol in pair:
                lb["listeners"].append(self.listener(vpc, port, protocol))
                taken.add((port, protocol == "udp"))
        for _ in range(self.rng.randint(0 if lb["listeners"] else 1, 3)):
            port = self.rng.choice(PORTS)
            protocol = self.rng.choice(("tcp", "tcp", "udp", "http", "https"))
            if (port, protocol == "udp") in taken:
                continue
            taken.add((port, protocol == "udp"))
            lb["listeners"].append(self.listener(vpc, port, protocol))
        return lb

    def listener(self, vpc: str, port: int, protocol: str) -> dict[str, Any]:
        backend_port = self.rng.choice((port, *PORTS))
        servers = [i["id"] for i in self.world["ecs_instances"] if i["vpc_id"] == vpc]
        listener: dict[str, Any] = {
            "port": port,
            "protocol": protocol,
            "status": self.rng.choice(LISTENER_STATUSES),
            "backend_port": backend_port,
            "backends": [self.backend(s, backend_port) for s in self.some(servers, 0, 3)],
        }
        acl = self.listener_acl()
        if acl is not None:
            listener["acl"] = acl
        return listener

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
        theirs = [i["private_ip"] for i in w["ecs_instances"] if i["vpc_id"] == OTHER_VPC]
        theirs += [lb["address"] for lb in w["clb_instances"] if lb["vpc_id"] == OTHER_VPC]
        foreign = [ip for ip in theirs if ip not in mine]
        if not foreign:
            return None
        return MAIN_VPC, self.rng.choice(foreign), self.rng.choice(PORTS)

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
    (WorldGen.target_foreign_ip, 1),
    (WorldGen.target_missing_ip, 1),
    (WorldGen.target_wrong_vpc, 1),
    (WorldGen.target_missing_id, 1),
)


def generate(seed: int) -> World:
    """The world of one seed (always the same one)."""
    return WorldGen(seed).generate()


# --- shrinking -----------------------------------------------------------------------------

OPTIONAL_KEYS = ("acl", "new_vpc_egress_address", "inner_access_policy", "source_prefix_list")


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
