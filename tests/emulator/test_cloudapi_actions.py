"""CloudAPI (API Gateway 2016-07-14) actions through the real SDK client."""

from __future__ import annotations

import pytest
from alibabacloud_cloudapi20160714 import models as api
from alibabacloud_tea_openapi.exceptions import ClientException

from vpctest.emulator.cli import DEMO_WORLD

INTEGRATED = {
    "region": "cn-hangzhou",
    "credentials": {"access_key_id": "ak", "access_key_secret": "sk"},
    "gateways": [
        {
            "id": "apigateway-hz-vpcconnect",
            "name": "integrated-hz",
            "type": "VPC_DEDICATED",
            "dedicated_instance_type": "vpc_connect",
            "network_interfaces": [
                {
                    "vswitch_id": "vsw-gw",
                    "cidr_block": "192.168.200.0/24",
                    "security_group_id": "sg-gw",
                }
            ],
            "acl": {
                "status": "on",
                "type": "black",
                "id": "acl-gw-1",
                "entries": ["10.0.0.0/8", "172.16.0.0/12"],
            },
        },
        {"id": "apigateway-hz-two", "vpc_egress_address": "100.104.13.0/26,100.104.14.0/26"},
    ],
}


@pytest.fixture
def demo(emulator_server, sdk_clients):
    server = emulator_server(DEMO_WORLD)
    return server, sdk_clients(server).cloudapi


async def test_describe_instances(demo) -> None:
    _, client = demo
    body = (await client.describe_instances_async(api.DescribeInstancesRequest())).body
    assert body.total_count == 1 and body.page_number == 1 and body.page_size == 10
    gateway = body.instances.instance_attribute[0]
    assert (gateway.instance_id, gateway.instance_name, gateway.instance_type) == (
        "apigateway-hz-shared",
        "shared-hz",
        "VPC_SHARED",
    )
    assert gateway.vpc_egress_address == "100.104.13.0/26"
    assert gateway.new_vpc_egress_address == "100.104.200.0/26"
    assert (gateway.status, gateway.region_id, gateway.acl_status) == (
        "RUNNING",
        "cn-hangzhou",
        "off",
    )
    assert gateway.dedicated_instance_type is None and gateway.acl_id is None
    assert gateway.network_interface_attributes.network_interface_attribute == []
    missing = api.DescribeInstancesRequest(instance_id="apigateway-nope")
    assert (await client.describe_instances_async(missing)).body.instances.instance_attribute == []


async def test_describe_instances_vpc_connect_acl_and_several_egress_blocks(
    emulator_server, sdk_clients
) -> None:
    client = sdk_clients(emulator_server(INTEGRATED)).cloudapi
    body = (await client.describe_instances_async(api.DescribeInstancesRequest())).body
    integrated, two = body.instances.instance_attribute
    assert integrated.dedicated_instance_type == "vpc_connect"
    assert integrated.instance_spec == "api.s1.small"
    nic = integrated.network_interface_attributes.network_interface_attribute[0]
    assert (nic.cidr_block, nic.vswitch_id, nic.security_group_id) == (
        "192.168.200.0/24",
        "vsw-gw",
        "sg-gw",
    )
    assert (integrated.acl_status, integrated.acl_type, integrated.acl_id, integrated.acl_name) == (
        "on",
        "black",
        "acl-gw-1",
        "acl-gw-1",
    )
    assert integrated.vpc_egress_address is None
    assert two.vpc_egress_address == "100.104.13.0/26,100.104.14.0/26"
    acl = await client.describe_access_control_list_attribute_async(
        api.DescribeAccessControlListAttributeRequest(acl_id="acl-gw-1")
    )
    assert [e.acl_entry_ip for e in acl.body.acl_entrys.acl_entry] == [
        "10.0.0.0/8",
        "172.16.0.0/12",
    ]
    assert acl.body.acl_id == "acl-gw-1"
    with pytest.raises(ClientException) as info:
        await client.describe_access_control_list_attribute_async(
            api.DescribeAccessControlListAttributeRequest(acl_id="acl-nope")
        )
    assert (info.value.code, info.value.status_code) == ("NotFoundAcl", 404)


async def test_describe_vpc_accesses_fields_filters_and_paging(demo) -> None:
    _, client = demo
    body = (await client.describe_vpc_accesses_async(api.DescribeVpcAccessesRequest())).body
    assert (
        body.total_count,
        body.page_size,
        len(body.vpc_access_attributes.vpc_access_attribute),
    ) == (11, 10, 10)
    first = body.vpc_access_attributes.vpc_access_attribute[0]
    assert (first.vpc_access_id, first.name, first.vpc_id, first.instance_id, first.port) == (
        "va-orders",
        "orders-backend",
        "vpc-main",
        "i-orders",
        8080,
    )
    assert first.region_id == "cn-hangzhou"

    seen = []
    for number in (1, 2, 3, 4):
        request = api.DescribeVpcAccessesRequest(page_number=number, page_size=3)
        page = (await client.describe_vpc_accesses_async(request)).body
        assert page.total_count == 11 and page.page_number == number
        seen += [a.vpc_access_id for a in page.vpc_access_attributes.vpc_access_attribute]
    assert len(seen) == 11 == len(set(seen))

    async def ids(**filters) -> list[str]:
        request = api.DescribeVpcAccessesRequest(**filters)
        attrs = (await client.describe_vpc_accesses_async(request)).body.vpc_access_attributes
        return [a.vpc_access_id for a in attrs.vpc_access_attribute]

    assert await ids(name="orders") == ["va-orders", "va-orders-ip"]
    assert await ids(name="orders-backend", accurate_query=True) == ["va-orders"]
    assert await ids(vpc_access_id="va-web") == ["va-web"]
    assert await ids(instance_id="i-orders") == ["va-orders", "va-inventory"]
    assert await ids(vpc_id="vpc-other") == ["va-inventory"]
    assert await ids(port="443") == ["va-web"]
    with pytest.raises(ClientException) as info:
        await client.describe_vpc_accesses_async(api.DescribeVpcAccessesRequest(page_size=101))
    assert info.value.code == "InvalidParameter" and "PageSize" in info.value.message


@pytest.mark.parametrize(
    ("access", "connected", "ip_type"),
    [
        ("va-orders", True, None),
        ("va-orders-ip", True, "ECS"),
        ("va-billing", False, None),
        ("va-admin", False, None),
        ("va-batch", False, None),
        ("va-inventory", False, None),
        ("va-shop", False, None),
        ("va-legacy", False, None),
        ("va-report", False, None),
        ("va-web", True, None),
    ],
)
async def test_validate_vpc_connectivity_on_the_demo(demo, access, connected, ip_type) -> None:
    _, client = demo
    request = api.ValidateVpcConnectivityRequest(
        instance_id="apigateway-hz-shared", vpc_access_id=access
    )
    body = (await client.validate_vpc_connectivity_async(request)).body
    assert (body.connected, body.ip_type) == (connected, ip_type)


async def test_validate_vpc_connectivity_errors(demo) -> None:
    _, client = demo
    cases = [
        (
            api.ValidateVpcConnectivityRequest(
                instance_id="apigateway-nope", vpc_access_id="va-orders"
            ),
            404,
            "NotFoundInstance",
        ),
        (
            api.ValidateVpcConnectivityRequest(
                instance_id="apigateway-hz-shared", vpc_access_id="va-nope"
            ),
            404,
            "NotFoundVpc",
        ),
        (
            api.ValidateVpcConnectivityRequest(instance_id="apigateway-hz-shared"),
            400,
            "MissingParameter",
        ),
    ]
    for request, status, code in cases:
        with pytest.raises(ClientException) as info:
            await client.validate_vpc_connectivity_async(request)
        assert (info.value.status_code, info.value.code) == (status, code)


async def test_describe_apis_by_vpc_access(demo) -> None:
    _, client = demo
    request = api.DescribeApisByVpcAccessRequest(vpc_name="shop-lb")
    body = (await client.describe_apis_by_vpc_access_async(request)).body
    assert body.total_count == 2
    first = body.api_vpc_access_infos.api_vpc_access_info[0]
    assert (first.api_id, first.api_name, first.group_id, first.group_name, first.stage_name) == (
        "api-shop-cart",
        "GetCart",
        "grp-shop",
        "shop",
        "RELEASE",
    )
    assert (first.vpc_name, first.vpc_id, first.instance_id, first.port) == (
        "shop-lb",
        "vpc-main",
        "lb-shop",
        80,
    )
    paged = api.DescribeApisByVpcAccessRequest(vpc_name="shop-lb", page_number=2, page_size=1)
    second = (await client.describe_apis_by_vpc_access_async(paged)).body
    assert [i.stage_name for i in second.api_vpc_access_infos.api_vpc_access_info] == ["TEST"]
    none = api.DescribeApisByVpcAccessRequest(vpc_name="web-lb")
    assert (await client.describe_apis_by_vpc_access_async(none)).body.total_count == 0


async def test_describe_api_group_names_the_gateway_its_apis_run_on(
    emulator_server, sdk_clients, scenario_path
) -> None:
    import yaml

    world = yaml.safe_load(scenario_path("ecs-pass").read_text())
    world["vpc_accesses"][0]["apis"] = [
        {
            "id": "api-1",
            "name": "GetOrder",
            "group_id": "grp-1",
            "gateway_id": "apigateway-hz-1a2b3c",
        }
    ]
    clients = sdk_clients(emulator_server(world))
    found = await clients.cloudapi.describe_api_group_async(
        api.DescribeApiGroupRequest(group_id="grp-1")
    )
    assert found.body.instance_id == "apigateway-hz-1a2b3c"
    with pytest.raises(ClientException) as missing:
        await clients.cloudapi.describe_api_group_async(api.DescribeApiGroupRequest(group_id="x"))
    assert missing.value.code == "NotFoundApiGroup"


def test_an_api_on_an_unknown_gateway_or_a_group_on_two_is_rejected(scenario_path) -> None:
    import yaml

    from vpctest.emulator.schema import WorldError
    from vpctest.emulator.world import parse_world

    world = yaml.safe_load(scenario_path("ecs-pass").read_text())
    world["vpc_accesses"][0]["apis"] = [{"id": "a", "name": "A", "gateway_id": "apigateway-nope"}]
    with pytest.raises(WorldError, match=r"apis\[0\]\.gateway_id"):
        parse_world(world)
    world["vpc_accesses"][0]["apis"] = [
        {"id": "a", "name": "A", "group_id": "g", "gateway_id": "apigateway-hz-1a2b3c"},
        {"id": "b", "name": "B", "group_id": "g", "gateway_id": "apigateway-other"},
    ]
    world["gateways"].append({**world["gateways"][0], "id": "apigateway-other"})
    with pytest.raises(WorldError, match="already on gateway"):
        parse_world(world)
