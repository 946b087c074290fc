"""SLB/CLB (2014-05-15) actions through the real SDK client."""

from __future__ import annotations

import json

import pytest
from alibabacloud_slb20140515 import models as slb
from alibabacloud_tea_openapi.exceptions import ClientException

from vpctest.emulator.cli import DEMO_WORLD

REGION = "cn-hangzhou"


@pytest.fixture
def demo(emulator_server, sdk_clients):
    server = emulator_server(DEMO_WORLD)
    return server, sdk_clients(server).slb


async def error_of(call) -> ClientException:
    with pytest.raises(ClientException) as info:
        await call
    return info.value


async def test_describe_load_balancers(demo) -> None:
    _, client = demo
    body = (
        await client.describe_load_balancers_async(
            slb.DescribeLoadBalancersRequest(region_id=REGION)
        )
    ).body
    assert body.total_count == 5
    first = body.load_balancers.load_balancer[0]
    assert (
        first.load_balancer_id,
        first.address,
        first.address_type,
        first.load_balancer_status,
    ) == (
        "lb-shop",
        "192.168.1.100",
        "intranet",
        "active",
    )
    assert (first.vpc_id, first.network_type, first.region_id) == ("vpc-main", "vpc", REGION)

    async def ids(**kw) -> list[str]:
        request = slb.DescribeLoadBalancersRequest(**{"region_id": REGION, **kw})
        lbs = (
            await client.describe_load_balancers_async(request)
        ).body.load_balancers.load_balancer
        return [lb.load_balancer_id for lb in lbs]

    assert await ids(load_balancer_id="lb-web,lb-shop,lb-nope") == ["lb-shop", "lb-web"]
    assert await ids(vpc_id="vpc-main", address="192.168.1.102") == ["lb-report"]
    assert await ids(server_id="i-legacy") == ["lb-legacy"]
    assert await ids(page_number=2, page_size=3) == ["lb-web", "lb-checkout"]
    assert await ids(region_id="cn-beijing") == []


async def test_describe_load_balancer_attribute(demo) -> None:
    _, client = demo
    request = slb.DescribeLoadBalancerAttributeRequest(region_id=REGION, load_balancer_id="lb-web")
    body = (await client.describe_load_balancer_attribute_async(request)).body
    assert (body.load_balancer_id, body.vpc_id, body.address, body.load_balancer_status) == (
        "lb-web",
        "vpc-main",
        "192.168.1.103",
        "active",
    )
    server = body.backend_servers.backend_server[0]
    assert (server.server_id, server.server_ip, server.weight, server.type) == (
        "i-web-1",
        "192.168.1.22",
        100,
        "ecs",
    )
    pair = body.listener_ports_and_protocol.listener_port_and_protocol[0]
    assert (pair.listener_port, pair.listener_protocol) == (443, "https")
    assert body.listener_ports.listener_port == [443]
    missing = slb.DescribeLoadBalancerAttributeRequest(region_id=REGION, load_balancer_id="lb-nope")
    err = await error_of(client.describe_load_balancer_attribute_async(missing))
    assert (err.status_code, err.code) == (400, "InvalidLoadBalancerId.NotFound")


async def test_describe_load_balancer_listeners(demo) -> None:
    _, client = demo
    request = slb.DescribeLoadBalancerListenersRequest(
        region_id=REGION, load_balancer_id=["lb-shop", "lb-legacy"]
    )
    body = (await client.describe_load_balancer_listeners_async(request)).body
    shop, legacy = body.listeners
    assert (shop.load_balancer_id, shop.listener_port, shop.listener_protocol, shop.status) == (
        "lb-shop",
        80,
        "http",
        "running",
    )
    assert (shop.acl_status, shop.acl_type, shop.acl_id, shop.backend_server_port) == (
        "on",
        "white",
        "acl-shop",
        8080,
    )
    assert (legacy.status, legacy.acl_status, legacy.acl_id) == ("stopped", "off", None)
    assert shop.httplistener_config.health_check == "on"
    assert body.total_count == 2 and body.next_token is None

    everything = slb.DescribeLoadBalancerListenersRequest(region_id=REGION)
    assert (
        len((await client.describe_load_balancer_listeners_async(everything)).body.listeners) == 5
    )
    tcp = slb.DescribeLoadBalancerListenersRequest(
        region_id=REGION, listener_protocol="tcp", listener_port=8080
    )
    assert [
        x.load_balancer_id
        for x in (await client.describe_load_balancer_listeners_async(tcp)).body.listeners
    ] == ["lb-report"]

    seen, token = [], None
    while True:
        request = slb.DescribeLoadBalancerListenersRequest(
            region_id=REGION, max_results=3, next_token=token
        )
        page = (await client.describe_load_balancer_listeners_async(request)).body
        seen += [x.load_balancer_id for x in page.listeners]
        token = page.next_token
        if not token:
            break
    assert seen == ["lb-shop", "lb-legacy", "lb-report", "lb-web", "lb-checkout"]


async def test_listener_attributes(demo) -> None:
    _, client = demo
    http = (
        await client.describe_load_balancer_httplistener_attribute_async(
            slb.DescribeLoadBalancerHTTPListenerAttributeRequest(
                region_id=REGION, load_balancer_id="lb-shop", listener_port=80
            )
        )
    ).body
    assert (
        http.listener_port,
        http.backend_server_port,
        http.status,
        http.acl_status,
        http.acl_id,
    ) == (
        80,
        8080,
        "running",
        "on",
        "acl-shop",
    )
    assert http.acl_ids.acl_id == ["acl-shop"] and http.health_check == "on"
    tcp = (
        await client.describe_load_balancer_tcplistener_attribute_async(
            slb.DescribeLoadBalancerTCPListenerAttributeRequest(
                region_id=REGION, load_balancer_id="lb-legacy", listener_port=80
            )
        )
    ).body
    assert (tcp.status, tcp.acl_status, tcp.backend_server_port) == ("stopped", "off", 8080)
    https = (
        await client.describe_load_balancer_httpslistener_attribute_async(
            slb.DescribeLoadBalancerHTTPSListenerAttributeRequest(
                region_id=REGION, load_balancer_id="lb-web", listener_port=443
            )
        )
    ).body
    assert (https.acl_type, https.acl_id, https.status) == ("white", "acl-web", "running")
    wrong = slb.DescribeLoadBalancerTCPListenerAttributeRequest(
        region_id=REGION, load_balancer_id="lb-web", listener_port=443
    )
    err = await error_of(client.describe_load_balancer_tcplistener_attribute_async(wrong))
    assert (err.status_code, err.code) == (400, "InvalidParameter")
    missing = slb.DescribeLoadBalancerUDPListenerAttributeRequest(
        region_id=REGION, load_balancer_id="lb-nope", listener_port=53
    )
    err = await error_of(client.describe_load_balancer_udplistener_attribute_async(missing))
    assert err.code == "InvalidLoadBalancerId.NotFound"


async def test_udp_listener_attribute(emulator_server, sdk_clients) -> None:
    world = {
        "region": REGION,
        "credentials": {"access_key_id": "ak", "access_key_secret": "sk"},
        "vpcs": ["vpc-main"],
        "clb_instances": [
            {
                "id": "lb-dns",
                "vpc_id": "vpc-main",
                "address": "192.168.1.5",
                "listeners": [{"port": 53, "protocol": "udp"}],
            }
        ],
    }
    client = sdk_clients(emulator_server(world)).slb
    body = (
        await client.describe_load_balancer_udplistener_attribute_async(
            slb.DescribeLoadBalancerUDPListenerAttributeRequest(
                region_id=REGION, load_balancer_id="lb-dns", listener_port=53
            )
        )
    ).body
    assert (body.listener_port, body.backend_server_port, body.status, body.acl_status) == (
        53,
        53,
        "running",
        "off",
    )


async def acl(
    client, acl_id: str = "acl-shop", **kw
) -> slb.DescribeAccessControlListAttributeResponseBody:
    request = slb.DescribeAccessControlListAttributeRequest(region_id=REGION, acl_id=acl_id, **kw)
    return (await client.describe_access_control_list_attribute_async(request)).body


async def test_describe_access_control_list_attribute(demo) -> None:
    _, client = demo
    body = await acl(client, "acl-web")
    assert [(e.acl_entry_ip, e.acl_entry_comment) for e in body.acl_entrys.acl_entry] == [
        ("100.104.13.0/26", "api gateway egress"),
        ("100.104.200.0/26", "api gateway new egress"),
    ]
    assert body.total_acl_entry == 2 and body.acl_id == "acl-web"
    related = body.related_listeners.related_listener[0]
    assert (
        related.load_balancer_id,
        related.listener_port,
        related.protocol,
        related.acl_type,
    ) == (
        "lb-web",
        443,
        "https",
        "white",
    )
    only = await acl(client, "acl-web", acl_entry_comment="api gateway new egress")
    assert [e.acl_entry_ip for e in only.acl_entrys.acl_entry] == ["100.104.200.0/26"]
    paged = await acl(client, "acl-web", page=2, page_size=1)
    assert [e.acl_entry_ip for e in paged.acl_entrys.acl_entry] == ["100.104.200.0/26"]
    err = await error_of(acl(client, "acl-nope"))
    assert (err.status_code, err.code) == (400, "AclNotExist")


async def test_add_and_remove_acl_entries(demo) -> None:
    _, client = demo
    entries = [
        {"entry": "100.104.13.0/26", "comment": "api gateway egress"},
        {"entry": "100.104.200.0/26", "comment": "new egress"},
        {"entry": "100.104.200.0/26", "comment": "repeated in the request: added once"},
    ]
    add = slb.AddAccessControlListEntryRequest(
        region_id=REGION, acl_id="acl-shop", acl_entrys=json.dumps(entries)
    )
    await client.add_access_control_list_entry_async(add)
    body = await acl(client)
    assert [e.acl_entry_ip for e in body.acl_entrys.acl_entry] == [
        "10.0.0.0/8",
        "100.104.13.0/26",
        "100.104.200.0/26",
    ]
    await client.add_access_control_list_entry_async(add)  # existing entries: accepted, no change
    assert len((await acl(client)).acl_entrys.acl_entry) == 3
    bad = slb.AddAccessControlListEntryRequest(
        region_id=REGION, acl_id="acl-shop", acl_entrys="10.0.0.0/8"
    )
    assert (
        await error_of(client.add_access_control_list_entry_async(bad))
    ).code == "InvalidParameter"
    nope = slb.AddAccessControlListEntryRequest(
        region_id=REGION, acl_id="acl-nope", acl_entrys=json.dumps(entries)
    )
    assert (await error_of(client.add_access_control_list_entry_async(nope))).code == "AclNotExist"

    remove = slb.RemoveAccessControlListEntryRequest(
        region_id=REGION, acl_id="acl-shop", acl_entrys=json.dumps([{"entry": "100.104.200.0/26"}])
    )
    await client.remove_access_control_list_entry_async(remove)
    assert [e.acl_entry_ip for e in (await acl(client)).acl_entrys.acl_entry] == [
        "10.0.0.0/8",
        "100.104.13.0/26",
    ]
    err = await error_of(client.remove_access_control_list_entry_async(remove))
    assert err.code == "AclEntryNotExist"


async def health(client, lb_id: str, **kw) -> list:
    request = slb.DescribeHealthStatusRequest(region_id=REGION, load_balancer_id=lb_id, **kw)
    return (await client.describe_health_status_async(request)).body.backend_servers.backend_server


async def test_describe_health_status(demo) -> None:
    server, client = demo
    [shop] = await health(client, "lb-shop")
    assert (
        shop.server_id,
        shop.server_ip,
        shop.port,
        shop.listener_port,
        shop.protocol,
        shop.server_health_status,
    ) == (
        "i-shop-1",
        "192.168.1.20",
        8080,
        80,
        "http",
        "normal",
    )
    assert [s.server_health_status for s in await health(client, "lb-legacy")] == ["unavailable"]
    assert await health(client, "lb-shop", listener_port=81) == []

    def stop(world) -> None:
        world.ecs("i-shop-1").status = "Stopped"

    server.mutate(stop)
    assert [s.server_health_status for s in await health(client, "lb-shop", listener_port=80)] == [
        "abnormal"
    ]
    err = await error_of(health(client, "lb-nope"))
    assert err.code == "InvalidLoadBalancerId.NotFound"
