"""world.md rules 6-9 (and the sharpened rules 1, 3, 4), checked directly on worlds (no server)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from vpctest.emulator import parse_world
from vpctest.emulator.network import (
    backend_health,
    connectivity,
    probe,
    receiving_backends,
    server_group,
)
from vpctest.emulator.world import World

EGRESS = "100.104.13.0/26"
GATEWAY_RULE = {"protocol": "TCP", "port_range": "1/65535", "source_cidr": EGRESS}
VPC_RULE = {"protocol": "TCP", "port_range": "1/65535", "source_cidr": "192.168.0.0/16"}


def base(listener: dict[str, Any] | None = None, **lb: Any) -> dict[str, Any]:
    """Two instances (i-a listens on 8080, i-b on 8080 and 9000), an ENI on i-a, one CLB."""
    return {
        "region": "cn-hangzhou",
        "credentials": {"access_key_id": "ak", "access_key_secret": "sk"},
        "gateways": [{"id": "gw", "vpc_egress_address": EGRESS}],
        "vpc_accesses": [{"id": "va", "vpc_id": "vpc-main", "instance_id": "lb-1", "port": 80}],
        "vpcs": ["vpc-main", "vpc-other"],
        "ecs_instances": [
            {
                "id": "i-a",
                "vpc_id": "vpc-main",
                "private_ip": "192.168.1.10",
                "security_groups": ["sg-open"],
                "listening": [8080],
            },
            {
                "id": "i-b",
                "vpc_id": "vpc-main",
                "private_ip": "192.168.1.11",
                "security_groups": ["sg-closed"],
                "listening": [8080, 9000],
            },
        ],
        "network_interfaces": [
            {
                "id": "eni-a2",
                "vpc_id": "vpc-main",
                "private_ip": "192.168.1.20",
                "instance_id": "i-a",
                "security_groups": ["sg-closed"],
            },
            {
                "id": "eni-loose",
                "vpc_id": "vpc-main",
                "private_ip": "192.168.1.21",
                "security_groups": ["sg-open"],
            },
        ],
        "security_groups": [
            {"id": "sg-open", "vpc_id": "vpc-main", "inbound": [GATEWAY_RULE]},
            {"id": "sg-closed", "vpc_id": "vpc-main", "inbound": [VPC_RULE]},
        ],
        "clb_instances": [
            {
                "id": "lb-1",
                "vpc_id": "vpc-main",
                "address": "192.168.1.100",
                "listeners": [
                    {"port": 80, "protocol": "tcp", "backend_port": 8080, **(listener or {})}
                ],
                **lb,
            }
        ],
    }


def build(raw: dict[str, Any]) -> World:
    return parse_world(copy.deepcopy(raw))


def connected(world: World, access: int = 0) -> bool:
    return connectivity(world, world.gateways[0], world.vpc_accesses[access]).connected


def health(world: World) -> list[tuple[str, int, str]]:
    lb = world.clb_instances[0]
    listener = lb.listeners[0]
    return [
        (b.server_id, b.port, backend_health(world, lb, listener, b))
        for b in server_group(lb, listener).backends
    ]


def vserver(*backends: dict[str, Any], listener: dict[str, Any] | None = None) -> World:
    return build(
        base(
            {"server_group": "rsp-1", **(listener or {})},
            vserver_groups=[{"id": "rsp-1", "name": "v", "backends": list(backends)}],
        )
    )


def ps(master: dict[str, Any], slave: dict[str, Any], **listener: Any) -> World:
    return build(
        base(
            {"primary_secondary_group": "rsp-ms", **listener},
            primary_secondary_groups=[
                {
                    "id": "rsp-ms",
                    "backends": [
                        {"server_type": "Master", **master},
                        {"server_type": "Slave", **slave},
                    ],
                }
            ],
        )
    )


# --- rule 6: which backends receive traffic -------------------------------------------------------


def test_a_vserver_group_backend_is_checked_and_reached_on_its_own_port() -> None:
    world = vserver({"server_id": "i-a", "port": 9000})
    assert health(world) == [("i-a", 9000, "abnormal")]  # i-a listens on 8080 only
    assert not connected(world)
    world = vserver({"server_id": "i-a", "port": 8080})
    assert health(world) == [("i-a", 8080, "normal")]
    assert connected(world)


def test_the_vserver_group_wins_over_the_default_group() -> None:
    raw = base(
        {"server_group": "rsp-1", "backends": [{"server_id": "i-a"}]},
        vserver_groups=[{"id": "rsp-1", "backends": [{"server_id": "i-b", "port": 9000}]}],
    )
    world = build(raw)
    assert server_group(world.clb_instances[0], world.clb_instances[0].listeners[0]).kind == (
        "vserver"
    )
    assert health(world) == [("i-b", 9000, "normal")]
    assert not connected(world)  # i-b's group admits only the VPC; i-a (default) is not used


def test_the_default_group_is_used_on_backend_port_without_groups() -> None:
    world = build(base({"backends": [{"server_id": "i-a"}]}))
    assert health(world) == [("i-a", 8080, "normal")]
    assert connected(world)


def test_weight_zero_receives_nothing_though_it_is_checked() -> None:
    world = vserver(
        {"server_id": "i-a", "port": 8080, "weight": 0},
        {"server_id": "i-b", "port": 8080, "weight": 100},
    )
    assert health(world) == [("i-a", 8080, "normal"), ("i-b", 8080, "normal")]
    lb = world.clb_instances[0]
    assert [b.server_id for b in receiving_backends(world, lb, lb.listeners[0])] == ["i-b"]
    assert not connected(world)  # only i-a admits the gateway, and it gets no traffic


def test_weight_zero_is_not_connected_when_it_is_the_only_healthy_one() -> None:
    world = build(base({"backends": [{"server_id": "i-a", "weight": 0}]}))
    assert health(world) == [("i-a", 8080, "normal")]
    assert not connected(world)
    http = build(base({"protocol": "http", "backends": [{"server_id": "i-a", "weight": 0}]}))
    assert not connected(http)


def test_master_serves_while_normal_then_the_slave() -> None:
    world = ps({"server_id": "i-a", "port": 8080}, {"server_id": "i-b", "port": 8080})
    lb = world.clb_instances[0]
    assert [b.server_id for b in receiving_backends(world, lb, lb.listeners[0])] == ["i-a"]
    assert connected(world)  # the Master admits the gateway
    world.ecs("i-a").status = "Stopped"  # failover: the Slave, whose group admits only the VPC
    assert [b.server_id for b in receiving_backends(world, lb, lb.listeners[0])] == ["i-b"]
    assert not connected(world)
    world.security_group("sg-closed").inbound[0].source_cidr = EGRESS
    assert connected(world)
    world.ecs("i-b").status = "Stopped"
    assert receiving_backends(world, lb, lb.listeners[0]) == []
    assert not connected(world)


def test_a_normal_master_keeps_the_traffic_from_an_admitting_slave() -> None:
    world = ps({"server_id": "i-b", "port": 8080}, {"server_id": "i-a", "port": 8080})
    assert not connected(world)  # i-b (Master, normal) does not admit; i-a stands by


# --- rule 7: ENI backends and ENI targets ---------------------------------------------------------


def test_an_eni_backend_uses_the_enis_address_groups_and_instance() -> None:
    world = vserver({"server_id": "eni-a2", "type": "eni", "port": 8080})
    assert health(world) == [("eni-a2", 8080, "normal")]  # i-a listens on 8080
    assert not connected(world)  # the ENI's sg-closed decides, not i-a's sg-open
    world.network_interfaces[0].security_groups = ["sg-open"]
    assert connected(world)
    world.ecs("i-a").status = "Stopped"
    assert health(world) == [("eni-a2", 8080, "abnormal")]
    assert not connected(world)


def test_a_detached_eni_backend_is_abnormal() -> None:
    world = vserver({"server_id": "eni-loose", "type": "eni", "port": 8080})
    assert health(world) == [("eni-loose", 8080, "abnormal")]
    assert not connected(world)


def target(ip: str, port: int = 8080) -> World:
    raw = base()
    raw["vpc_accesses"] = [{"id": "va", "vpc_id": "vpc-main", "instance_id": ip, "port": port}]
    return build(raw)


def test_an_authorization_by_an_enis_ip_targets_its_instance_through_the_enis_groups() -> None:
    world = target("192.168.1.20")
    result = connectivity(world, world.gateways[0], world.vpc_accesses[0])
    assert (result.connected, result.ip_type) == (False, "ECS")  # sg-closed on the ENI
    assert "eni-a2" in result.reason
    world.network_interfaces[0].security_groups = ["sg-open"]
    assert connected(world)
    world.security_group("sg-open").inbound[0].source_cidr = "10.0.0.0/8"
    assert not connected(world)  # now the ENI's group no longer admits, even if i-a's would


def test_an_eni_target_needs_its_instance_running_and_listening() -> None:
    world = target("192.168.1.20", port=9000)
    world.network_interfaces[0].security_groups = ["sg-open"]
    assert not connected(world)  # i-a does not listen on 9000
    world.ecs("i-a").listening.append(9000)
    assert connected(world)
    world.ecs("i-a").status = "Stopped"
    assert not connected(world)


def test_a_detached_enis_ip_is_an_ecs_target_that_nothing_serves() -> None:
    world = target("192.168.1.21")
    result = connectivity(world, world.gateways[0], world.vpc_accesses[0])
    assert (result.connected, result.ip_type) == (False, "ECS")
    assert "not attached" in result.reason


def test_an_eni_ip_of_another_vpc_names_nothing() -> None:
    world = target("192.168.1.20")
    world.vpc_accesses[0].vpc_id = "vpc-other"
    result = connectivity(world, world.gateways[0], world.vpc_accesses[0])
    assert (result.connected, result.ip_type) == (False, "INVALID")


def test_probes_to_own_and_other_enis() -> None:
    world = build(base())
    a, b = world.ecs("i-a"), world.ecs("i-b")
    assert probe(world, a, "192.168.1.20", 8080) == "open"  # its own ENI: itself
    assert probe(world, a, "192.168.1.20", 9000) == "refused"
    # from i-b (192.168.1.11) to i-a's ENI: sg-closed admits the VPC, i-a listens on 8080
    assert probe(world, b, "192.168.1.20", 8080) == "open"
    world.security_group("sg-closed").inbound[0].source_cidr = "10.0.0.0/8"
    assert probe(world, b, "192.168.1.20", 8080) == "open"  # i-b shares sg-closed: inner Accept
    world.security_group("sg-closed").inner_access_policy = "Drop"
    assert probe(world, b, "192.168.1.20", 8080) == "timeout"
    assert probe(world, b, "192.168.1.21", 8080) == "timeout"  # detached


def test_a_source_group_rule_matches_member_enis() -> None:
    raw = base()
    raw["security_groups"].append(
        {
            "id": "sg-peer",
            "vpc_id": "vpc-main",
            "inbound": [{"protocol": "TCP", "port_range": "9000/9000", "source_group": "sg-x"}],
        }
    )
    raw["security_groups"].append({"id": "sg-x", "vpc_id": "vpc-main"})
    raw["ecs_instances"][1]["security_groups"] = ["sg-peer"]
    world = build(raw)
    a, b = world.ecs("i-a"), world.ecs("i-b")
    assert probe(world, a, "192.168.1.11", 9000) == "timeout"
    world.ecs("i-a").security_groups = ["sg-x"]
    assert probe(world, a, "192.168.1.11", 9000) == "open"
    assert b  # the ENI holds no say over the instance's own address
    world.ecs("i-a").security_groups = ["sg-open"]
    world.network_interfaces[0].security_groups = ["sg-x"]
    # the probe leaves from i-a's primary address, not from its ENI's: no match
    assert probe(world, a, "192.168.1.11", 9000) == "timeout"


# --- rule 8: health check off ---------------------------------------------------------------------


def test_health_check_off_reports_unavailable_and_forwards_to_every_weighted_backend() -> None:
    world = vserver(
        {"server_id": "i-b", "port": 8080},
        {"server_id": "i-a", "port": 8080, "weight": 0},
        listener={"health_check": "off"},
    )
    assert [h[2] for h in health(world)] == ["unavailable", "unavailable"]
    assert not connected(world)  # i-b gets the traffic, does not admit; i-a has weight 0
    world.clb_instances[0].vserver_groups[0].backends[1].weight = 50
    assert connected(world)  # i-a now receives, serves and admits


def test_health_check_off_still_needs_a_backend_that_serves() -> None:
    world = vserver({"server_id": "i-a", "port": 9000}, listener={"health_check": "off"})
    assert health(world) == [("i-a", 9000, "unavailable")]
    assert not connected(world)  # nothing listens on 9000 behind i-a
    world.ecs("i-a").listening.append(9000)
    assert connected(world)


def test_health_check_off_on_a_primary_secondary_group() -> None:
    world = ps(
        {"server_id": "i-b", "port": 8080},
        {"server_id": "i-a", "port": 8080},
        health_check="off",
    )
    assert [h[2] for h in health(world)] == ["unavailable", "unavailable"]
    assert connected(world)  # every backend of weight > 0 receives: i-a serves and admits


# --- rule 9: port lists ---------------------------------------------------------------------------


def port_list_world(entries: list[str], port: int = 8080) -> World:
    raw = base()
    raw["port_range_lists"] = [{"id": "prl-web", "entries": entries}]
    raw["security_groups"][0]["inbound"] = [
        {"protocol": "TCP", "port_range_list": "prl-web", "source_cidr": EGRESS}
    ]
    raw["vpc_accesses"] = [{"id": "va", "vpc_id": "vpc-main", "instance_id": "i-a", "port": port}]
    return build(raw)


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (["8080/8080"], True),
        (["80/80", "8000/8100"], True),
        (["80/80", "9000/9100"], False),
        ([], False),
    ],
)
def test_a_port_list_rule_matches_a_port_in_any_entry(entries: list[str], expected: bool) -> None:
    assert connected(port_list_world(entries)) is expected


def test_a_port_list_drop_rule_beats_an_accept() -> None:
    world = port_list_world(["8080/8080"])
    world.security_group("sg-open").inbound[0].policy = "drop"
    world.security_group("sg-open").inbound.append(
        copy.deepcopy(world.security_group("sg-closed").inbound[0])
    )
    world.security_group("sg-open").inbound[1].source_cidr = EGRESS
    assert not connected(world)


# --- sharpened first-edition rules 1, 3, 4 ------------------------------------------------------


def test_the_tcp_listener_is_chosen_when_a_udp_one_shares_the_port() -> None:
    raw = base({"backends": [{"server_id": "i-a"}]})
    raw["clb_instances"][0]["listeners"].insert(
        0, {"port": 80, "protocol": "udp", "status": "stopped", "backend_port": 8080}
    )
    world = build(raw)
    assert connected(world)
    only_udp = build(base({"protocol": "udp", "backends": [{"server_id": "i-a"}]}))
    assert not connected(only_udp)


def test_udp_health_is_reported_for_the_udp_listener_only() -> None:
    raw = base({"backends": [{"server_id": "i-a"}]})
    raw["clb_instances"][0]["listeners"].append(
        {
            "port": 80,
            "protocol": "udp",
            "backend_port": 8080,
            "status": "stopped",
            "backends": [{"server_id": "i-b"}],
        }
    )
    world = build(raw)
    lb = world.clb_instances[0]
    tcp, udp = lb.listeners
    assert [backend_health(world, lb, udp, b) for b in udp.backends] == ["unavailable"]
    assert [backend_health(world, lb, tcp, b) for b in tcp.backends] == ["normal"]


@pytest.mark.parametrize(
    ("status", "health_status", "is_connected"),
    [("active", "normal", True), ("inactive", "unavailable", False), ("locked", "normal", False)],
)
def test_clb_status(status: str, health_status: str, is_connected: bool) -> None:
    world = build(base({"backends": [{"server_id": "i-a"}]}, status=status))
    assert health(world) == [("i-a", 8080, health_status)]
    assert connected(world) is is_connected


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        ({"source_cidr": EGRESS, "source_group": "sg-closed"}, True),  # the CIDR decides
        ({"source_cidr": "10.0.0.0/8", "source_prefix_list": "pl-gw"}, False),  # the CIDR decides
        ({"source_group": "sg-closed", "source_prefix_list": "pl-gw"}, False),  # the group decides
        ({"source_prefix_list": "pl-gw"}, True),
    ],
)
def test_one_rule_source_decides(sources: dict[str, str], expected: bool) -> None:
    raw = base()
    raw["prefix_lists"] = [{"id": "pl-gw", "entries": [EGRESS]}]
    raw["security_groups"][0]["inbound"] = [
        {"protocol": "TCP", "port_range": "8080/8080", **sources}
    ]
    raw["vpc_accesses"] = [{"id": "va", "vpc_id": "vpc-main", "instance_id": "i-a", "port": 8080}]
    assert connected(build(raw)) is expected


def test_a_private_ip_is_looked_up_in_the_authorizations_vpc_only() -> None:
    raw = base()
    raw["vpc_accesses"] = [
        {"id": "va", "vpc_id": "vpc-other", "instance_id": "192.168.1.10", "port": 8080}
    ]
    world = build(raw)
    result = connectivity(world, world.gateways[0], world.vpc_accesses[0])
    assert (result.connected, result.ip_type) == (False, "INVALID")
