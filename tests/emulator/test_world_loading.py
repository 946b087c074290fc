"""Loading and validating world files."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from vpctest.emulator import WorldError, load_world, parse_world
from vpctest.emulator.cli import DEMO_WORLD
from vpctest.emulator.world import rule_id

SCENARIOS = sorted((Path(__file__).parents[1] / "scenarios").glob("*.yaml"))


def base() -> dict:
    """A small valid world to break in each test."""
    return yaml.safe_load(
        """
region: cn-hangzhou
credentials: {access_key_id: ak, access_key_secret: sk}
gateways:
  - {id: gw, name: shared, type: VPC_SHARED, vpc_egress_address: 100.104.13.0/26}
vpc_accesses:
  - {id: va, name: orders, vpc_id: vpc-main, instance_id: i-1, port: 8080}
vpcs: [vpc-main]
ecs_instances:
  - {id: i-1, vpc_id: vpc-main, private_ip: 192.168.1.10, security_groups: [sg-1]}
security_groups:
  - id: sg-1
    vpc_id: vpc-main
    inbound:
      - {protocol: TCP, port_range: 8080/8080, source_cidr: 100.104.13.0/26}
      - {protocol: TCP, port_range: 22/22, source_cidr: 10.0.0.0/8}
clb_instances:
  - id: lb-1
    vpc_id: vpc-main
    address: 192.168.1.100
    listeners:
      - {port: 80, protocol: tcp, acl: {status: "on", id: acl-1}, backends: [{server_id: i-1}]}
clb_acls:
  - {id: acl-1, entries: [{cidr: 10.0.0.0/8}]}
"""
    )


def error_of(raw: dict) -> str:
    with pytest.raises(WorldError) as info:
        parse_world(raw, source="w.yaml")
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("path", [*SCENARIOS, DEMO_WORLD], ids=lambda p: p.stem)
def test_bundled_worlds_load(path: Path) -> None:
    world = load_world(path)
    assert world.region == "cn-hangzhou"
    assert world.to_dict() == parse_world(world.to_dict()).to_dict()


def test_defaults() -> None:
    world = parse_world(base())
    instance, group, listener = (
        world.ecs_instances[0],
        world.security_groups[0],
        world.clb_instances[0].listeners[0],
    )
    assert (instance.status, instance.health, instance.listening) == ("Running", "Ok", [])
    assert instance.cloud_assistant is True
    assert (group.type, group.inner_access_policy) == ("normal", "Accept")
    assert (group.inbound[0].policy, group.inbound[0].priority) == ("accept", 1)
    assert (listener.status, listener.backend_port, listener.acl.type) == ("running", 80, "white")
    assert listener.backends[0].port == 80 and listener.backends[0].weight == 100
    assert world.clb_instances[0].status == "active"
    assert world.vpc_accesses[0].apis == []
    assert world.gateways[0].acl is None


def test_enterprise_groups_default_to_drop_inner_access() -> None:
    raw = base()
    raw["security_groups"][0]["type"] = "enterprise"
    assert parse_world(raw).security_groups[0].inner_access_policy == "Drop"


def test_rule_ids_are_stable_and_distinct() -> None:
    one, two = parse_world(base()), parse_world(base())
    ids = [r.id for r in one.security_groups[0].inbound]
    assert ids == [r.id for r in two.security_groups[0].inbound]
    assert ids == [rule_id("sg-1", 0), rule_id("sg-1", 1)]
    assert len(set(ids)) == 2 and all(i.startswith("sgr-") for i in ids)


def test_apis_extension() -> None:
    raw = base()
    raw["vpc_accesses"][0]["apis"] = [{"id": "api-1", "name": "GetOrder", "group_id": "g1"}]
    api = parse_world(raw).vpc_accesses[0].apis[0]
    assert (api.id, api.name, api.group_id, api.group_name, api.stage) == (
        "api-1",
        "GetOrder",
        "g1",
        "",
        "RELEASE",
    )


def test_unknown_key_names_its_path_and_the_expected_keys() -> None:
    raw = base()
    raw["security_groups"][0]["inbound"][1]["prot"] = "TCP"
    message = error_of(raw)
    assert message.startswith("w.yaml: ")
    expected = (
        "unknown key (expected one of: policy, priority, protocol, port_range, "
        "port_range_list, source_cidr"
    )
    assert f"security_groups[0].inbound[1].prot: {expected}" in message


def test_unknown_top_level_key() -> None:
    raw = base()
    raw["gateway"] = []
    assert "gateway: unknown key (expected one of: region, credentials, gateways" in error_of(raw)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda w: w["ecs_instances"][0].update(status="running-ish"),
            "ecs_instances[0].status: 'running-ish' is not one of: Running, Stopped",
        ),
        (
            lambda w: w["ecs_instances"][0].update(private_ip="192.168.1"),
            "ecs_instances[0].private_ip: '192.168.1' is not an IPv4 address",
        ),
        (
            lambda w: w["ecs_instances"][0].update(listening=[80, "x"]),
            "ecs_instances[0].listening[1]: expected a whole number",
        ),
        (
            lambda w: w["ecs_instances"][0].update(cloud_assistant="yes"),
            "ecs_instances[0].cloud_assistant: expected true or false",
        ),
        (
            lambda w: w["vpc_accesses"][0].update(port=70000),
            "vpc_accesses[0].port: 70000 is out of range 1..65535",
        ),
        (lambda w: w["vpc_accesses"][0].pop("port"), "vpc_accesses[0].port: missing"),
        (
            lambda w: w["security_groups"][0]["inbound"][0].update(priority=0),
            "inbound[0].priority: 0 is out of range 1..100",
        ),
        (
            lambda w: w["security_groups"][0]["inbound"][0].update(protocol="SCTP"),
            "inbound[0].protocol: 'SCTP' is not one of: TCP, UDP, ICMP, GRE, ALL",
        ),
        (
            lambda w: w["security_groups"][0]["inbound"][0].update(port_range="9000/80"),
            "inbound[0].port_range: '9000/80'",
        ),
        (
            lambda w: w["security_groups"][0]["inbound"][0].update(protocol="ALL"),
            "inbound[0].port_range: a ALL rule takes port_range -1/-1",
        ),
        (
            lambda w: w["security_groups"][0]["inbound"][0].pop("source_cidr"),
            "inbound[0]: a rule needs a source",
        ),
        (
            lambda w: w["security_groups"][0]["inbound"][0].update(source_cidr="100.104.13.5/26"),
            "has host bits set: write 100.104.13.0/26",
        ),
        (
            lambda w: w["gateways"][0].update(vpc_egress_address="100.64.0.0/10"),
            "gateways[0].vpc_egress_address: 100.64.0.0/10 holds 4194304 addresses",
        ),
        (
            lambda w: w["gateways"][0].pop("vpc_egress_address"),
            "gateways[0].vpc_egress_address: missing",
        ),
        (
            lambda w: w["gateways"][0].update(dedicated_instance_type="vpc_connect"),
            "a vpc_connect gateway takes its egress from network_interfaces",
        ),
        (
            lambda w: w["clb_instances"][0]["listeners"][0].update(protocol="quic"),
            "listeners[0].protocol: 'quic' is not one of: tcp, udp, http, https",
        ),
        (
            lambda w: w["clb_instances"][0]["listeners"][0]["acl"].pop("id"),
            "listeners[0].acl.id: missing: an ACL that is on needs",
        ),
        (
            lambda w: w.update(credentials={"access_key_id": "ak"}),
            "credentials.access_key_secret: missing",
        ),
        (
            lambda w: w.update(faults={"actions": {"DescribeEverything": {"deny": True}}}),
            "faults.actions.DescribeEverything: unknown action",
        ),
        (
            lambda w: w.update(faults={"actions": {"DescribeHealthStatus": {"throttle_ratio": 2}}}),
            "throttle_ratio: expected a ratio from 0.0 to 1.0",
        ),
        (
            lambda w: w.update(faults={"actions": {"DescribeHealthStatus": {"qps": 0}}}),
            "qps: expected a positive number",
        ),
    ],
)
def test_wrong_values_name_the_path(change, expected: str) -> None:
    raw = base()
    change(raw)
    assert expected in error_of(raw)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda w: w["ecs_instances"][0].update(security_groups=["sg-nope"]),
            "ecs_instances[0].security_groups[0]: security group 'sg-nope' is not defined",
        ),
        (
            lambda w: w["clb_instances"][0]["listeners"][0]["acl"].update(id="acl-nope"),
            "listeners[0].acl.id: ACL 'acl-nope' is not defined under clb_acls",
        ),
        (
            lambda w: w["vpc_accesses"][0].update(vpc_id="vpc-nope"),
            "vpc_accesses[0].vpc_id: VPC 'vpc-nope' is not listed: add it under vpcs",
        ),
        (
            lambda w: w["ecs_instances"][0].update(vpc_id="vpc-nope"),
            "ecs_instances[0].vpc_id: VPC 'vpc-nope' is not listed",
        ),
        (
            lambda w: w["clb_instances"][0]["listeners"][0]["backends"][0].update(
                server_id="i-nope"
            ),
            "backends[0].server_id: ECS instance 'i-nope' is not defined",
        ),
        (
            lambda w: w["security_groups"][0]["inbound"][0].update(source_group="sg-nope"),
            "inbound[0].source_group: security group 'sg-nope' is not defined",
        ),
        (
            lambda w: w["security_groups"][0]["inbound"][0].update(source_prefix_list="pl-nope"),
            "prefix list 'pl-nope' is not defined under prefix_lists",
        ),
        (
            lambda w: w["ecs_instances"].append(dict(w["ecs_instances"][0])),
            "ecs_instances[1].id: 'i-1' is already the id of ecs_instances[0]",
        ),
        (
            lambda w: w["ecs_instances"].append(dict(w["ecs_instances"][0], id="i-2")),
            "ecs_instances[1].private_ip: 192.168.1.10 is already used by ecs_instances[0]",
        ),
    ],
)
def test_dangling_references_are_rejected(change, expected: str) -> None:
    raw = base()
    change(raw)
    assert expected in error_of(raw)


def test_instance_mixing_normal_and_enterprise_groups_is_rejected() -> None:
    raw = base()
    raw["security_groups"].append({"id": "sg-ent", "vpc_id": "vpc-main", "type": "enterprise"})
    raw["ecs_instances"][0]["security_groups"] = ["sg-1", "sg-ent"]
    assert (
        "ecs_instances[0].security_groups: mixes normal and enterprise security groups"
        in error_of(raw)
    )


def test_enterprise_groups_take_no_drop_rules() -> None:
    raw = base()
    raw["security_groups"][0]["type"] = "enterprise"
    raw["security_groups"][0]["inbound"][0]["policy"] = "drop"
    assert "enterprise security groups only take accept rules" in error_of(raw)


def test_unquoted_yaml_on_is_read_as_on(tmp_path: Path) -> None:
    text = yaml.safe_dump(base()).replace("status: 'on'", "status: on")
    assert "status: on" in text
    path = tmp_path / "w.yaml"
    path.write_text(text)
    assert load_world(path).clb_instances[0].listeners[0].acl.status == "on"


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(WorldError, match="cannot read the world file"):
        load_world(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("region: [unclosed\n")
    with pytest.raises(WorldError, match="not valid YAML at line"):
        load_world(bad)
    top = tmp_path / "list.yaml"
    top.write_text("- 1\n")
    with pytest.raises(WorldError, match="expected a mapping"):
        load_world(top)


def test_to_dict_round_trips_a_changed_world() -> None:
    world = parse_world(copy.deepcopy(base()))
    world.ecs_instances[0].listening.append(8080)
    again = parse_world(world.to_dict())
    assert again.ecs_instances[0].listening == [8080]
    assert again.to_dict() == world.to_dict()


def test_faults() -> None:
    raw = base()
    raw["faults"] = {
        "latency_ms": 5,
        "seed": 3,
        "actions": {
            "DescribeSecurityGroupAttribute": {"throttle_ratio": 0.3, "latency_ms": 50},
            "slb:DescribeLoadBalancerAttribute": {"qps": 50},
            "DescribeHealthStatus": {"deny": True},
        },
    }
    faults = parse_world(raw).faults
    assert (faults.latency_ms, faults.seed) == (5, 3)
    assert faults.for_action("ecs", "DescribeSecurityGroupAttribute").throttle_ratio == 0.3
    assert faults.for_action("slb", "DescribeLoadBalancerAttribute").qps == 50
    assert faults.for_action("ecs", "DescribeInstances").qps is None
    assert faults.for_action("slb", "DescribeHealthStatus").deny
    assert parse_world(parse_world(raw).to_dict()).faults == faults
