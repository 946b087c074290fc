"""The cloud panel's changes: each does what it says, and a bad one says what to fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vpctest.cli.sandbox import demo_world_path
from vpctest.emulator.world import World, load_world
from vpctest.playground.world_view import WorldOpError, apply, view


@pytest.fixture
def world() -> World:
    return load_world(demo_world_path())


def group_rules(world: World, group: str) -> list[dict[str, Any]]:
    return next(g["rules"] for g in view(world)["security_groups"] if g["id"] == group)


def test_the_view_shows_what_the_guide_checks(world: World) -> None:
    shown = view(world)
    assert {i["id"]: i["status"] for i in shown["ecs"]}["i-batch"] == "Stopped"
    [drop] = [r for r in group_rules(world, "sg-admin") if r["policy"] == "drop"]
    assert (drop["priority"], drop["source"], drop["port_range"]) == (1, "0.0.0.0/0", "1/65535")
    legacy = next(lb for lb in shown["clbs"] if lb["id"] == "lb-legacy")
    assert legacy["listeners"][0]["status"] == "stopped"
    shop = next(a for a in shown["acls"] if a["id"] == "acl-shop")
    assert shop["entries"] == [{"cidr": "10.0.0.0/8", "comment": "office"}]


def test_the_view_lists_server_groups_and_network_interfaces(world: World) -> None:
    checkout = next(lb for lb in view(world)["clbs"] if lb["id"] == "lb-checkout")
    [listener] = checkout["listeners"]
    assert listener["server_group"] == {"type": "vserver", "id": "rsp-checkout"}
    assert listener["health_check"] == "on"
    [group] = checkout["server_groups"]
    assert (group["type"], group["id"], group["name"]) == ("vserver", "rsp-checkout", "checkout")
    assert group["backends"] == [
        {"server_id": "i-orders", "type": "ecs", "port": 8080, "weight": 100},
        {"server_id": "eni-orders-2", "type": "eni", "port": 8080, "weight": 100},
    ]
    assert view(world)["network_interfaces"] == [
        {
            "id": "eni-orders-2",
            "vpc_id": "vpc-main",
            "private_ip": "192.168.1.40",
            "instance_id": "i-orders",
            "status": "InUse",
            "security_groups": ["sg-orders-eni"],
        }
    ]
    legacy = next(lb for lb in view(world)["clbs"] if lb["id"] == "lb-legacy")
    assert legacy["listeners"][0]["server_group"] == {"type": "default", "id": ""}
    assert legacy["listeners"][0]["backends"][0]["weight"] == 100


def test_a_primary_secondary_group_shows_its_roles() -> None:
    world = load_world(Path(__file__).parents[1] / "scenarios" / "primary-secondary-failover.yaml")
    [lb] = view(world)["clbs"]
    assert lb["listeners"][0]["server_group"]["type"] == "primary_secondary"
    [group] = lb["server_groups"]
    assert [(b["server_id"], b["role"]) for b in group["backends"]] == [
        ("i-pay-a", "Master"),
        ("i-pay-b", "Slave"),
    ]


def test_instances_stop_start_and_stop_listening(world: World) -> None:
    apply(world, {"op": "ecs.status", "instance": "i-batch", "status": "Running"})
    apply(world, {"op": "ecs.listening", "instance": "i-orders", "port": 8080, "listening": False})
    assert world.ecs("i-batch").status == "Running"
    assert world.ecs("i-orders").listening == []
    apply(world, {"op": "ecs.listening", "instance": "i-orders", "port": "8080", "listening": True})
    assert world.ecs("i-orders").listening == [8080]


def test_rules_are_removed_by_id_and_added_with_a_fresh_id(world: World) -> None:
    first, second = group_rules(world, "sg-orders")
    apply(world, {"op": "sg.remove_rule", "group": "sg-orders", "rule": first["id"]})
    assert [r["id"] for r in group_rules(world, "sg-orders")] == [second["id"]]
    rule = {
        "op": "sg.add_rule",
        "group": "sg-billing",
        "policy": "accept",
        "priority": 1,
        "protocol": "TCP",
        "port_range": "8080/8080",
        "source_cidr": "100.104.13.0/26",
        "description": "by hand",
    }
    apply(world, rule)
    added = group_rules(world, "sg-billing")[-1]
    assert added["source"] == "100.104.13.0/26" and added["description"] == "by hand"
    ids = [r["id"] for g in view(world)["security_groups"] for r in g["rules"]]
    assert ids.count(added["id"]) == 1
    with pytest.raises(WorldOpError, match="already has that rule"):
        apply(world, rule)


def test_listeners_and_acls(world: World) -> None:
    apply(world, {"op": "clb.listener_status", "lb": "lb-legacy", "port": 80, "status": "running"})
    apply(world, {"op": "clb.acl_status", "lb": "lb-shop", "port": 80, "status": "off"})
    apply(world, {"op": "acl.add_entry", "acl": "acl-shop", "cidr": "100.104.13.0/26"})
    apply(world, {"op": "acl.remove_entry", "acl": "acl-shop", "cidr": "10.0.0.0/8"})
    assert world.clb("lb-legacy").listeners[0].status == "running"
    assert world.clb("lb-shop").listeners[0].acl.status == "off"
    assert [e.cidr for e in world.clb_acl("acl-shop").entries] == ["100.104.13.0/26"]


@pytest.mark.parametrize(
    ("op", "message"),
    [
        ({"op": "explode"}, "unknown op 'explode': use one of acl.add_entry"),
        ({"op": "ecs.status", "instance": "i-nope", "status": "Running"}, "no ECS instance"),
        (
            {"op": "ecs.status", "instance": "i-batch", "status": "Paused"},
            "status must be one of Running, Stopped",
        ),
        ({"op": "ecs.listening", "instance": "i-batch", "port": 8080}, "listening: true or false"),
        ({"op": "sg.remove_rule", "group": "sg-billing", "rule": "sgr-x"}, "has no rule 'sgr-x'"),
        (
            {
                "op": "sg.add_rule",
                "group": "sg-billing",
                "policy": "accept",
                "priority": 0,
                "protocol": "TCP",
                "port_range": "80/80",
                "source_cidr": "10.0.0.0/8",
            },
            "priority must be a whole number from 1 to 100",
        ),
        (
            {
                "op": "sg.add_rule",
                "group": "sg-billing",
                "policy": "accept",
                "priority": 1,
                "protocol": "TCP",
                "port_range": "80/80",
                "source_cidr": "10.0.0.1/8",
            },
            "is not an IPv4 CIDR",
        ),
        (
            {
                "op": "sg.add_rule",
                "group": "sg-billing",
                "policy": "allow",
                "priority": 1,
                "protocol": "TCP",
                "port_range": "80/80",
                "source_cidr": "10.0.0.0/8",
            },
            "policy must be one of accept, drop",
        ),
        (
            {"op": "clb.listener_status", "lb": "lb-legacy", "port": 81, "status": "running"},
            "lb-legacy has no listener on port 81",
        ),
        (
            {"op": "clb.acl_status", "lb": "lb-legacy", "port": 80, "status": "on"},
            "has no ACL to turn on",
        ),
        (
            {"op": "acl.remove_entry", "acl": "acl-shop", "cidr": "1.2.3.0/24"},
            "acl-shop has no entry 1.2.3.0/24",
        ),
    ],
)
def test_a_bad_change_says_what_to_fix_and_changes_nothing(
    world: World, op: dict[str, Any], message: str
) -> None:
    before = view(world)
    with pytest.raises(WorldOpError, match=message.replace("(", r"\(")):
        apply(world, op)
    assert view(world) == before
