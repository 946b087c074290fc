"""ValidateVpcConnectivity on every scenario world, and fixes applied through the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alibabacloud_cloudapi20160714 import models as api
from alibabacloud_ecs20140526 import models as ecs
from alibabacloud_slb20140515 import models as slb

from vpctest.emulator.cli import DEMO_WORLD

SCENARIOS = Path(__file__).parents[1] / "scenarios"
NAMES = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
REGION = "cn-hangzhou"


def expectation(name: str) -> dict:
    return json.loads((SCENARIOS / f"{name}.expect.json").read_text())


async def connected(clients, gateway: str, access: str) -> bool:
    request = api.ValidateVpcConnectivityRequest(instance_id=gateway, vpc_access_id=access)
    return (await clients.cloudapi.validate_vpc_connectivity_async(request)).body.connected


@pytest.mark.parametrize("name", NAMES)
async def test_connectivity_matches_the_expected_verdict(
    name, emulator_server, sdk_clients
) -> None:
    server = emulator_server(name)
    world = server.world
    result = await connected(sdk_clients(server), world.gateways[0].id, world.vpc_accesses[0].id)
    assert result is (expectation(name)["checks"]["connectivity"] == "pass")
    assert result is (expectation(name)["verdict"] == "pass")


async def apply_fix(clients, fix: dict) -> None:
    """Apply an expected `fix` the way the engine would, through the API."""
    if fix["kind"] == "authorize_security_group":
        permissions = [
            ecs.AuthorizeSecurityGroupRequestPermissions(
                ip_protocol=fix["protocol"],
                port_range=fix["port_range"],
                source_cidr_ip=cidr,
                priority=str(fix.get("priority", 1)),
                policy="accept",
                description="vpc-test fix",
            )
            for cidr in fix["source_cidrs"]
        ]
        await clients.ecs.authorize_security_group_async(
            ecs.AuthorizeSecurityGroupRequest(
                region_id=REGION,
                security_group_id=fix["security_group_id"],
                permissions=permissions,
            )
        )
    else:
        entries = [{"entry": e, "comment": "vpc-test fix"} for e in fix["entries"]]
        await clients.slb.add_access_control_list_entry_async(
            slb.AddAccessControlListEntryRequest(
                region_id=REGION, acl_id=fix["acl_id"], acl_entrys=json.dumps(entries)
            )
        )


@pytest.mark.parametrize("name", [n for n in NAMES if "fix" in expectation(n)])
async def test_the_expected_fix_makes_it_connect(name, emulator_server, sdk_clients) -> None:
    server = emulator_server(name)
    clients = sdk_clients(server)
    gateway, access = server.world.gateways[0].id, server.world.vpc_accesses[0].id
    assert not await connected(clients, gateway, access)
    await apply_fix(clients, expectation(name)["fix"])
    assert await connected(clients, gateway, access)
    fix = expectation(name)["fix"]
    await apply_fix(clients, fix)  # the same rule or ACL entry again: success, nothing added
    assert await connected(clients, gateway, access)


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("ecs-stopped", lambda w: setattr(w.ecs("i-orders"), "status", "Running")),
        ("gateway-acl", lambda w: setattr(w.gateways[0].acl, "status", "off")),
        ("wrong-vpc", lambda w: setattr(w.vpc_accesses[0], "vpc_id", "vpc-main")),
    ],
)
async def test_fixing_the_world_directly(name, change, emulator_server, sdk_clients) -> None:
    server = emulator_server(name)
    clients = sdk_clients(server)
    gateway, access = server.world.gateways[0].id, server.world.vpc_accesses[0].id
    assert not await connected(clients, gateway, access)
    server.mutate(change)
    assert await connected(clients, gateway, access)


async def test_demo_fixes(emulator_server, sdk_clients) -> None:
    server = emulator_server(DEMO_WORLD)
    clients = sdk_clients(server)
    gw = "apigateway-hz-shared"
    egress = ["100.104.13.0/26"]

    # missing rule: authorize the egress
    await apply_fix(
        clients,
        {
            "kind": "authorize_security_group",
            "security_group_id": "sg-billing",
            "protocol": "TCP",
            "port_range": "8080/8080",
            "source_cidrs": egress,
        },
    )
    assert await connected(clients, gw, "va-billing")

    # a drop at priority 1 still wins over an accept at priority 1; revoking the drop mends it
    await apply_fix(
        clients,
        {
            "kind": "authorize_security_group",
            "security_group_id": "sg-admin",
            "protocol": "TCP",
            "port_range": "8443/8443",
            "source_cidrs": egress,
            "priority": 1,
        },
    )
    assert not await connected(clients, gw, "va-admin")
    drop = next(r for r in server.world.security_group("sg-admin").inbound if r.policy == "drop")
    await clients.ecs.revoke_security_group_async(
        ecs.RevokeSecurityGroupRequest(
            region_id=REGION, security_group_id="sg-admin", security_group_rule_id=[drop.id]
        )
    )
    assert await connected(clients, gw, "va-admin")

    # a tcp listener passes the client address: the backend's group must admit the egress
    await apply_fix(
        clients,
        {
            "kind": "authorize_security_group",
            "security_group_id": "sg-report",
            "protocol": "TCP",
            "port_range": "8080/8080",
            "source_cidrs": egress,
        },
    )
    assert await connected(clients, gw, "va-report")

    await apply_fix(clients, {"kind": "add_acl_entries", "acl_id": "acl-shop", "entries": egress})
    assert await connected(clients, gw, "va-shop")
