"""ECS network interfaces, port lists, paging and Running invocations: through the real SDK."""

from __future__ import annotations

import base64
import json

import pytest
from alibabacloud_ecs20140526 import models as ecs
from alibabacloud_tea_openapi.exceptions import ClientException

from tests.emulator.real_shapes import REGION, eni_world, world


@pytest.fixture
def shapes(emulator_server, sdk_clients):
    server = emulator_server(world())
    return server, sdk_clients(server).ecs


async def error_of(call) -> ClientException:
    with pytest.raises(ClientException) as info:
        await call
    return info.value


async def enis(client, **kw) -> ecs.DescribeNetworkInterfacesResponseBody:
    request = ecs.DescribeNetworkInterfacesRequest(region_id=kw.pop("region_id", REGION), **kw)
    return (await client.describe_network_interfaces_async(request)).body


def ids(body: ecs.DescribeNetworkInterfacesResponseBody) -> list[str]:
    return [e.network_interface_id for e in body.network_interface_sets.network_interface_set]


# --- DescribeNetworkInterfaces ------------------------------------------------------------------


async def test_network_interfaces_fields(shapes) -> None:
    _, client = shapes
    body = await enis(client, max_results=50)
    rows = body.network_interface_sets.network_interface_set
    assert body.total_count == 4 and body.next_token is None
    assert [(e.type, e.instance_id, e.private_ip_address) for e in rows] == [
        ("Primary", "i-a", "192.168.1.10"),
        ("Primary", "i-b", "192.168.1.11"),
        ("Secondary", "i-a", "192.168.1.20"),
        ("Secondary", "", "192.168.1.21"),
    ]
    primary, _, attached, detached = rows
    assert primary.security_group_ids.security_group_id == ["sg-a"]
    assert primary.status == "InUse" and primary.network_interface_id.startswith("eni-")
    assert (attached.network_interface_id, attached.status) == ("eni-a2", "InUse")
    assert attached.security_group_ids.security_group_id == ["sg-eni"]  # the ENI's own groups
    assert attached.attachment.instance_id == "i-a"
    assert [(p.private_ip_address, p.primary) for p in attached.private_ip_sets.private_ip_set] == [
        ("192.168.1.20", True)
    ]
    assert (attached.vpc_id, attached.zone_id) == ("vpc-main", f"{REGION}-h")
    assert attached.v_switch_id.startswith("vsw-") and attached.mac_address.startswith("00:16:3e")
    assert (detached.status, detached.instance_id, detached.attachment) == (
        "Available",
        "",
        None,
    )
    assert detached.security_group_ids.security_group_id == ["sg-eni", "sg-a"]


async def test_network_interfaces_filters(shapes) -> None:
    _, client = shapes
    assert ids(await enis(client, type="Secondary")) == ["eni-a2", "eni-free"]
    assert len(ids(await enis(client, type="Primary"))) == 2
    assert ids(await enis(client, network_interface_id=["eni-free", "eni-nope"])) == ["eni-free"]
    assert ids(await enis(client, instance_id="i-a", type="Secondary")) == ["eni-a2"]
    assert len(ids(await enis(client, instance_id="i-a"))) == 2  # its Primary one too
    assert ids(await enis(client, private_ip_address=["192.168.1.21", "192.168.1.99"])) == [
        "eni-free"
    ]
    assert ids(await enis(client, primary_ip_address="192.168.1.20")) == ["eni-a2"]
    # SecurityGroupId finds secondary ENIs only (primary ones: DescribeInstances)
    assert ids(await enis(client, security_group_id="sg-a")) == ["eni-free"]
    assert ids(await enis(client, security_group_id="sg-eni")) == ["eni-a2", "eni-free"]
    assert ids(await enis(client, status="Available")) == ["eni-free"]
    assert ids(await enis(client, vpc_id="vpc-other")) == []
    assert ids(await enis(client, region_id="cn-shanghai")) == []
    err = await error_of(
        client.describe_network_interfaces_async(
            ecs.DescribeNetworkInterfacesRequest(region_id=REGION, type="Tertiary")
        )
    )
    assert (err.status_code, err.code) == (400, "InvalidParameter")


@pytest.mark.parametrize("size", [0, 1, 50, 51, 1000])
async def test_network_interfaces_page_by_next_token(size, emulator_server, sdk_clients) -> None:
    client = sdk_clients(emulator_server(eni_world(size))).ecs
    first = await enis(client)  # default MaxResults 10: one page is part of the list
    assert first.total_count == size and len(ids(first)) == min(size, 10)
    assert (first.next_token is not None) is (size > 10)
    seen, token, calls = [], None, 0
    while True:
        body = await enis(client, max_results=50, next_token=token)
        calls += 1
        seen += ids(body)
        token = body.next_token
        if not token:
            break
    assert seen == [f"eni-{i:04d}" for i in range(size)]
    assert calls == max(1, -(-size // 50))


async def test_network_interfaces_max_results_is_clamped(emulator_server, sdk_clients) -> None:
    client = sdk_clients(emulator_server(eni_world(600))).ecs
    assert len(ids(await enis(client, max_results=3))) == 10
    assert len(ids(await enis(client, max_results=5000))) == 500
    page = await enis(client, page_number=2, page_size=100)  # the deprecated form
    assert ids(page)[0] == "eni-0100" and (page.page_number, page.page_size) == (2, 100)
    err = await error_of(
        client.describe_network_interfaces_async(
            ecs.DescribeNetworkInterfacesRequest(region_id=REGION, next_token="garbage")
        )
    )
    assert err.code == "InvalidParameter.NextToken"


async def test_describe_instances_matches_primary_ips_only(shapes) -> None:
    _, client = shapes

    async def by_ip(ip: str) -> list[str]:
        request = ecs.DescribeInstancesRequest(
            region_id=REGION, private_ip_addresses=json.dumps([ip])
        )
        body = (await client.describe_instances_async(request)).body
        return [i.instance_id for i in body.instances.instance]

    assert await by_ip("192.168.1.10") == ["i-a"]
    assert (
        await by_ip("192.168.1.20") == []
    )  # eni-a2's IP: look it up with DescribeNetworkInterfaces
    request = ecs.DescribeInstancesRequest(region_id=REGION, instance_ids=json.dumps(["i-a"]))
    instance = (await client.describe_instances_async(request)).body.instances.instance[0]
    nics = instance.network_interfaces.network_interface
    assert [(n.type, n.primary_ip_address) for n in nics] == [
        ("Primary", "192.168.1.10"),
        ("Secondary", "192.168.1.20"),
    ]
    assert nics[1].network_interface_id == "eni-a2"


async def test_describe_instances_pages(emulator_server, sdk_clients) -> None:
    raw = world(
        vpc_accesses=[],
        clb_instances=[],
        network_interfaces=[],
        ecs_instances=[
            {
                "id": f"i-{i:03d}",
                "vpc_id": "vpc-main",
                "private_ip": f"10.2.{i // 200}.{i % 200 + 1}",
                "security_groups": ["sg-a"],
            }
            for i in range(130)
        ],
    )
    client = sdk_clients(emulator_server(raw)).ecs
    first = (
        await client.describe_instances_async(ecs.DescribeInstancesRequest(region_id=REGION))
    ).body
    assert (len(first.instances.instance), first.total_count) == (10, 130)
    seen, token = [], None
    while True:
        request = ecs.DescribeInstancesRequest(region_id=REGION, max_results=100, next_token=token)
        body = (await client.describe_instances_async(request)).body
        seen += [i.instance_id for i in body.instances.instance]
        token = body.next_token
        if not token:
            break
    assert seen == [f"i-{i:03d}" for i in range(130)]
    small = ecs.DescribeInstancesRequest(region_id=REGION, max_results=3)
    assert len((await client.describe_instances_async(small)).body.instances.instance) == 10


# --- port lists ---------------------------------------------------------------------------------


async def test_port_range_list_entries_and_lists(shapes) -> None:
    _, client = shapes
    request = ecs.DescribePortRangeListEntriesRequest(
        region_id=REGION, port_range_list_id="prl-web"
    )
    entries = (await client.describe_port_range_list_entries_async(request)).body.entries
    assert [e.port_range for e in entries] == ["8080/8080", "9000/9100"]
    missing = ecs.DescribePortRangeListEntriesRequest(region_id=REGION, port_range_list_id="prl-x")
    err = await error_of(client.describe_port_range_list_entries_async(missing))
    assert (err.status_code, err.code) == (404, "InvalidPortRangeListId.NotFound")
    lists = (
        await client.describe_port_range_lists_async(
            ecs.DescribePortRangeListsRequest(region_id=REGION)
        )
    ).body.port_range_lists
    assert [(x.port_range_list_id, x.association_count, x.max_entries) for x in lists] == [
        ("prl-web", 1, 20)
    ]
    filtered = ecs.DescribePortRangeListsRequest(region_id=REGION, port_range_list_id=["prl-x"])
    assert (await client.describe_port_range_lists_async(filtered)).body.port_range_lists == []


async def group_rules(client, group_id: str) -> list:
    request = ecs.DescribeSecurityGroupAttributeRequest(
        region_id=REGION, security_group_id=group_id
    )
    return (
        await client.describe_security_group_attribute_async(request)
    ).body.permissions.permission


async def test_a_port_list_rule_has_an_empty_port_range(shapes) -> None:
    _, client = shapes
    (rule,) = await group_rules(client, "sg-eni")
    assert (rule.port_range, rule.port_range_list_id, rule.ip_protocol) == ("", "prl-web", "TCP")
    (plain,) = await group_rules(client, "sg-a")
    assert (plain.port_range, plain.port_range_list_id) == ("8080/8080", "")


async def test_authorize_with_a_port_list(shapes) -> None:
    server, client = shapes

    async def authorize(**perm) -> None:
        await client.authorize_security_group_async(
            ecs.AuthorizeSecurityGroupRequest(
                region_id=REGION,
                security_group_id="sg-a",
                permissions=[
                    ecs.AuthorizeSecurityGroupRequestPermissions(
                        ip_protocol=perm.pop("ip_protocol", "TCP"),
                        source_cidr_ip="10.0.0.0/8",
                        **perm,
                    )
                ],
            )
        )

    await authorize(port_range_list_id="prl-web")
    await authorize(port_range_list_id="prl-web")  # the same rule again: nothing added
    rules = await group_rules(client, "sg-a")
    assert [(r.port_range, r.port_range_list_id) for r in rules] == [
        ("8080/8080", ""),
        ("", "prl-web"),
    ]
    err = await error_of(authorize(port_range_list_id="prl-nope"))
    assert (err.status_code, err.code) == (404, "InvalidPortRangeListId.NotFound")
    err = await error_of(authorize(port_range_list_id="prl-web", port_range="80/80"))
    assert err.code == "InvalidParameter"
    err = await error_of(authorize(port_range_list_id="prl-web", ip_protocol="ICMP"))
    assert err.code == "InvalidParameter"
    assert len(server.world.security_group("sg-a").inbound) == 2


async def test_security_group_rules_page(emulator_server, sdk_clients) -> None:
    raw = world()
    raw["security_groups"][0]["inbound"] = [
        {"protocol": "TCP", "port_range": f"{p}/{p}", "source_cidr": "10.0.0.0/8"}
        for p in range(2000, 3200)
    ]
    client = sdk_clients(emulator_server(raw)).ecs
    first = await group_rules(client, "sg-a")  # default MaxResults 500
    assert len(first) == 500
    seen, token = [], None
    while True:
        request = ecs.DescribeSecurityGroupAttributeRequest(
            region_id=REGION, security_group_id="sg-a", max_results=1000, next_token=token
        )
        body = (await client.describe_security_group_attribute_async(request)).body
        seen += [r.port_range for r in body.permissions.permission]
        token = body.next_token
        if not token:
            break
    assert seen == [f"{p}/{p}" for p in range(2000, 3200)]


# --- Cloud Assistant: Running for probe_running_ms ----------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_invocations_stay_running_for_probe_running_ms(emulator_server, sdk_clients) -> None:
    raw = world(faults={"probe_running_ms": 2500})
    server = emulator_server(raw)
    clock = Clock()
    server.state.clock = clock
    client = sdk_clients(server).ecs
    script = "timeout 5 bash -c '</dev/tcp/192.168.1.20/9000'"  # i-a to its own ENI: itself
    run = ecs.RunCommandRequest(
        region_id=REGION, type="RunShellScript", command_content=script, instance_id=["i-a"]
    )
    invoke_id = (await client.run_command_async(run)).body.invoke_id

    async def result() -> (
        ecs.DescribeInvocationResultsResponseBodyInvocationInvocationResultsInvocationResult
    ):
        request = ecs.DescribeInvocationResultsRequest(region_id=REGION, invoke_id=invoke_id)
        body = (await client.describe_invocation_results_async(request)).body
        (row,) = body.invocation.invocation_results.invocation_result
        return row

    clock.now += 2.4
    row = await result()
    assert (row.invocation_status, row.exit_code, row.invoke_record_status) == (
        "Running",
        None,
        "Running",
    )
    assert base64.b64decode(row.output) == b""
    clock.now += 0.2
    row = await result()
    assert (row.invocation_status, row.exit_code, row.invoke_record_status) == (
        "Success",
        0,
        "Finished",
    )
    server.state.clock = Clock()  # a clock that went back: Running again, by the same rule
    assert (await result()).invocation_status == "Running"


async def test_probes_through_enis(shapes) -> None:
    _, client = shapes

    async def probe(instance: str, ip: str, port: int) -> tuple[str, int]:
        run = ecs.RunCommandRequest(
            region_id=REGION,
            type="RunShellScript",
            command_content=f"timeout 5 bash -c '</dev/tcp/{ip}/{port}'",
            instance_id=[instance],
        )
        invoke_id = (await client.run_command_async(run)).body.invoke_id
        request = ecs.DescribeInvocationResultsRequest(region_id=REGION, invoke_id=invoke_id)
        body = (await client.describe_invocation_results_async(request)).body
        (row,) = body.invocation.invocation_results.invocation_result
        return row.invocation_status, row.exit_code

    assert await probe("i-a", "192.168.1.20", 9000) == ("Success", 0)  # its own ENI
    # i-b to i-a's ENI: sg-eni admits only the gateway on the port list: timed out
    assert await probe("i-b", "192.168.1.20", 9000) == ("Failed", 124)
    assert await probe("i-b", "192.168.1.21", 8080) == ("Failed", 124)  # detached
