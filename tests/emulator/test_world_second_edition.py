"""Loading the second-edition world fields: ENIs, port lists, server groups, health checks."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from vpctest.emulator import WorldError, parse_world


def base() -> dict[str, Any]:
    return yaml.safe_load(
        """
region: cn-hangzhou
credentials: {access_key_id: ak, access_key_secret: sk}
gateways:
  - {id: gw, vpc_egress_address: 100.104.13.0/26}
vpc_accesses:
  - {id: va, vpc_id: vpc-main, instance_id: lb-1, port: 80}
vpcs: [vpc-main, vpc-other]
ecs_instances:
  - {id: i-1, vpc_id: vpc-main, private_ip: 192.168.1.10, security_groups: [sg-1], listening: [80]}
  - {id: i-2, vpc_id: vpc-main, private_ip: 192.168.1.11, security_groups: [sg-1], listening: [80]}
  - {id: i-o, vpc_id: vpc-other, private_ip: 192.168.1.10, security_groups: [sg-o]}
network_interfaces:
  - id: eni-1
    vpc_id: vpc-main
    private_ip: 192.168.1.20
    instance_id: i-1
    security_groups: [sg-eni]
  - {id: eni-free, vpc_id: vpc-main, private_ip: 192.168.1.21, security_groups: [sg-eni]}
port_range_lists:
  - {id: prl-web, entries: [8080/8080, 9000/9100]}
security_groups:
  - id: sg-1
    vpc_id: vpc-main
    inbound:
      - {protocol: TCP, port_range: 8080/8080, source_cidr: 100.104.13.0/26}
  - id: sg-eni
    vpc_id: vpc-main
    inbound:
      - {protocol: TCP, port_range_list: prl-web, source_cidr: 100.104.13.0/26}
  - {id: sg-o, vpc_id: vpc-other}
clb_instances:
  - id: lb-1
    vpc_id: vpc-main
    address: 192.168.1.100
    listeners:
      - {port: 80, protocol: tcp, backend_port: 8080, health_check: "off", server_group: rsp-1}
      - {port: 81, protocol: udp, primary_secondary_group: rsp-ms}
      - {port: 82, protocol: http, backends: [{server_id: i-1, weight: 0}]}
    vserver_groups:
      - id: rsp-1
        name: web
        backends:
          - {server_id: i-1, port: 8080}
          - {server_id: eni-1, type: eni, port: 9000, weight: 0}
    primary_secondary_groups:
      - id: rsp-ms
        backends:
          - {server_id: i-1, port: 8080, server_type: Master}
          - {server_id: i-2, port: 8080, server_type: Slave, weight: 50}
faults:
  probe_running_ms: 1500
  actions:
    DescribeNetworkInterfaces: {error_code: Forbidden.Unauthorized, http_status: 403}
    DescribeVServerGroupAttribute: {error_code: InvalidParameter, error_message: nope}
"""
    )


def error_of(raw: dict) -> str:
    with pytest.raises(WorldError) as info:
        parse_world(raw, source="w.yaml")
    message = str(info.value)
    assert "\n" not in message and message.startswith("w.yaml: ")
    return message


def test_the_fields_load() -> None:
    world = parse_world(base())
    eni, free = world.network_interfaces
    assert (eni.id, eni.instance_id, eni.security_groups) == ("eni-1", "i-1", ["sg-eni"])
    assert free.instance_id == ""
    assert world.attached_enis("i-1") == [eni]
    assert world.port_range_list("prl-web").entries == ["8080/8080", "9000/9100"]
    rule = world.security_group("sg-eni").inbound[0]
    assert (rule.port_range, rule.port_range_list) == ("", "prl-web")
    lb = world.clb("lb-1")
    tcp, udp, http = lb.listeners
    assert (tcp.health_check, tcp.server_group, tcp.primary_secondary_group) == ("off", "rsp-1", "")
    assert (udp.health_check, udp.primary_secondary_group) == ("on", "rsp-ms")
    assert http.backends[0].weight == 0 and http.backends[0].type == "ecs"
    group = lb.vserver_group("rsp-1")
    assert group.name == "web"
    assert [(b.server_id, b.type, b.port, b.weight) for b in group.backends] == [
        ("i-1", "ecs", 8080, 100),
        ("eni-1", "eni", 9000, 0),
    ]
    ps = lb.primary_secondary_group("rsp-ms")
    assert ps.name == "rsp-ms"  # the name defaults to the id
    assert [(b.server_id, b.server_type, b.weight) for b in ps.backends] == [
        ("i-1", "Master", 100),
        ("i-2", "Slave", 50),
    ]
    faults = world.faults
    assert faults.probe_running_ms == 1500
    eni_fault = faults.for_action("ecs", "DescribeNetworkInterfaces")
    assert (eni_fault.error_code, eni_fault.http_status) == ("Forbidden.Unauthorized", 403)
    group_fault = faults.for_action("slb", "DescribeVServerGroupAttribute")
    assert (group_fault.error_code, group_fault.http_status, group_fault.error_message) == (
        "InvalidParameter",
        400,
        "nope",
    )


def test_to_dict_round_trips_the_new_fields() -> None:
    world = parse_world(base())
    again = parse_world(world.to_dict())
    assert again == parse_world(base())  # source aside, the same world
    assert again.to_dict() == world.to_dict()
    # and after a change
    world.network_interfaces[1].instance_id = "i-2"
    world.clb("lb-1").listeners[0].health_check = "on"
    world.clb("lb-1").vserver_group("rsp-1").backends[1].weight = 10
    assert parse_world(world.to_dict()).to_dict() == world.to_dict()
    dumped = world.to_dict()
    assert dumped["faults"]["probe_running_ms"] == 1500
    assert "type" not in dumped["clb_instances"][0]["vserver_groups"][0]["backends"][0]
    assert dumped["clb_instances"][0]["vserver_groups"][0]["backends"][1]["type"] == "eni"


def test_bare_yaml_on_off_for_health_check() -> None:
    raw = base()
    raw["clb_instances"][0]["listeners"][0]["health_check"] = False  # YAML 1.1 reads off so
    assert parse_world(raw).clb("lb-1").listeners[0].health_check == "off"


def listener(w: dict, i: int = 0) -> dict:
    return w["clb_instances"][0]["listeners"][i]


def lb(w: dict) -> dict:
    return w["clb_instances"][0]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # network interfaces
        (
            lambda w: w["network_interfaces"][0].update(colour="red"),
            "network_interfaces[0].colour: unknown key (expected one of: id, vpc_id, private_ip, "
            "instance_id, security_groups)",
        ),
        (
            lambda w: w["network_interfaces"][0].update(security_groups=["sg-nope"]),
            "network_interfaces[0].security_groups[0]: security group 'sg-nope' is not defined",
        ),
        (
            lambda w: w["network_interfaces"][0].update(security_groups=["sg-o"]),
            "network_interfaces[0].security_groups[0]: sg-o is in vpc-other, the interface in "
            "vpc-main",
        ),
        (
            lambda w: w["network_interfaces"][0].update(security_groups=[]),
            "network_interfaces[0].security_groups: a network interface needs at least one",
        ),
        (
            lambda w: w["network_interfaces"][0].update(instance_id="i-nope"),
            "network_interfaces[0].instance_id: ECS instance 'i-nope' is not defined",
        ),
        (
            lambda w: w["network_interfaces"][0].update(instance_id="i-o"),
            "network_interfaces[0].instance_id: i-o is in vpc-other, the interface in vpc-main",
        ),
        (
            lambda w: w["network_interfaces"][0].update(private_ip="192.168.1.11"),
            "network_interfaces[0].private_ip: 192.168.1.11 is already used by ecs_instances[1]",
        ),
        (
            lambda w: w["network_interfaces"][1].update(private_ip="192.168.1.20"),
            "network_interfaces[1].private_ip: 192.168.1.20 is already used by "
            "network_interfaces[0]",
        ),
        (
            lambda w: lb(w).update(address="192.168.1.21"),
            "clb_instances[0].address: 192.168.1.21 is already used by network_interfaces[1]",
        ),
        (
            lambda w: w["network_interfaces"][0].update(id="i-2"),
            "network_interfaces[0].id: 'i-2' is already the id of ecs_instances[1]",
        ),
        (
            lambda w: w["network_interfaces"][0].update(vpc_id="vpc-nope"),
            "network_interfaces[0].vpc_id: VPC 'vpc-nope' is not listed",
        ),
        # port lists and rules
        (
            lambda w: w["port_range_lists"][0].update(entries=["8080"]),
            "port_range_lists[0].entries[0]: '8080' is not a port range such as 8080/8080",
        ),
        (
            lambda w: w["security_groups"][1]["inbound"][0].update(port_range_list="prl-nope"),
            "security_groups[1].inbound[0].port_range_list: port list 'prl-nope' is not defined",
        ),
        (
            lambda w: w["security_groups"][1]["inbound"][0].update(port_range="80/80"),
            "security_groups[1].inbound[0].port_range: give port_range or port_range_list, "
            "not both",
        ),
        (
            lambda w: w["security_groups"][1]["inbound"][0].update(protocol="ICMP"),
            "security_groups[1].inbound[0].port_range_list: a ICMP rule cannot use a port list",
        ),
        # listeners and groups
        (
            lambda w: listener(w).update(health_check="maybe"),
            "listeners[0].health_check: 'maybe' is not one of: on, off",
        ),
        (
            lambda w: listener(w).update(primary_secondary_group="rsp-ms"),
            "listeners[0].primary_secondary_group: a listener forwards to a server_group or a "
            "primary_secondary_group, not both",
        ),
        (
            lambda w: listener(w, 2).update(primary_secondary_group="rsp-ms"),
            "listeners[2].primary_secondary_group: primary/secondary groups serve tcp and udp "
            "listeners only, not http",
        ),
        (
            lambda w: listener(w).update(server_group="rsp-nope"),
            "clb_instances[0].listeners[0].server_group: vServer group 'rsp-nope' is not one of "
            "lb-1's vserver_groups",
        ),
        (
            lambda w: listener(w).update(server_group="rsp-ms"),
            "vServer group 'rsp-ms' is not one of lb-1's vserver_groups",
        ),
        (
            lambda w: listener(w, 1).update(primary_secondary_group="rsp-1"),
            "listeners[1].primary_secondary_group: primary/secondary group 'rsp-1' is not one of "
            "lb-1's primary_secondary_groups",
        ),
        (
            lambda w: listener(w, 2)["backends"][0].update(type="eni", server_id="eni-1"),
            "listeners[2].backends[0].type: ENIs join vServer groups only, not the default",
        ),
        (
            lambda w: lb(w)["vserver_groups"][0]["backends"][1].update(server_id="eni-nope"),
            "clb_instances[0].vserver_groups[0].backends[1].server_id: network interface "
            "'eni-nope' is not defined under network_interfaces",
        ),
        (
            lambda w: lb(w)["vserver_groups"][0]["backends"][1].update(type="ecs"),
            "vserver_groups[0].backends[1].server_id: ECS instance 'eni-1' is not defined",
        ),
        (
            lambda w: lb(w)["vserver_groups"][0]["backends"][0].update(server_id="i-o"),
            "vserver_groups[0].backends[0].server_id: i-o is in vpc-other, the load balancer in "
            "vpc-main",
        ),
        (
            lambda w: lb(w)["vserver_groups"][0]["backends"][0].pop("port"),
            "vserver_groups[0].backends[0].port: missing",
        ),
        (
            lambda w: lb(w)["vserver_groups"][0]["backends"].append(
                {"server_id": "i-1", "port": 8080}
            ),
            "vserver_groups[0].backends[2]: i-1 on port 8080 is already in this group",
        ),
        (
            lambda w: lb(w)["vserver_groups"][0]["backends"][0].update(type="eci"),
            "vserver_groups[0].backends[0].type: 'eci' is not one of: ecs, eni",
        ),
        (
            lambda w: lb(w)["primary_secondary_groups"][0]["backends"].pop(),
            "primary_secondary_groups[0].backends: a primary/secondary group has exactly two "
            "backends: one Master, one Slave",
        ),
        (
            lambda w: lb(w)["primary_secondary_groups"][0]["backends"][1].update(
                server_type="Master"
            ),
            "exactly two backends: one Master, one Slave",
        ),
        (
            lambda w: lb(w)["primary_secondary_groups"][0]["backends"][0].update(
                server_type="Primary"
            ),
            "backends[0].server_type: 'Primary' is not one of: Master, Slave",
        ),
        (
            lambda w: lb(w)["primary_secondary_groups"][0]["backends"][0].update(
                type="eni", server_id="eni-1"
            ),
            "primary_secondary_groups[0].backends[0].type: ENIs join vServer groups only",
        ),
        (
            lambda w: lb(w)["primary_secondary_groups"][0].update(id="rsp-1"),
            "clb_instances[0].primary_secondary_groups[0].id: 'rsp-1' is already the id of "
            "clb_instances[0].vserver_groups[0]",
        ),
        (
            lambda w: lb(w)["vserver_groups"][0].update(id="lb-1"),
            "clb_instances[0].vserver_groups[0].id: 'lb-1' is already the id of clb_instances[0]",
        ),
        # faults
        (
            lambda w: w["faults"].update(probe_running_ms=-1),
            "faults.probe_running_ms: -1 is out of range",
        ),
        (
            lambda w: w["faults"]["actions"]["DescribeNetworkInterfaces"].update(http_status=200),
            "faults.actions.DescribeNetworkInterfaces.http_status: 200 is out of range 400..599",
        ),
        (
            lambda w: w["faults"]["actions"].update(DescribeHealthStatus={"http_status": 403}),
            "faults.actions.DescribeHealthStatus.http_status: only with error_code",
        ),
        (
            lambda w: w["faults"]["actions"]["DescribeNetworkInterfaces"].update(deny=True),
            "faults.actions.DescribeNetworkInterfaces.error_code: give deny (Forbidden.RAM) or "
            "error_code, not both",
        ),
    ],
)
def test_rejections_name_the_path(change, expected: str) -> None:
    raw = copy.deepcopy(base())
    change(raw)
    assert expected in error_of(raw)


def test_every_new_action_can_be_targeted_by_faults() -> None:
    raw = base()
    raw["faults"]["actions"] = {
        name: {"error_code": "ServiceUnavailable", "http_status": 503}
        for name in (
            "DescribeVServerGroups",
            "DescribeVServerGroupAttribute",
            "slb:DescribeMasterSlaveServerGroups",
            "DescribeMasterSlaveServerGroupAttribute",
            "ecs:DescribeNetworkInterfaces",
            "DescribePortRangeListEntries",
            "DescribePortRangeLists",
        )
    }
    assert len(parse_world(raw).faults.actions) == 7
