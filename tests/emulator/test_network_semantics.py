"""The network semantics of world.md, checked directly on worlds (no server)."""

from __future__ import annotations

from typing import Any

import pytest

from vpctest.emulator import parse_world
from vpctest.emulator.network import backend_health, connectivity, probe
from vpctest.emulator.world import Backend, World

EGRESS = "100.104.13.0/26"


def rule(source: str = EGRESS, port: str = "8080/8080", **kw: Any) -> dict[str, Any]:
    key = kw.pop("key", "source_cidr")
    return {"protocol": kw.pop("protocol", "TCP"), "port_range": port, key: source, **kw}


def make(
    rules: list[dict[str, Any]] | None = None,
    *,
    target: str = "i-1",
    port: int = 8080,
    gateway: dict[str, Any] | None = None,
    instance: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> World:
    raw: dict[str, Any] = {
        "region": "cn-hangzhou",
        "credentials": {"access_key_id": "ak", "access_key_secret": "sk"},
        "gateways": [{"id": "gw", "vpc_egress_address": EGRESS, **(gateway or {})}],
        "vpc_accesses": [{"id": "va", "vpc_id": "vpc-main", "instance_id": target, "port": port}],
        "vpcs": ["vpc-main", "vpc-other"],
        "ecs_instances": [
            {
                "id": "i-1",
                "vpc_id": "vpc-main",
                "private_ip": "192.168.1.10",
                "security_groups": ["sg-1"],
                "listening": [8080],
                **(instance or {}),
            }
        ],
        "security_groups": [
            {
                "id": "sg-1",
                "vpc_id": "vpc-main",
                "inbound": rules if rules is not None else [rule()],
            }
        ],
    }
    for key, value in (extra or {}).items():
        raw[key] = raw.get(key, []) + value if isinstance(value, list) else value
    return parse_world(raw)


def connected(world: World) -> bool:
    return connectivity(world, world.gateways[0], world.vpc_accesses[0]).connected


def test_a_rule_for_the_whole_egress_admits() -> None:
    assert connected(make())


def test_a_rule_for_part_of_the_egress_leaves_the_rest_denied() -> None:
    assert not connected(make([rule("100.104.13.0/27")]))
    assert connected(make([rule("100.104.13.0/27"), rule("100.104.13.32/27")]))
    assert connected(make([rule("100.104.0.0/16")]))


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ([rule(priority=10), rule("0.0.0.0/0", "1/65535", policy="drop", priority=1)], False),
        ([rule(priority=1), rule("0.0.0.0/0", "1/65535", policy="drop", priority=1)], False),
        ([rule(priority=1), rule("0.0.0.0/0", "1/65535", policy="drop", priority=2)], True),
        ([rule(priority=5), rule("100.104.13.0/28", policy="drop", priority=4)], False),
        ([rule("0.0.0.0/0", "-1/-1", protocol="ALL")], True),
        ([rule("0.0.0.0/0", "8080/8080", protocol="UDP")], False),
        ([rule(port="8000/8079")], False),
        ([rule(port="8000/9000")], True),
        ([rule("192.168.0.0/16")], False),
        ([], False),
    ],
)
def test_best_priority_decides_and_drop_wins_ties(
    rules: list[dict[str, Any]], expected: bool
) -> None:
    assert connected(make(rules)) is expected


def test_rules_of_all_the_instances_groups_are_pooled() -> None:
    world = make(
        [rule()],
        instance={"security_groups": ["sg-1", "sg-2"]},
        extra={
            "security_groups": [
                {"id": "sg-2", "vpc_id": "vpc-main", "inbound": [rule(policy="drop")]}
            ]
        },
    )
    assert not connected(world)


def test_prefix_list_sources() -> None:
    lists = {
        "prefix_lists": [
            {"id": "pl-gw", "entries": [EGRESS]},
            {"id": "pl-half", "entries": ["100.104.13.0/27"]},
        ]
    }
    assert connected(make([rule("pl-gw", key="source_prefix_list")], extra=lists))
    assert not connected(make([rule("pl-half", key="source_prefix_list")], extra=lists))


def test_a_source_group_rule_never_matches_gateway_addresses() -> None:
    assert not connected(make([rule("sg-1", key="source_group")]))


def test_the_port_must_be_listened_on_and_the_instance_running() -> None:
    assert not connected(make(instance={"listening": [9090]}))
    for status in ("Stopped", "Starting", "Stopping"):
        assert not connected(make(instance={"status": status}))


def test_every_egress_block_counts_but_not_the_new_one() -> None:
    two = {"vpc_egress_address": f"{EGRESS},100.104.14.0/26"}
    assert not connected(make(gateway=two))
    assert connected(make([rule(), rule("100.104.14.0/26")], gateway=two))
    assert connected(make(gateway={"new_vpc_egress_address": "100.104.200.0/26"}))


def test_vpc_connect_egress_comes_from_the_network_interfaces() -> None:
    gateway = {
        "type": "VPC_DEDICATED",
        "dedicated_instance_type": "vpc_connect",
        "vpc_egress_address": None,
        "network_interfaces": [{"vswitch_id": "vsw-gw", "cidr_block": "192.168.200.0/24"}],
    }
    assert not connected(make(gateway=gateway))
    assert connected(make([rule("192.168.200.0/24")], gateway=gateway))


def test_the_gateway_acl_on_fails_the_test_whatever_the_network() -> None:
    acl = {"acl": {"status": "on", "type": "white", "id": "acl-gw", "entries": ["0.0.0.0/0"]}}
    assert not connected(make(gateway=acl))
    acl["acl"]["status"] = "off"
    assert connected(make(gateway=acl))


def test_targets_by_ip_and_in_the_wrong_vpc() -> None:
    by_ip = make(target="192.168.1.10")
    result = connectivity(by_ip, by_ip.gateways[0], by_ip.vpc_accesses[0])
    assert (result.connected, result.ip_type) == (True, "ECS")
    nowhere = make(target="192.168.9.9")
    result = connectivity(nowhere, nowhere.gateways[0], nowhere.vpc_accesses[0])
    assert (result.connected, result.ip_type) == (False, "INVALID")
    wrong = make()
    wrong.vpc_accesses[0].vpc_id = "vpc-other"
    result = connectivity(wrong, wrong.gateways[0], wrong.vpc_accesses[0])
    assert (result.connected, result.ip_type) == (False, None)
    assert "not in vpc-other" in result.reason
    assert not connected(make(target="i-missing"))


# --- CLB -----------------------------------------------------------------------------------------


def clb_world(
    listener: dict[str, Any] | None = None,
    *,
    lb: dict[str, Any] | None = None,
    rules: list[dict[str, Any]] | None = None,
    acl_entries: list[str] | None = None,
    instance: dict[str, Any] | None = None,
    target: str = "lb-1",
) -> World:
    listener = {
        "port": 80,
        "protocol": "http",
        "backend_port": 8080,
        "backends": [{"server_id": "i-1", "port": 8080}],
        **(listener or {}),
    }
    return make(
        rules if rules is not None else [rule("192.168.0.0/16")],
        target=target,
        port=80,
        instance=instance,
        extra={
            "clb_instances": [
                {
                    "id": "lb-1",
                    "vpc_id": "vpc-main",
                    "address": "192.168.1.100",
                    "listeners": [listener],
                    **(lb or {}),
                }
            ],
            "clb_acls": [{"id": "acl-1", "entries": [{"cidr": c} for c in (acl_entries or [])]}],
        },
    )


def test_an_http_clb_with_a_healthy_backend_connects() -> None:
    assert connected(clb_world())
    by_ip = clb_world(target="192.168.1.100")
    result = connectivity(by_ip, by_ip.gateways[0], by_ip.vpc_accesses[0])
    assert (result.connected, result.ip_type) == (True, "SLB")


@pytest.mark.parametrize(
    ("entries", "acl_type", "expected"),
    [
        (["10.0.0.0/8"], "white", False),
        ([EGRESS], "white", True),
        (["100.104.13.0/27"], "white", False),
        ([], "white", True),
        ([EGRESS], "black", False),
        (["100.104.13.63/32"], "black", False),
        (["10.0.0.0/8"], "black", True),
    ],
)
def test_listener_acls(entries: list[str], acl_type: str, expected: bool) -> None:
    world = clb_world(
        {"acl": {"status": "on", "type": acl_type, "id": "acl-1"}}, acl_entries=entries
    )
    assert connected(world) is expected


def test_an_acl_that_is_off_admits_everything() -> None:
    assert connected(
        clb_world({"acl": {"status": "off", "id": "acl-1"}}, acl_entries=["10.0.0.0/8"])
    )


@pytest.mark.parametrize(
    "change",
    [
        {"lb": {"status": "inactive"}},
        {"listener": {"status": "stopped"}},
        {"listener": {"port": 81}},
        {"listener": {"protocol": "udp"}},
        {"instance": {"listening": [9090]}},
        {"instance": {"status": "Stopped"}},
    ],
)
def test_clb_failures(change: dict[str, Any]) -> None:
    assert not connected(clb_world(**change))


def test_tcp_listeners_need_a_backend_admitting_the_egress() -> None:
    tcp = {"protocol": "tcp"}
    assert not connected(clb_world(tcp))
    assert connected(clb_world(tcp, rules=[rule(EGRESS)]))
    # health checks come from the CLB's own addresses: no rule is needed for them
    assert connected(clb_world(rules=[]))


def test_health_statuses() -> None:
    world = clb_world()
    lb = world.clb_instances[0]
    listener = lb.listeners[0]
    on_8080, on_9090 = Backend("i-1", 8080), Backend("i-1", 9090)
    assert backend_health(world, lb, listener, on_8080) == "normal"
    assert backend_health(world, lb, listener, on_9090) == "abnormal"
    world.ecs_instances[0].status = "Stopped"
    assert backend_health(world, lb, listener, on_8080) == "abnormal"
    listener.status = "stopped"
    assert backend_health(world, lb, listener, on_8080) == "unavailable"


# --- probes --------------------------------------------------------------------------------------


def probe_world(inner: str = "Accept", peer_rules: list[dict[str, Any]] | None = None) -> World:
    return make(
        [rule()],
        extra={
            "ecs_instances": [
                {
                    "id": "i-2",
                    "vpc_id": "vpc-main",
                    "private_ip": "192.168.1.11",
                    "security_groups": ["sg-1"],
                    "listening": [9000],
                },
                {
                    "id": "i-3",
                    "vpc_id": "vpc-main",
                    "private_ip": "192.168.1.12",
                    "security_groups": ["sg-3"],
                    "listening": [9000],
                },
            ],
            "security_groups": [{"id": "sg-3", "vpc_id": "vpc-main", "inbound": peer_rules or []}],
        },
    )


def test_probes() -> None:
    world = probe_world()
    one = world.ecs("i-1")
    assert probe(world, one, "127.0.0.1", 8080) == "open"
    assert probe(world, one, "192.168.1.10", 22) == "refused"
    assert probe(world, one, "192.168.1.11", 9000) == "open"  # same group, inner access Accept
    assert probe(world, one, "192.168.1.11", 9001) == "refused"
    assert probe(world, one, "192.168.1.12", 9000) == "timeout"  # sg-3 has no rule for it
    assert probe(world, one, "10.9.9.9", 80) == "timeout"
    world.security_groups[0].inner_access_policy = "Drop"
    assert probe(world, one, "192.168.1.11", 9000) == "timeout"


def test_probe_through_a_rule_and_to_a_stopped_peer() -> None:
    world = probe_world(peer_rules=[rule("192.168.1.10/32", "9000/9000")])
    one = world.ecs("i-1")
    assert probe(world, one, "192.168.1.12", 9000) == "open"
    world.ecs("i-3").status = "Stopped"
    assert probe(world, one, "192.168.1.12", 9000) == "timeout"


def test_probe_to_a_load_balancer() -> None:
    world = clb_world()
    one = world.ecs("i-1")
    assert probe(world, one, "192.168.1.100", 80) == "open"
    assert probe(world, one, "192.168.1.100", 81) == "refused"
    world.clb_instances[0].listeners[0].status = "stopped"
    assert probe(world, one, "192.168.1.100", 80) == "timeout"
