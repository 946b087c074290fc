"""The engine on real-account shapes (diagnosis.md, second edition), against the emulator
through the real SDK clients: paging, slow probes, honest errors, exact reverts, ENI targets."""

from __future__ import annotations

import ipaddress

import pytest

from tests.engine_helpers import QUICK_RETRY, clients_for, diagnose_all, scenario, statuses
from vpctest.diagnostics.fixes import AddAclEntries
from vpctest.diagnostics.report import Status
from vpctest.diagnostics.snapshot import ProbeRequest


def _office_entries(count: int) -> list[dict[str, str]]:
    """`count` distinct /32 entries that hold none of the gateway's egress."""
    base = int(ipaddress.IPv4Address("10.0.0.0"))
    return [
        {"cidr": f"{ipaddress.IPv4Address(base + n)}/32", "comment": f"office {n}"}
        for n in range(count)
    ]


async def test_an_acl_of_1000_entries_is_read_in_20_calls_once_per_run(emulator_server) -> None:
    world = scenario("clb-whitelist-missing")
    # The egress entry sits on the last page: a reader of page one alone would fail it.
    egress = {"cidr": "100.104.13.0/26", "comment": "api gateway"}
    world["clb_acls"][0]["entries"] = [*_office_entries(999), egress]
    base = world["vpc_accesses"][0]
    world["vpc_accesses"].append({**base, "id": "va-shop-2", "name": "shop-lb-2"})
    server = emulator_server(world)
    reports = await diagnose_all(clients_for(server))
    for report in reports.values():
        assert report.check("clb.acl").status == Status.PASS, report.check("clb.acl").summary
    assert server.qualified_calls["slb:DescribeAccessControlListAttribute"] == 20


async def test_a_slow_probe_is_waited_for(emulator_server) -> None:
    world = scenario("ecs-pass")
    world["faults"] = {"probe_running_ms": 1200}
    report = (await diagnose_all(clients_for(emulator_server(world)), probe=ProbeRequest()))[
        "orders-backend"
    ]
    assert report.check("backend.port").status == Status.PASS, report.check("backend.port")


async def test_a_probe_still_running_at_its_timeout_is_unknown_naming_the_invocation(
    emulator_server,
) -> None:
    world = scenario("ecs-pass")
    world["faults"] = {"probe_running_ms": 60_000}
    probe = ProbeRequest(timeout_s=1.0)
    report = (await diagnose_all(clients_for(emulator_server(world)), probe=probe))[
        "orders-backend"
    ]
    check = report.check("backend.port")
    assert check.status == Status.UNKNOWN
    assert "invocation t-" in check.summary and "still Running" in check.summary, check.summary
    assert report.verdict == Status.PASS  # an unanswered probe is never a failure


@pytest.mark.parametrize(
    ("code", "status", "ram"),
    [
        ("Forbidden.RAM", 403, True),
        ("Forbidden.SubUser", 403, True),
        ("NoPermission", 403, True),
        ("Forbidden.Unauthorized", 403, False),
        ("IncorrectSecurityGroupStatus", 400, False),
    ],
)
async def test_only_ram_codes_are_ram_denials(emulator_server, code, status, ram) -> None:
    world = scenario("ecs-pass")
    world["faults"] = {
        "actions": {"DescribeSecurityGroupAttribute": {"error_code": code, "http_status": status}}
    }
    clients = clients_for(emulator_server(world), retry=QUICK_RETRY)
    report = (await diagnose_all(clients))["orders-backend"]
    check = report.check("ecs.security_group")
    assert check.status == Status.UNKNOWN
    assert code in check.summary
    grants = "grant the RAM action ecs:DescribeSecurityGroupAttribute" in check.summary
    assert grants == ram, check.summary
    assert report.verdict == Status.PASS  # never a false fail


async def test_a_revert_leaves_entries_that_were_there_before_or_added_since(
    emulator_server,
) -> None:
    server = emulator_server("clb-whitelist-missing")
    clients = clients_for(server)
    fix = (await diagnose_all(clients))["shop-lb"].check("clb.acl").fix
    assert fix is not None
    assert isinstance(fix, AddAclEntries)
    acl = server.world.clb_acl(fix.acl_id)
    before = {e.cidr for e in acl.entries}
    # Asked to add an entry that is already there too: that one is not ours.
    fix = AddAclEntries(fix.acl_id, (*fix.entries, sorted(before)[0]))
    applied = await fix.apply(clients, "request 3")
    assert set(applied.added_entries) == set(fix.entries) - before
    assert sorted(before)[0] in applied.already_present
    acl.entries.append(type(acl.entries[0])("172.16.0.0/12", "added by someone else"))

    await fix.revert(clients, applied)
    after = {e.cidr for e in acl.entries}
    assert after == before | {"172.16.0.0/12"}


async def test_a_revert_leaves_an_identical_rule_that_was_there_before(emulator_server) -> None:
    server = emulator_server("ecs-sg-missing")
    clients = clients_for(server)
    fix = (await diagnose_all(clients))["orders-backend"].check("ecs.security_group").fix
    assert fix is not None
    theirs = await fix.apply(clients, "someone else, by hand")
    ours = await fix.apply(clients, "request 4")  # the real API accepts and adds nothing
    assert not ours.changed
    await fix.revert(clients, ours)
    report = (await diagnose_all(clients))["orders-backend"]
    assert report.verdict == Status.PASS, statuses(report)
    await fix.revert(clients, theirs)
    assert (await diagnose_all(clients))["orders-backend"].verdict == Status.FAIL


def _eni_world(attached: bool) -> dict:
    world = scenario("ecs-sg-missing")
    world["security_groups"].append(
        {
            "id": "sg-eni",
            "vpc_id": "vpc-main",
            "inbound": [
                {"policy": "accept", "protocol": "TCP", "port_range": "22/22"},
            ],
        }
    )
    world["security_groups"][-1]["inbound"][0]["source_cidr"] = "10.0.0.0/8"
    eni = {"id": "eni-orders-2", "vpc_id": "vpc-main", "private_ip": "192.168.1.50"}
    eni["security_groups"] = ["sg-eni"]
    if attached:
        eni["instance_id"] = "i-orders"
    world["network_interfaces"] = [eni]
    world["vpc_accesses"][0]["instance_id"] = "192.168.1.50"
    return world


async def test_an_eni_target_is_judged_by_the_enis_groups_and_fixed_there(
    emulator_server,
) -> None:
    clients = clients_for(emulator_server(_eni_world(attached=True)))
    report = (await diagnose_all(clients, probe=ProbeRequest()))["orders-backend"]
    got = statuses(report)
    assert got["connectivity"] == "fail"
    target = report.check("authorization.target")
    assert target.status == Status.PASS
    assert "eni-orders-2" in target.summary and "i-orders" in target.summary
    assert report.root_causes == ["ecs.security_group"]
    fix = report.check("ecs.security_group").fix
    assert fix is not None and fix.target_id == "sg-eni"
    # The probe runs on the instance, to the ENI's own address.
    assert "192.168.1.50:8080" in report.check("backend.port").summary

    await fix.apply(clients, "request 5")
    mended = (await diagnose_all(clients))["orders-backend"]
    assert mended.verdict == Status.PASS, statuses(mended)


async def test_a_detached_enis_address_names_nothing_that_serves(emulator_server) -> None:
    clients = clients_for(emulator_server(_eni_world(attached=False)))
    report = (await diagnose_all(clients))["orders-backend"]
    assert report.root_causes == ["authorization.target"]
    assert "eni-orders-2" in report.check("authorization.target").summary
