"""ECS (2014-05-26) actions through the real SDK client (Cloud Assistant is in its own file)."""

from __future__ import annotations

import json

import pytest
from alibabacloud_ecs20140526 import models as ecs
from alibabacloud_tea_openapi.exceptions import ClientException

from vpctest.emulator.cli import DEMO_WORLD

REGION = "cn-hangzhou"


@pytest.fixture
def demo(emulator_server, sdk_clients):
    server = emulator_server(DEMO_WORLD)
    return server, sdk_clients(server).ecs


async def error_of(call) -> ClientException:
    with pytest.raises(ClientException) as info:
        await call
    return info.value


async def instances(client, **kw) -> ecs.DescribeInstancesResponseBody:
    request = ecs.DescribeInstancesRequest(region_id=kw.pop("region_id", REGION), **kw)
    return (await client.describe_instances_async(request)).body


async def test_describe_instances_fields(demo) -> None:
    _, client = demo
    body = await instances(client, instance_ids=json.dumps(["i-orders", "i-batch", "i-nope"]))
    assert body.total_count == 2
    orders, batch = body.instances.instance
    assert (orders.instance_id, orders.status, batch.status) == ("i-orders", "Running", "Stopped")
    assert orders.vpc_attributes.vpc_id == "vpc-main"
    assert orders.vpc_attributes.private_ip_address.ip_address == ["192.168.1.10"]
    assert orders.security_group_ids.security_group_id == ["sg-orders"]
    assert orders.instance_network_type == "vpc" and orders.region_id == REGION
    nic = orders.network_interfaces.network_interface[0]
    assert nic.primary_ip_address == "192.168.1.10" and nic.type == "Primary"


async def test_describe_instances_unknown_ids_give_an_empty_list(demo) -> None:
    _, client = demo
    body = await instances(client, instance_ids=json.dumps(["i-nope"]))
    assert (body.total_count, body.instances.instance) == (0, [])
    other_region = await instances(client, region_id="cn-shanghai")
    assert other_region.instances.instance == []


async def test_describe_instances_filters(demo) -> None:
    _, client = demo

    async def ids(**kw) -> list[str]:
        return [i.instance_id for i in (await instances(client, **kw)).instances.instance]

    assert await ids(vpc_id="vpc-main", private_ip_addresses=json.dumps(["192.168.1.30"])) == [
        "i-report"
    ]
    assert await ids(security_group_id="sg-shop", page_size=50) == ["i-shop-1", "i-web-1"]
    assert await ids(vpc_id="vpc-other") == []
    assert await ids(instance_network_type="classic") == []


async def test_describe_instances_paging(demo) -> None:
    _, client = demo
    first = await instances(client, page_size=3)
    assert (
        first.total_count,
        first.page_number,
        first.page_size,
        len(first.instances.instance),
    ) == (8, 1, 3, 3)
    third = await instances(client, page_size=3, page_number=3)
    assert [i.instance_id for i in third.instances.instance] == ["i-web-1", "i-report"]
    assert (await instances(client, page_size=500)).page_size == 100  # ECS clamps PageSize

    collected, token = [], None
    while True:
        page = await instances(client, max_results=3, next_token=token)
        collected += [i.instance_id for i in page.instances.instance]
        token = page.next_token
        if not token:
            break
    assert len(collected) == 8 == len(set(collected))


async def test_missing_region_and_bad_json(demo) -> None:
    _, client = demo
    err = await error_of(client.describe_instances_async(ecs.DescribeInstancesRequest()))
    assert (err.status_code, err.code) == (400, "MissingParameter") and "RegionId" in err.message
    bad = ecs.DescribeInstancesRequest(region_id=REGION, instance_ids="i-orders")
    assert (await error_of(client.describe_instances_async(bad))).code == "InvalidParameter"


async def test_describe_instances_full_status(demo) -> None:
    _, client = demo
    request = ecs.DescribeInstancesFullStatusRequest(
        region_id=REGION, instance_id=["i-orders", "i-batch", "i-nope"]
    )
    body = (await client.describe_instances_full_status_async(request)).body
    rows = {r.instance_id: r for r in body.instance_full_status_set.instance_full_status_type}
    assert set(rows) == {"i-orders", "i-batch"} and body.total_count == 2
    assert (rows["i-orders"].status.name, rows["i-orders"].status.code) == ("Running", 1)
    assert (rows["i-batch"].status.name, rows["i-batch"].status.code) == ("Stopped", 128)
    assert (rows["i-orders"].health_status.name, rows["i-orders"].health_status.code) == ("Ok", 0)


async def test_describe_security_groups(demo) -> None:
    _, client = demo
    request = ecs.DescribeSecurityGroupsRequest(
        region_id=REGION, security_group_ids=json.dumps(["sg-orders", "sg-admin"])
    )
    body = (await client.describe_security_groups_async(request)).body
    groups = body.security_groups.security_group
    assert [g.security_group_id for g in groups] == ["sg-orders", "sg-admin"]
    assert (groups[0].vpc_id, groups[0].security_group_type, groups[0].ecs_count) == (
        "vpc-main",
        "normal",
        2,
    )
    page = ecs.DescribeSecurityGroupsRequest(
        region_id=REGION, vpc_id="vpc-main", page_size=2, page_number=3
    )
    body = (await client.describe_security_groups_async(page)).body
    assert body.total_count == 7 and [
        g.security_group_id for g in body.security_groups.security_group
    ] == ["sg-legacy", "sg-report"]


async def test_describe_security_group_attribute(demo) -> None:
    _, client = demo
    request = ecs.DescribeSecurityGroupAttributeRequest(
        region_id=REGION, security_group_id="sg-admin"
    )
    body = (await client.describe_security_group_attribute_async(request)).body
    assert (body.security_group_id, body.vpc_id, body.inner_access_policy) == (
        "sg-admin",
        "vpc-main",
        "Accept",
    )
    accept, drop = body.permissions.permission
    assert (accept.policy, accept.priority, accept.ip_protocol, accept.port_range) == (
        "Accept",
        "10",
        "TCP",
        "8443/8443",
    )
    assert (drop.policy, drop.priority, drop.source_cidr_ip, drop.direction) == (
        "Drop",
        "1",
        "0.0.0.0/0",
        "ingress",
    )
    assert (
        accept.security_group_rule_id.startswith("sgr-")
        and accept.source_cidr_ip == "100.104.13.0/26"
    )
    assert body.next_token is None

    orders = ecs.DescribeSecurityGroupAttributeRequest(
        region_id=REGION, security_group_id="sg-orders"
    )
    rule = (
        await client.describe_security_group_attribute_async(orders)
    ).body.permissions.permission[0]
    assert (rule.source_prefix_list_id, rule.source_cidr_ip, rule.description) == (
        "pl-apigw",
        "",
        "api gateway egress",
    )

    egress = ecs.DescribeSecurityGroupAttributeRequest(
        region_id=REGION, security_group_id="sg-admin", direction="egress"
    )
    assert (
        await client.describe_security_group_attribute_async(egress)
    ).body.permissions.permission == []
    missing = ecs.DescribeSecurityGroupAttributeRequest(
        region_id=REGION, security_group_id="sg-nope"
    )
    err = await error_of(client.describe_security_group_attribute_async(missing))
    assert (err.status_code, err.code) == (404, "InvalidSecurityGroupId.NotFound")


async def test_security_group_attribute_paging(demo) -> None:
    server, client = demo
    permissions = [
        ecs.AuthorizeSecurityGroupRequestPermissions(
            ip_protocol="TCP", port_range=f"{p}/{p}", source_cidr_ip="10.0.0.0/8"
        )
        for p in range(9000, 9014)
    ]
    await client.authorize_security_group_async(
        ecs.AuthorizeSecurityGroupRequest(
            region_id=REGION, security_group_id="sg-billing", permissions=permissions
        )
    )
    assert len(server.world.security_group("sg-billing").inbound) == 15
    seen, token = [], None
    while True:
        request = ecs.DescribeSecurityGroupAttributeRequest(
            region_id=REGION, security_group_id="sg-billing", max_results=10, next_token=token
        )
        body = (await client.describe_security_group_attribute_async(request)).body
        seen.append(len(body.permissions.permission))
        token = body.next_token
        if not token:
            break
    assert seen == [10, 5]


async def test_describe_prefix_list_attributes(demo) -> None:
    _, client = demo
    request = ecs.DescribePrefixListAttributesRequest(region_id=REGION, prefix_list_id="pl-apigw")
    body = (await client.describe_prefix_list_attributes_async(request)).body
    assert [e.cidr for e in body.entries.entry] == ["100.104.13.0/26", "100.104.200.0/26"]
    assert body.prefix_list_id == "pl-apigw" and body.address_family == "IPv4"
    missing = ecs.DescribePrefixListAttributesRequest(region_id=REGION, prefix_list_id="pl-nope")
    err = await error_of(client.describe_prefix_list_attributes_async(missing))
    assert (err.status_code, err.code) == (404, "InvalidPrefixListId.NotFound")


def permission(**kw) -> ecs.AuthorizeSecurityGroupRequestPermissions:
    fields = {
        "ip_protocol": "TCP",
        "port_range": "8080/8080",
        "source_cidr_ip": "100.104.13.0/26",
        **kw,
    }
    return ecs.AuthorizeSecurityGroupRequestPermissions(**fields)


async def rules_of(client, group_id: str) -> list:
    request = ecs.DescribeSecurityGroupAttributeRequest(
        region_id=REGION, security_group_id=group_id
    )
    return (
        await client.describe_security_group_attribute_async(request)
    ).body.permissions.permission


async def test_authorize_adds_rules_and_an_identical_rule_adds_nothing(demo) -> None:
    _, client = demo
    request = ecs.AuthorizeSecurityGroupRequest(
        region_id=REGION,
        security_group_id="sg-billing",
        permissions=[
            permission(priority="5", description="api gateway"),
            permission(source_cidr_ip="100.104.200.0/26"),
        ],
    )
    await client.authorize_security_group_async(request)
    rules = await rules_of(client, "sg-billing")
    assert [(r.source_cidr_ip, r.priority, r.policy) for r in rules[1:]] == [
        ("100.104.13.0/26", "5", "Accept"),
        ("100.104.200.0/26", "1", "Accept"),
    ]
    await client.authorize_security_group_async(request)  # again: succeeds, adds nothing
    assert len(await rules_of(client, "sg-billing")) == 3
    legacy = ecs.AuthorizeSecurityGroupRequest(
        region_id=REGION,
        security_group_id="sg-billing",
        ip_protocol="tcp",
        port_range="443/443",
        source_cidr_ip="10.0.0.0/8",
        policy="Drop",
        priority="2",
    )
    await client.authorize_security_group_async(legacy)
    last = (await rules_of(client, "sg-billing"))[-1]
    assert (last.ip_protocol, last.port_range, last.policy, last.priority) == (
        "TCP",
        "443/443",
        "Drop",
        "2",
    )


@pytest.mark.parametrize(
    ("kw", "status", "code"),
    [
        (
            {"permissions": [permission(ip_protocol="SCTP")]},
            400,
            "InvalidIpProtocol.ValueNotSupported",
        ),
        ({"permissions": [permission(port_range="80/70")]}, 400, "InvalidParam.PortRange"),
        ({"permissions": [permission(port_range="")]}, 400, "InvalidPortRange.Malformed"),
        (
            {"permissions": [permission(ip_protocol="ALL")]},
            400,
            "InvalidParam.PortRange",
        ),
        ({"permissions": [permission(priority="0")]}, 400, "InvalidPriority.ValueNotSupported"),
        ({"permissions": [permission(priority="101")]}, 400, "InvalidPriority.ValueNotSupported"),
        ({"permissions": [permission(priority="high")]}, 400, "InvalidPriority.Malformed"),
        ({"permissions": [permission(policy="allow")]}, 400, "InvalidPolicy.Malformed"),
        ({"permissions": [permission(source_cidr_ip="")]}, 400, "MissingParameter.Source"),
        (
            {"permissions": [permission(source_cidr_ip="100.104.13.0/33")]},
            400,
            "InvalidSourceCidrIp.Malformed",
        ),
        (
            {"permissions": [permission(source_cidr_ip="", source_group_id="sg-nope")]},
            404,
            "InvalidSourceGroupId.NotFound",
        ),
        (
            {"permissions": [permission(source_cidr_ip="", source_prefix_list_id="pl-nope")]},
            404,
            "InvalidPrefixListId.NotFound",
        ),
        ({"permissions": [permission(), permission()]}, 400, "InvalidParam.DuplicatePermissions"),
        ({"permissions": [permission()], "ip_protocol": "TCP"}, 400, "InvalidParam.Permissions"),
        (
            {"security_group_id": "sg-nope", "permissions": [permission()]},
            404,
            "InvalidSecurityGroupId.NotFound",
        ),
    ],
)
async def test_authorize_validates_like_ecs(demo, kw, status, code) -> None:
    server, client = demo
    kw.setdefault("security_group_id", "sg-billing")
    before = len(server.world.security_group("sg-billing").inbound)
    request = ecs.AuthorizeSecurityGroupRequest(region_id=REGION, **kw)
    err = await error_of(client.authorize_security_group_async(request))
    assert (err.status_code, err.code) == (status, code)
    assert len(server.world.security_group("sg-billing").inbound) == before


async def test_enterprise_groups_refuse_drop_rules(emulator_server, sdk_clients) -> None:
    world = {
        "region": REGION,
        "credentials": {"access_key_id": "ak", "access_key_secret": "sk"},
        "vpcs": ["vpc-main"],
        "security_groups": [{"id": "sg-ent", "vpc_id": "vpc-main", "type": "enterprise"}],
    }
    client = sdk_clients(emulator_server(world)).ecs
    request = ecs.AuthorizeSecurityGroupRequest(
        region_id=REGION, security_group_id="sg-ent", permissions=[permission(policy="drop")]
    )
    err = await error_of(client.authorize_security_group_async(request))
    assert err.code == "InvalidGroupParameter.OperationDenied"
    body = (
        await client.describe_security_group_attribute_async(
            ecs.DescribeSecurityGroupAttributeRequest(region_id=REGION, security_group_id="sg-ent")
        )
    ).body
    assert body.inner_access_policy == "Drop"


async def test_revoke_by_rule_id_and_by_permission(demo) -> None:
    _, client = demo
    admin = await rules_of(client, "sg-admin")
    drop_id = admin[1].security_group_rule_id
    await client.revoke_security_group_async(
        ecs.RevokeSecurityGroupRequest(
            region_id=REGION, security_group_id="sg-admin", security_group_rule_id=[drop_id]
        )
    )
    assert [r.policy for r in await rules_of(client, "sg-admin")] == ["Accept"]
    await client.revoke_security_group_async(
        ecs.RevokeSecurityGroupRequest(
            region_id=REGION,
            security_group_id="sg-admin",
            permissions=[
                ecs.RevokeSecurityGroupRequestPermissions(
                    ip_protocol="TCP",
                    port_range="8443/8443",
                    source_cidr_ip="100.104.13.0/26",
                    priority="10",
                )
            ],
        )
    )
    assert await rules_of(client, "sg-admin") == []
    err = await error_of(
        client.revoke_security_group_async(
            ecs.RevokeSecurityGroupRequest(
                region_id=REGION, security_group_id="sg-admin", security_group_rule_id=[drop_id]
            )
        )
    )
    assert (err.status_code, err.code) == (404, "InvalidSecurityGroupRuleId.NotFound")
    err = await error_of(
        client.revoke_security_group_async(
            ecs.RevokeSecurityGroupRequest(
                region_id=REGION,
                security_group_id="sg-admin",
                ip_protocol="TCP",
                port_range="1/2",
                source_cidr_ip="1.2.3.4/32",
            )
        )
    )
    assert err.code == "InvalidSecurityGroupRule.RuleNotExist"


async def test_new_rule_ids_are_deterministic(emulator_server, sdk_clients) -> None:
    async def added_id() -> str:
        client = sdk_clients(emulator_server(DEMO_WORLD)).ecs
        await client.authorize_security_group_async(
            ecs.AuthorizeSecurityGroupRequest(
                region_id=REGION, security_group_id="sg-billing", permissions=[permission()]
            )
        )
        return (await rules_of(client, "sg-billing"))[-1].security_group_rule_id

    assert await added_id() == await added_id()
