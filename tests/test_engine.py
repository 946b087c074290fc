"""The engine against the emulator, in-process, through the real SDK clients."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests.engine_helpers import QUICK_RETRY, clients_for, diagnose_all, scenario, statuses
from vpctest.diagnostics.engine import Diagnoser
from vpctest.diagnostics.fixes import (
    AddAclEntries,
    AppliedFix,
    AuthorizeSecurityGroup,
    Fix,
    FixError,
)
from vpctest.diagnostics.report import Status
from vpctest.diagnostics.snapshot import ProbeRequest

POLICIES = Path(__file__).resolve().parents[1] / "policies"


@pytest.mark.parametrize(
    ("world", "name", "check_id"),
    [
        ("ecs-sg-missing", "orders-backend", "ecs.security_group"),
        ("clb-whitelist-missing", "shop-lb", "clb.acl"),
    ],
)
async def test_fix_through_the_sdk_mends_the_world_and_revert_undoes_exactly_it(
    emulator_server, world, name, check_id
) -> None:
    server = emulator_server(world)
    clients = clients_for(server)
    before = (await diagnose_all(clients))[name]
    assert before.verdict == Status.FAIL
    fix = before.check(check_id).fix
    assert fix is not None

    applied = await fix.apply(clients, "vpc-test fix request 1, approved by U123")
    assert applied.changed
    after = (await diagnose_all(clients))[name]
    assert after.verdict == Status.PASS, statuses(after)
    assert statuses(after)["connectivity"] == "pass"  # the emulator computed it from the world

    again = await fix.apply(clients, "duplicate click")
    assert not again.changed  # a duplicate is already done, and owns nothing
    await fix.revert(clients, again)
    assert (await diagnose_all(clients))[name].verdict == Status.PASS

    await fix.revert(clients, applied)
    reverted = (await diagnose_all(clients))[name]
    assert reverted.verdict == Status.FAIL
    assert reverted.root_causes == [check_id]


@pytest.mark.parametrize(
    ("world", "name", "check_id", "kind"),
    [
        ("ecs-sg-missing", "orders-backend", "ecs.security_group", AuthorizeSecurityGroup),
        ("clb-whitelist-missing", "shop-lb", "clb.acl", AddAclEntries),
    ],
)
async def test_a_fix_read_back_from_its_stored_form_applies_and_reverts_exactly_it(
    emulator_server, world, name, check_id, kind
) -> None:
    """What the bot does: the fix and its record go through JSON (the database) between the
    diagnosis, the apply and the revert."""
    server = emulator_server(world)
    clients = clients_for(server)
    found = (await diagnose_all(clients))[name].check(check_id).fix
    assert isinstance(found, kind)
    stored = Fix.from_json(json.loads(json.dumps(found.to_json())))
    assert stored == found

    record = (await stored.apply(clients, "request 8")).to_json()
    applied = AppliedFix.from_json(json.loads(json.dumps(record)))
    assert applied.kind == kind.kind and applied.target_id == stored.target_id and applied.changed
    assert (await diagnose_all(clients))[name].verdict == Status.PASS

    with pytest.raises(FixError, match="cannot revert"):
        other = AppliedFix(applied.kind, "sg-or-acl-that-is-not-it", applied.added_rule_ids)
        await stored.revert(clients, other)
    await Fix.from_json(json.loads(json.dumps(stored.to_json()))).revert(clients, applied)
    assert (await diagnose_all(clients))[name].root_causes == [check_id]


async def test_fix_rule_carries_the_description(emulator_server) -> None:
    server = emulator_server("ecs-sg-missing")
    clients = clients_for(server)
    fix = (await diagnose_all(clients))["orders-backend"].check("ecs.security_group").fix
    applied = await fix.apply(clients, "request 7 approved by U9")
    group = server.world.security_group("sg-web")
    added = [r for r in group.inbound if r.description == "request 7 approved by U9"]
    assert len(added) == len(applied.added_rule_ids) == 1


async def test_each_lookup_is_made_once_per_run(emulator_server) -> None:
    world = scenario("ecs-pass")
    base = world["vpc_accesses"][0]
    world["vpc_accesses"] += [
        {**base, "id": f"va-orders-{n}", "name": f"orders-{n}", "port": 8080} for n in range(2, 6)
    ]
    server = emulator_server(world)
    reports = await diagnose_all(clients_for(server))
    assert {r.verdict for r in reports.values()} == {Status.PASS}
    calls = server.qualified_calls
    assert calls["ecs:DescribeSecurityGroupAttribute"] == 1
    assert calls["ecs:DescribeInstances"] == 1  # five lookups of one id, batched
    assert calls["ecs:DescribeInstancesFullStatus"] == 1
    assert calls["apigateway:ValidateVpcConnectivity"] == 5


async def test_private_ip_targets_resolve_to_ecs_and_clb(emulator_server) -> None:
    world = scenario("clb-whitelist-missing")
    world["vpc_accesses"] += [
        {
            "id": "va-ip-ecs",
            "name": "by-ecs-ip",
            "vpc_id": "vpc-main",
            "instance_id": "192.168.1.10",
            "port": 8080,
        },
        {
            "id": "va-ip-lb",
            "name": "by-lb-ip",
            "vpc_id": "vpc-main",
            "instance_id": "192.168.1.100",
            "port": 80,
        },
        {
            "id": "va-ip-none",
            "name": "by-no-ip",
            "vpc_id": "vpc-main",
            "instance_id": "192.168.9.9",
            "port": 80,
        },
    ]
    reports = await diagnose_all(clients_for(emulator_server(world)))
    assert reports["by-ecs-ip"].target_type == "ECS"
    assert reports["by-lb-ip"].target_type == "CLB"
    assert reports["by-lb-ip"].root_causes == ["clb.acl"]
    assert reports["by-no-ip"].root_causes == ["authorization.target"]
    assert "vpc-main" in reports["by-no-ip"].check("authorization.target").summary


async def test_vpc_integration_gateway_egress_comes_from_its_network_interfaces(
    emulator_server,
) -> None:
    world = scenario("ecs-pass")
    world["gateways"] = [
        {
            "id": "apigateway-vpcconnect",
            "name": "integrated",
            "type": "VPC_DEDICATED",
            "dedicated_instance_type": "vpc_connect",
            "network_interfaces": [
                {
                    "vswitch_id": "vsw-gw",
                    "cidr_block": "192.168.200.0/24",
                    "security_group_id": "sg-web",
                }
            ],
        }
    ]
    report = (await diagnose_all(clients_for(emulator_server(world))))["orders-backend"]
    assert report.gateway.egress_cidrs == ("192.168.200.0/24",)
    check = report.check("ecs.security_group")
    assert check.status == Status.FAIL
    assert check.fix.source_cidrs == ("192.168.200.0/24",)


async def test_a_gateway_moving_egress_warns_and_the_fix_covers_the_new_range(
    emulator_server,
) -> None:
    world = scenario("ecs-pass")
    world["gateways"][0]["new_vpc_egress_address"] = "100.104.200.0/26"
    report = (await diagnose_all(clients_for(emulator_server(world))))["orders-backend"]
    check = report.check("ecs.security_group")
    assert check.status == Status.WARN
    assert check.fix.source_cidrs == ("100.104.200.0/26",)
    assert report.verdict == Status.PASS


async def test_blacklist_entry_fails_without_a_fix(emulator_server) -> None:
    world = scenario("clb-whitelist-missing")
    world["clb_instances"][0]["listeners"][0]["acl"]["type"] = "black"
    world["clb_acls"][0]["entries"] = [{"cidr": "100.104.0.0/16", "comment": "blocked"}]
    report = (await diagnose_all(clients_for(emulator_server(world))))["shop-lb"]
    check = report.check("clb.acl")
    assert check.status == Status.FAIL and check.fix is None
    assert "100.104.0.0/16" in check.summary and "by hand" in check.summary


@pytest.mark.parametrize(("drop_priority", "fix_expected"), [(1, False), (5, True)])
async def test_a_drop_rule_bounds_the_fix_priority(
    emulator_server, drop_priority, fix_expected
) -> None:
    world = scenario("ecs-sg-missing")
    world["security_groups"][0]["inbound"].append(
        {
            "policy": "drop",
            "priority": drop_priority,
            "protocol": "TCP",
            "port_range": "1/65535",
            "source_cidr": "0.0.0.0/0",
        }
    )
    check = (await diagnose_all(clients_for(emulator_server(world))))["orders-backend"].check(
        "ecs.security_group"
    )
    assert check.status == Status.FAIL
    if fix_expected:
        assert check.fix.priority < drop_priority
    else:
        assert check.fix is None and "by hand" in check.summary


async def test_a_timeout_makes_the_check_unknown(emulator_server) -> None:
    world = scenario("ecs-pass")
    world["faults"] = {"actions": {"DescribeSecurityGroupAttribute": {"latency_ms": 1500}}}
    clients = clients_for(emulator_server(world), retry=QUICK_RETRY, read_timeout_ms=300)
    report = (await diagnose_all(clients))["orders-backend"]
    check = report.check("ecs.security_group")
    assert check.status == Status.UNKNOWN
    assert "timed out" in check.summary
    assert report.check("ecs.status").status == Status.PASS


async def test_an_unreadable_gateway_still_tests_connectivity(emulator_server) -> None:
    world = scenario("ecs-sg-missing")
    world["faults"] = {"actions": {"apigateway:DescribeInstances": {"deny": True}}}
    report = (await diagnose_all(clients_for(emulator_server(world)), "apigateway-hz-1a2b3c"))[
        "orders-backend"
    ]
    got = statuses(report)
    assert got["connectivity"] == "fail"
    assert got["ecs.security_group"] == got["gateway.acl"] == "unknown"
    assert "apigateway:DescribeInstances" in report.check("ecs.security_group").summary
    assert report.verdict == Status.FAIL  # connectivity failed; the cause is unknown


async def test_server_errors_are_retried_until_they_pass(emulator_server) -> None:
    world = scenario("ecs-sg-missing")
    world["faults"] = {
        "seed": 3,
        "actions": {"DescribeSecurityGroupAttribute": {"error_ratio": 0.5}},
    }
    server = emulator_server(world)
    report = (await diagnose_all(clients_for(server)))["orders-backend"]
    assert report.root_causes == ["ecs.security_group"]


async def test_probe_from_the_target_and_from_another_instance(emulator_server) -> None:
    world = scenario("ecs-pass")
    other = copy.deepcopy(world["ecs_instances"][0])
    other.update(id="i-jump", private_ip="192.168.1.50", listening=[], security_groups=["sg-jump"])
    world["ecs_instances"].append(other)
    world["security_groups"].append(
        {"id": "sg-jump", "vpc_id": "vpc-main", "type": "normal", "inbound": []}
    )
    clients = clients_for(emulator_server(world))
    itself = (await diagnose_all(clients, probe=ProbeRequest()))["orders-backend"]
    assert statuses(itself)["backend.port"] == "pass"
    assert "127.0.0.1:8080" in itself.check("backend.port").summary
    # From i-jump the probe crosses sg-web, which admits only the gateway: a real finding.
    jump = (await diagnose_all(clients, probe=ProbeRequest("i-jump")))["orders-backend"]
    assert statuses(jump)["backend.port"] == "fail"
    assert statuses(jump)["authorization.port"] == "pass"


def _policy_actions(name: str) -> set[str]:
    policy = json.loads((POLICIES / name).read_text())
    return {action for statement in policy["Statement"] for action in statement["Action"]}


async def test_the_ram_policies_grant_exactly_what_the_diagnosis_and_fixes_call(
    emulator_server,
) -> None:
    called: set[str] = set()
    for world in (
        "gateway-acl",
        "clb-whitelist-missing",
        "e2e-port-list",
        "e2e-vserver-group",
        "primary-secondary-failover",
    ):
        clients = clients_for(emulator_server(world))
        await diagnose_all(clients, probe=ProbeRequest())
        called |= set(clients.caller.attempts)
    demo = clients_for(
        emulator_server(Path(__file__).resolve().parents[1] / "vpctest/emulator/worlds/demo.yaml")
    )
    await diagnose_all(demo, probe=ProbeRequest())
    diagnoser = Diagnoser(demo)  # a digest across gateways maps authorizations to them
    for access in await diagnoser.vpc_accesses():
        await diagnoser.gateways_using(access)
    called |= set(demo.caller.attempts)
    assert called == _policy_actions("vpc-test-diagnose.json")

    fixing = clients_for(emulator_server("ecs-sg-missing"))
    acl = clients_for(emulator_server("clb-whitelist-missing"))
    for clients, name, check_id in (
        (fixing, "orders-backend", "ecs.security_group"),
        (acl, "shop-lb", "clb.acl"),
    ):
        fix = (await diagnose_all(clients))[name].check(check_id).fix
        before = set(clients.caller.attempts)
        await fix.revert(clients, await fix.apply(clients, "policy test"))
        writes = {
            a
            for a in set(clients.caller.attempts) - before
            if not a.split(":")[1].startswith("Describe")
        }
        assert writes <= _policy_actions("vpc-test-fix.json")
        called |= writes
    assert _policy_actions("vpc-test-fix.json") <= called


async def test_a_load_balancer_shared_by_authorizations_is_read_once(emulator_server) -> None:
    world = scenario("clb-whitelist-missing")
    listener = world["clb_instances"][0]["listeners"][0]
    for port in (81, 82):
        world["clb_instances"][0]["listeners"].append({**listener, "port": port})
        world["vpc_accesses"].append(
            {
                **world["vpc_accesses"][0],
                "id": f"va-shop-{port}",
                "name": f"shop-{port}",
                "port": port,
            }
        )
    server = emulator_server(world)
    reports = await diagnose_all(clients_for(server))
    assert {r.root_causes[0] for r in reports.values()} == {"clb.acl"}
    calls = server.qualified_calls
    assert calls["slb:DescribeLoadBalancerAttribute"] == 1
    assert calls["slb:DescribeLoadBalancerListeners"] == 1
    assert calls["slb:DescribeAccessControlListAttribute"] == 1
    assert calls["ecs:DescribeSecurityGroupAttribute"] == 1  # the backend's group
    assert calls["slb:DescribeHealthStatus"] == 3  # one per listener


async def test_an_authorization_is_mapped_to_the_gateways_its_apis_run_on(emulator_server) -> None:
    world = scenario("ecs-pass")
    world["gateways"].append({**world["gateways"][0], "id": "apigateway-b"})
    world["vpc_accesses"][0]["apis"] = [
        {"id": "a1", "name": "A1", "group_id": "g1", "gateway_id": "apigateway-hz-1a2b3c"},
        {"id": "a2", "name": "A2", "group_id": "g1", "gateway_id": "apigateway-hz-1a2b3c"},
        {"id": "a3", "name": "A3", "group_id": "g2", "gateway_id": "apigateway-b"},
    ]
    server = emulator_server(world)
    diagnoser = Diagnoser(clients_for(server))
    [access] = await diagnoser.vpc_accesses()
    assert await diagnoser.gateways_using(access) == ["apigateway-b", "apigateway-hz-1a2b3c"]
    await diagnoser.gateways_using(access)
    assert server.qualified_calls["apigateway:DescribeApiGroup"] == 2  # once per group per run
    assert server.qualified_calls["apigateway:DescribeApisByVpcAccess"] == 1
