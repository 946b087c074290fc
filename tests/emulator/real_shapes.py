"""A world with the second edition's real-account shapes, and builders of big ones, for the
action tests (through the real SDK clients)."""

from __future__ import annotations

import copy
from typing import Any

import yaml

REGION = "cn-hangzhou"

WORLD = yaml.safe_load(
    """
region: cn-hangzhou
credentials: {access_key_id: LTAI-emulator, access_key_secret: emulator-secret}
gateways:
  - {id: gw, name: shared, vpc_egress_address: 100.104.13.0/26}
vpc_accesses:
  - {id: va-lb, vpc_id: vpc-main, instance_id: lb-1, port: 80}
  - {id: va-eni, vpc_id: vpc-main, instance_id: 192.168.1.20, port: 9000}
vpcs: [vpc-main]
ecs_instances:
  - id: i-a
    vpc_id: vpc-main
    private_ip: 192.168.1.10
    security_groups: [sg-a]
    listening: [8080, 9000]
  - id: i-b
    vpc_id: vpc-main
    private_ip: 192.168.1.11
    security_groups: [sg-a]
    listening: [8080]
network_interfaces:
  - {id: eni-a2, vpc_id: vpc-main, private_ip: 192.168.1.20, instance_id: i-a,
     security_groups: [sg-eni]}
  - {id: eni-free, vpc_id: vpc-main, private_ip: 192.168.1.21, security_groups: [sg-eni, sg-a]}
port_range_lists:
  - {id: prl-web, entries: [8080/8080, 9000/9100]}
security_groups:
  - id: sg-a
    vpc_id: vpc-main
    inbound:
      - {protocol: TCP, port_range: 8080/8080, source_cidr: 100.104.13.0/26}
  - id: sg-eni
    vpc_id: vpc-main
    inbound:
      - {protocol: TCP, port_range_list: prl-web, source_cidr: 100.104.13.0/26,
         description: gateway}
clb_instances:
  - id: lb-1
    vpc_id: vpc-main
    address: 192.168.1.100
    listeners:
      - {port: 80, protocol: tcp, backend_port: 8080, server_group: rsp-web}
      - {port: 80, protocol: udp, backend_port: 8080, primary_secondary_group: rsp-ms}
      - {port: 81, protocol: tcp, backend_port: 8080, health_check: "off",
         primary_secondary_group: rsp-ms}
      - port: 443
        protocol: https
        backend_port: 8080
        backends: [{server_id: i-b, weight: 50}]
    vserver_groups:
      - id: rsp-web
        name: web
        backends:
          - {server_id: i-a, port: 8080}
          - {server_id: eni-a2, type: eni, port: 9000, weight: 0}
      - {id: rsp-spare, name: spare}
    primary_secondary_groups:
      - id: rsp-ms
        name: pair
        backends:
          - {server_id: i-a, port: 9000, server_type: Master}
          - {server_id: i-b, port: 8080, server_type: Slave, weight: 80}
clb_acls:
  - {id: acl-1, entries: []}
"""
)


def world(**changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(WORLD)
    raw.update(changes)
    return raw


def acl_world(entries: int) -> dict[str, Any]:
    """WORLD with acl-1 holding `entries` distinct /24 blocks, commented by their index."""
    return world(
        clb_acls=[
            {
                "id": "acl-1",
                "entries": [
                    {"cidr": f"10.{i // 256}.{i % 256}.0/24", "comment": f"e{i}"}
                    for i in range(entries)
                ],
            }
        ]
    )


def eni_world(enis: int) -> dict[str, Any]:
    """A world of `enis` detached secondary ENIs and no instance (so no Primary ENI)."""
    return world(
        ecs_instances=[],
        vpc_accesses=[],
        clb_instances=[],
        network_interfaces=[
            {
                "id": f"eni-{i:04d}",
                "vpc_id": "vpc-main",
                "private_ip": f"10.1.{i // 200}.{i % 200 + 1}",
                "security_groups": ["sg-eni"],
            }
            for i in range(enis)
        ],
    )
