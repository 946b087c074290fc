"""The four CLB bugs of issue 15, each on a tiny world through the real CLI.

1. A udp listener beside the tcp one on the same port was judged instead of the tcp one.
2. Health was pooled across the listeners of one port.
3. Backends that receive no traffic were still judged by clb.backend_security_group.
4. A weight-0 backend counted as healthy and receiving traffic.

Each asserts what docs/spec/diagnosis.md and world.md (rules 4 and 6) say, quoted by the test.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from tests.cli_runner import run_cli

EGRESS = "100.104.13.0/26"


def gateway_rule(port: int) -> dict[str, Any]:
    return {
        "policy": "accept",
        "priority": 1,
        "protocol": "TCP",
        "port_range": f"{port}/{port}",
        "source_cidr": EGRESS,
        "description": "api gateway",
    }


def instance(instance_id: str, ip: str, group: str, listening: list[int], **more: Any) -> dict:
    return {
        "id": instance_id,
        "vpc_id": "vpc-main",
        "private_ip": ip,
        "security_groups": [group],
        "listening": listening,
        **more,
    }


def group(group_id: str, *rules: dict[str, Any]) -> dict[str, Any]:
    return {"id": group_id, "vpc_id": "vpc-main", "inbound": list(rules)}


def world(listeners: list[dict], instances: list[dict], groups: list[dict], **more: Any) -> dict:
    return {
        "region": "cn-hangzhou",
        "credentials": {"access_key_id": "LTAI-emulator", "access_key_secret": "emulator-secret"},
        "gateways": [
            {"id": "apigateway-hz-1", "name": "shared", "vpc_egress_address": EGRESS},
        ],
        "vpc_accesses": [
            {
                "id": "va-shop",
                "name": "shop-lb",
                "vpc_id": "vpc-main",
                "instance_id": "lb-shop",
                "port": 80,
            }
        ],
        "vpcs": ["vpc-main"],
        "ecs_instances": instances,
        "security_groups": groups,
        "clb_instances": [
            {
                "id": "lb-shop",
                "vpc_id": "vpc-main",
                "address": "192.168.1.100",
                "listeners": listeners,
            }
        ],
        **more,
    }


def check_world(tmp_path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """The one report of `vpc-test check --all --json --sandbox WORLD`."""
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    done = run_cli("check", "--all", "--json", "--sandbox", str(path))
    assert done.returncode in (0, 1, 2), done.stderr
    [report] = [json.loads(line) for line in done.stdout.splitlines()]
    return report


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["status"] for c in report["checks"]}


def check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["id"] == check_id)


# --- 1. a udp listener beside the tcp one ----------------------------------------------------

# Judged, the udp listener would fail every clb.* check: it is stopped, its whitelist leaves
# the egress out, and its one backend listens on nothing.
UDP_80 = {
    "port": 80,
    "protocol": "udp",
    "status": "stopped",
    "backend_port": 9000,
    "acl": {"status": "on", "type": "white", "id": "acl-office"},
    "backends": [{"server_id": "i-udp", "port": 9000, "weight": 100}],
}
TCP_80 = {
    "port": 80,
    "protocol": "tcp",
    "status": "running",
    "backend_port": 8080,
    "backends": [{"server_id": "i-web", "port": 8080, "weight": 100}],
}
INSTANCES = [
    instance("i-web", "192.168.1.10", "sg-web", [8080]),
    instance("i-udp", "192.168.1.11", "sg-udp", []),
]
GROUPS = [group("sg-web", gateway_rule(8080)), group("sg-udp")]
ACLS = {"clb_acls": [{"id": "acl-office", "entries": [{"cidr": "10.0.0.0/8"}]}]}


def test_a_udp_listener_listed_first_on_the_port_does_not_hide_the_tcp_one(
    tmp_path: Path,
) -> None:
    # diagnosis.md: authorization.port — "for a CLB, a listener that carries TCP
    # (tcp/http/https) exists on the port"; world.md rule 4: "a udp listener may share the port
    # number and carries none of this traffic".
    data = world([UDP_80, TCP_80], copy.deepcopy(INSTANCES), copy.deepcopy(GROUPS), **ACLS)
    report = check_world(tmp_path, data)
    got = statuses(report)
    assert got["connectivity"] == "pass", got
    assert got["authorization.port"] == "pass", got
    assert check(report, "authorization.port")["evidence"].get("listener") == "80/tcp", got
    for check_id in ("clb.acl", "clb.backend_security_group", "clb.listener", "clb.health"):
        assert got[check_id] == "pass", (check_id, got)
    assert report["verdict"] == "pass", got


def test_a_udp_listener_alone_on_the_port_fails_the_port(tmp_path: Path) -> None:
    udp = dict(UDP_80, status="running", acl={"status": "off"})
    data = world([udp], copy.deepcopy(INSTANCES), copy.deepcopy(GROUPS))
    report = check_world(tmp_path, data)
    got = statuses(report)
    assert got["authorization.port"] == "fail", got
    assert got["connectivity"] == "fail", got
    assert report["root_causes"] == ["authorization.port"], got


# --- 2. health per listener, not pooled across the port ---------------------------------------


def test_health_is_judged_on_the_tcp_listener_alone(tmp_path: Path) -> None:
    # world.md rule 4: "health is reported per listener protocol and port, so a udp listener's
    # backends never count for the tcp one". The tcp listener's only backend is normal but its
    # group admits nothing: the fix goes on that backend's group and port.
    tcp = copy.deepcopy(TCP_80)
    udp = dict(UDP_80, status="running", acl={"status": "off"})
    groups = [group("sg-web"), group("sg-udp", gateway_rule(9000))]
    data = world([tcp, udp], copy.deepcopy(INSTANCES), groups)
    report = check_world(tmp_path, data)
    got = statuses(report)
    health = check(report, "clb.health")
    assert got["clb.health"] == "pass", got
    assert "i-udp" not in json.dumps(health["evidence"]), health
    backend_sg = check(report, "clb.backend_security_group")
    assert got["clb.backend_security_group"] == "fail", got
    assert backend_sg["fix"]["security_group_id"] == "sg-web", backend_sg
    assert backend_sg["fix"]["port_range"] == "8080/8080", backend_sg
    assert got["connectivity"] == "fail", got
    assert report["root_causes"] == ["clb.backend_security_group"], got


# --- 3. no backend receives traffic: clb.backend_security_group is skipped -------------------


def test_backends_that_receive_no_traffic_are_not_judged_by_their_groups(tmp_path: Path) -> None:
    # diagnosis.md: "When no backend receives traffic (none is `normal`, ...) it is `skipped`:
    # `clb.health` already fails."
    instances = [instance("i-web", "192.168.1.10", "sg-web", [])]  # not listening: abnormal
    data = world([copy.deepcopy(TCP_80)], instances, [group("sg-web")])
    report = check_world(tmp_path, data)
    got = statuses(report)
    assert got["clb.backend_security_group"] == "skipped", got
    assert got["clb.health"] == "fail", got
    assert [c["id"] for c in report["checks"] if "fix" in c] == [], got
    assert report["root_causes"] == ["clb.health"], got


# --- 4. a weight-0 backend receives no traffic ------------------------------------------------


def test_a_normal_backend_of_weight_0_does_not_make_the_listener_healthy(tmp_path: Path) -> None:
    # world.md rule 6: "Backends with weight 0 receive no traffic, though their health is still
    # checked"; diagnosis.md: clb.health "is `fail` when none of them [weight > 0] is `normal`,
    # whatever the weight-0 ones report".
    tcp = dict(
        TCP_80,
        backends=[
            {"server_id": "i-web", "port": 8080, "weight": 0},  # normal, admits the egress
            {"server_id": "i-down", "port": 8080, "weight": 100},  # abnormal: listens on nothing
        ],
    )
    instances = [
        instance("i-web", "192.168.1.10", "sg-web", [8080]),
        instance("i-down", "192.168.1.12", "sg-web", []),
    ]
    data = world([tcp], instances, [group("sg-web", gateway_rule(8080))])
    report = check_world(tmp_path, data)
    got = statuses(report)
    assert got["clb.health"] == "fail", got
    assert got["connectivity"] == "fail", got
    assert report["verdict"] == "fail", got
