"""SLB/CLB server groups, listener group ids, health per group, ACL paging: through the real SDK."""

from __future__ import annotations

import json

import pytest
from alibabacloud_slb20140515 import models as slb
from alibabacloud_tea_openapi.exceptions import ClientException

from tests.emulator.real_shapes import REGION, acl_world, world


@pytest.fixture
def shapes(emulator_server, sdk_clients):
    server = emulator_server(world())
    return server, sdk_clients(server).slb


async def error_of(call) -> ClientException:
    with pytest.raises(ClientException) as info:
        await call
    return info.value


async def test_describe_vserver_groups(shapes) -> None:
    _, client = shapes
    request = slb.DescribeVServerGroupsRequest(region_id=REGION, load_balancer_id="lb-1")
    groups = (await client.describe_vserver_groups_async(request)).body.vserver_groups
    rows = groups.vserver_group
    assert [(g.vserver_group_id, g.vserver_group_name, g.server_count) for g in rows] == [
        ("rsp-web", "web", 2),
        ("rsp-spare", "spare", 0),
    ]
    assert rows[0].associated_objects is None  # IncludeListener defaults to false
    request.include_listener = True
    rows = (await client.describe_vserver_groups_async(request)).body.vserver_groups.vserver_group
    listeners = rows[0].associated_objects.listeners.listener
    assert [(x.port, x.protocol) for x in listeners] == [(80, "tcp")]
    assert rows[1].associated_objects.listeners.listener == []
    request = slb.DescribeVServerGroupsRequest(
        region_id=REGION, load_balancer_id="lb-1", description="spare"
    )
    rows = (await client.describe_vserver_groups_async(request)).body.vserver_groups.vserver_group
    assert [g.vserver_group_id for g in rows] == ["rsp-spare"]
    missing = slb.DescribeVServerGroupsRequest(region_id=REGION, load_balancer_id="lb-nope")
    err = await error_of(client.describe_vserver_groups_async(missing))
    assert err.code == "InvalidLoadBalancerId.NotFound"


async def test_describe_vserver_group_attribute(shapes) -> None:
    _, client = shapes
    request = slb.DescribeVServerGroupAttributeRequest(region_id=REGION, vserver_group_id="rsp-web")
    body = (await client.describe_vserver_group_attribute_async(request)).body
    assert (body.vserver_group_id, body.vserver_group_name, body.load_balancer_id) == (
        "rsp-web",
        "web",
        "lb-1",
    )
    servers = body.backend_servers.backend_server
    assert [(s.server_id, s.port, s.weight, s.type, s.server_ip) for s in servers] == [
        ("i-a", 8080, 100, "ecs", "192.168.1.10"),
        ("eni-a2", 9000, 0, "eni", "192.168.1.20"),
    ]
    for group_id in ("rsp-nope", "rsp-ms"):
        missing = slb.DescribeVServerGroupAttributeRequest(
            region_id=REGION, vserver_group_id=group_id
        )
        err = await error_of(client.describe_vserver_group_attribute_async(missing))
        assert (err.status_code, err.code) == (400, "InvalidParameter")
        assert "VServerGroupId does not exist" in err.message
    other_region = slb.DescribeVServerGroupAttributeRequest(
        region_id="cn-shanghai", vserver_group_id="rsp-web"
    )
    assert (await error_of(client.describe_vserver_group_attribute_async(other_region))).code == (
        "InvalidParameter"
    )


async def test_master_slave_server_groups(shapes) -> None:
    _, client = shapes
    request = slb.DescribeMasterSlaveServerGroupsRequest(
        region_id=REGION, load_balancer_id="lb-1", include_listener=True
    )
    rows = (
        await client.describe_master_slave_server_groups_async(request)
    ).body.master_slave_server_groups.master_slave_server_group
    assert [(g.master_slave_server_group_id, g.master_slave_server_group_name) for g in rows] == [
        ("rsp-ms", "pair")
    ]
    listeners = rows[0].associated_objects.listeners.listener
    assert [(x.port, x.protocol) for x in listeners] == [(80, "udp"), (81, "tcp")]

    attribute = slb.DescribeMasterSlaveServerGroupAttributeRequest(
        region_id=REGION, master_slave_server_group_id="rsp-ms"
    )
    body = (await client.describe_master_slave_server_group_attribute_async(attribute)).body
    assert (body.master_slave_server_group_id, body.load_balancer_id) == ("rsp-ms", "lb-1")
    servers = body.master_slave_backend_servers.master_slave_backend_server
    assert [(s.server_id, s.port, s.weight, s.server_type, s.type) for s in servers] == [
        ("i-a", 9000, 100, "Master", "ecs"),
        ("i-b", 8080, 80, "Slave", "ecs"),
    ]
    missing = slb.DescribeMasterSlaveServerGroupAttributeRequest(
        region_id=REGION, master_slave_server_group_id="rsp-web"
    )
    err = await error_of(client.describe_master_slave_server_group_attribute_async(missing))
    assert (err.status_code, err.code) == (400, "InvalidParameter")
    assert "MasterSlaveGroupId does not exist" in err.message


async def test_listener_views_name_their_groups_and_health_check(shapes) -> None:
    _, client = shapes
    request = slb.DescribeLoadBalancerListenersRequest(region_id=REGION, load_balancer_id=["lb-1"])
    rows = (await client.describe_load_balancer_listeners_async(request)).body.listeners
    by_key = {(x.listener_port, x.listener_protocol): x for x in rows}
    tcp80, udp80 = by_key[(80, "tcp")], by_key[(80, "udp")]
    tcp81, https = by_key[(81, "tcp")], by_key[(443, "https")]
    assert tcp80.vserver_group_id == "rsp-web"
    assert tcp80.tcplistener_config.master_slave_server_group_id == ""
    assert tcp80.tcplistener_config.health_check == "on"
    assert udp80.udplistener_config.master_slave_server_group_id == "rsp-ms"
    assert (
        tcp81.tcplistener_config.master_slave_server_group_id,
        tcp81.tcplistener_config.health_check,
    ) == ("rsp-ms", "off")
    assert https.vserver_group_id == "" and https.httpslistener_config.health_check == "on"

    tcp = (
        await client.describe_load_balancer_tcplistener_attribute_async(
            slb.DescribeLoadBalancerTCPListenerAttributeRequest(
                region_id=REGION, load_balancer_id="lb-1", listener_port=81
            )
        )
    ).body
    assert (tcp.master_slave_server_group_id, tcp.vserver_group_id, tcp.health_check) == (
        "rsp-ms",
        "",
        "off",
    )
    udp = (
        await client.describe_load_balancer_udplistener_attribute_async(
            slb.DescribeLoadBalancerUDPListenerAttributeRequest(
                region_id=REGION, load_balancer_id="lb-1", listener_port=80
            )
        )
    ).body
    assert (udp.master_slave_server_group_id, udp.health_check) == ("rsp-ms", "on")
    tcp80_attr = (
        await client.describe_load_balancer_tcplistener_attribute_async(
            slb.DescribeLoadBalancerTCPListenerAttributeRequest(
                region_id=REGION, load_balancer_id="lb-1", listener_port=80
            )
        )
    ).body
    assert tcp80_attr.vserver_group_id == "rsp-web"
    https_attr = (
        await client.describe_load_balancer_httpslistener_attribute_async(
            slb.DescribeLoadBalancerHTTPSListenerAttributeRequest(
                region_id=REGION, load_balancer_id="lb-1", listener_port=443
            )
        )
    ).body
    assert (https_attr.vserver_group_id, https_attr.health_check) == ("", "on")


async def health(client, **kw) -> list[tuple]:
    request = slb.DescribeHealthStatusRequest(region_id=REGION, load_balancer_id="lb-1", **kw)
    rows = (await client.describe_health_status_async(request)).body.backend_servers.backend_server
    return [
        (r.listener_port, r.protocol, r.server_id, r.port, r.server_ip, r.server_health_status)
        for r in rows
    ]


async def test_health_status_follows_the_group_each_listener_uses(shapes) -> None:
    server, client = shapes
    assert await health(client) == [
        (80, "tcp", "i-a", 8080, "192.168.1.10", "normal"),
        (80, "tcp", "eni-a2", 9000, "192.168.1.20", "normal"),  # weight 0: still checked
        (80, "udp", "i-a", 9000, "192.168.1.10", "normal"),
        (80, "udp", "i-b", 8080, "192.168.1.11", "normal"),
        (81, "tcp", "i-a", 9000, "192.168.1.10", "unavailable"),  # health check off
        (81, "tcp", "i-b", 8080, "192.168.1.11", "unavailable"),
        (443, "https", "i-b", 8080, "192.168.1.11", "normal"),
    ]
    assert await health(client, listener_port=80, listener_protocol="tcp") == [
        (80, "tcp", "i-a", 8080, "192.168.1.10", "normal"),
        (80, "tcp", "eni-a2", 9000, "192.168.1.20", "normal"),
    ]
    assert [r[1] for r in await health(client, listener_protocol="udp")] == ["udp", "udp"]
    server.mutate(lambda w: setattr(w.ecs("i-a"), "status", "Stopped"))
    assert [r[5] for r in await health(client, listener_port=80)] == ["abnormal"] * 3 + ["normal"]
    server.mutate(lambda w: setattr(w.clb("lb-1"), "status", "inactive"))
    assert {r[5] for r in await health(client)} == {"unavailable"}


async def test_load_balancer_attribute_lists_the_default_group_only(shapes) -> None:
    _, client = shapes
    request = slb.DescribeLoadBalancerAttributeRequest(region_id=REGION, load_balancer_id="lb-1")
    body = (await client.describe_load_balancer_attribute_async(request)).body
    servers = body.backend_servers.backend_server
    assert [(s.server_id, s.weight, s.type, s.server_ip) for s in servers] == [
        ("i-b", 50, "ecs", "192.168.1.11")
    ]
    by_server = slb.DescribeLoadBalancersRequest(region_id=REGION, server_id="i-a")
    lbs = (await client.describe_load_balancers_async(by_server)).body.load_balancers
    assert [x.load_balancer_id for x in lbs.load_balancer] == ["lb-1"]  # i-a is in groups only


# --- ACL paging ---------------------------------------------------------------------------------


async def read_acl(client, **kw) -> slb.DescribeAccessControlListAttributeResponseBody:
    request = slb.DescribeAccessControlListAttributeRequest(region_id=REGION, acl_id="acl-1", **kw)
    return (await client.describe_access_control_list_attribute_async(request)).body


@pytest.mark.parametrize("size", [0, 1, 50, 51, 1000])
async def test_acl_pages_of_fifty_read_to_the_total(size, emulator_server, sdk_clients) -> None:
    client = sdk_clients(emulator_server(acl_world(size))).slb
    first = await read_acl(client)  # no Page/PageSize: page 1 of 50, not everything
    assert first.total_acl_entry == size
    assert len(first.acl_entrys.acl_entry) == min(size, 50)
    seen: list[str] = []
    page = 1
    while len(seen) < first.total_acl_entry:
        body = await read_acl(client, page=page, page_size=50)
        assert body.acl_entrys.acl_entry, f"page {page} came back empty"
        seen += [e.acl_entry_ip for e in body.acl_entrys.acl_entry]
        page += 1
    assert len(seen) == size == len(set(seen))
    assert seen == [f"10.{i // 256}.{i % 256}.0/24" for i in range(size)]
    beyond = await read_acl(client, page=page, page_size=50)
    assert beyond.acl_entrys.acl_entry == [] and beyond.total_acl_entry == size


async def test_acl_page_size_and_comment_filter(emulator_server, sdk_clients) -> None:
    client = sdk_clients(emulator_server(acl_world(120))).slb
    body = await read_acl(client, page=3, page_size=7)
    assert [e.acl_entry_comment for e in body.acl_entrys.acl_entry] == [
        f"e{i}" for i in range(14, 21)
    ]
    for bad in (0, 51):
        err = await error_of(
            client.describe_access_control_list_attribute_async(
                slb.DescribeAccessControlListAttributeRequest(
                    region_id=REGION, acl_id="acl-1", page_size=bad
                )
            )
        )
        assert (err.status_code, err.code) == (400, "InvalidParameter")
    only = await read_acl(client, acl_entry_comment="e7")
    assert [e.acl_entry_ip for e in only.acl_entrys.acl_entry] == ["10.0.7.0/24"]
    assert only.total_acl_entry == 1


async def test_an_existing_acl_entry_is_accepted_and_adds_nothing(
    emulator_server, sdk_clients
) -> None:
    server = emulator_server(acl_world(2))
    client = sdk_clients(server).slb

    async def add(*cidrs: str) -> None:
        entries = [{"entry": c, "comment": "again"} for c in cidrs]
        await client.add_access_control_list_entry_async(
            slb.AddAccessControlListEntryRequest(
                region_id=REGION, acl_id="acl-1", acl_entrys=json.dumps(entries)
            )
        )

    await add("10.0.0.0/24")
    await add("10.0.1.0/24", "10.9.0.0/16")
    entries = server.world.clb_acl("acl-1").entries
    assert [(e.cidr, e.comment) for e in entries] == [
        ("10.0.0.0/24", "e0"),  # the existing entry keeps its comment
        ("10.0.1.0/24", "e1"),
        ("10.9.0.0/16", "again"),
    ]


async def test_the_acl_quota_holds_a_thousand_entries(emulator_server, sdk_clients) -> None:
    server = emulator_server(acl_world(990))
    client = sdk_clients(server).slb
    entries = [{"entry": f"172.16.{i}.0/24"} for i in range(10)]
    request = slb.AddAccessControlListEntryRequest(
        region_id=REGION, acl_id="acl-1", acl_entrys=json.dumps(entries)
    )
    await client.add_access_control_list_entry_async(request)
    assert (await read_acl(client)).total_acl_entry == 1000
    one_more = slb.AddAccessControlListEntryRequest(
        region_id=REGION, acl_id="acl-1", acl_entrys=json.dumps([{"entry": "172.17.0.0/24"}])
    )
    err = await error_of(client.add_access_control_list_entry_async(one_more))
    assert err.code == "QuotaExceeded.AclEntry"


async def test_listeners_page_by_max_results(emulator_server, sdk_clients) -> None:
    raw = world()
    raw["clb_instances"][0]["listeners"] = [
        {"port": 1000 + i, "protocol": "tcp", "backend_port": 8080} for i in range(45)
    ]
    client = sdk_clients(emulator_server(raw)).slb
    request = slb.DescribeLoadBalancerListenersRequest(region_id=REGION, load_balancer_id=["lb-1"])
    first = (await client.describe_load_balancer_listeners_async(request)).body
    assert (len(first.listeners), first.total_count, first.max_results) == (20, 45, 20)
    assert first.next_token
    ports, token = [], None
    while True:
        request = slb.DescribeLoadBalancerListenersRequest(
            region_id=REGION, load_balancer_id=["lb-1"], max_results=100, next_token=token
        )
        body = (await client.describe_load_balancer_listeners_async(request)).body
        ports += [x.listener_port for x in body.listeners]
        token = body.next_token
        if not token:
            break
    assert ports == [1000 + i for i in range(45)]
