"""Injected faults and call counting, seen through the real SDK clients."""

from __future__ import annotations

import asyncio
import time

import pytest
import yaml
from alibabacloud_cloudapi20160714 import models as api
from alibabacloud_ecs20140526 import models as ecs
from alibabacloud_slb20140515 import models as slb
from alibabacloud_tea_openapi.exceptions import (
    ClientException,
    ServerException,
    ThrottlingException,
)

from tests.emulator.real_shapes import world
from vpctest.emulator.faults import parse_faults

REGION = "cn-hangzhou"


def with_faults(scenario_path, faults: dict) -> dict:
    raw = yaml.safe_load(scenario_path("gateway-acl").read_text())
    raw["faults"] = faults
    return raw


def sg_request() -> ecs.DescribeSecurityGroupAttributeRequest:
    return ecs.DescribeSecurityGroupAttributeRequest(region_id=REGION, security_group_id="sg-web")


async def test_deny_gives_forbidden_ram_naming_the_action(
    emulator_server, sdk_clients, scenario_path
) -> None:
    faults = {
        "actions": {
            "DescribeSecurityGroupAttribute": {"deny": True},
            "slb:DescribeAccessControlListAttribute": {"deny": True},
        }
    }
    server = emulator_server(with_faults(scenario_path, faults))
    c = sdk_clients(server)
    with pytest.raises(ClientException) as info:
        await c.ecs.describe_security_group_attribute_async(sg_request())
    err = info.value
    assert (err.status_code, err.code) == (403, "Forbidden.RAM")
    assert err.access_denied_detail["AuthAction"] == "ecs:DescribeSecurityGroupAttribute"
    assert "User not authorized" in err.message
    # a product-qualified fault leaves the same action of another product alone
    gateway_acl = api.DescribeAccessControlListAttributeRequest(acl_id="acl-gw-1")
    assert (
        await c.cloudapi.describe_access_control_list_attribute_async(gateway_acl)
    ).body.acl_id == "acl-gw-1"
    with pytest.raises(ClientException) as info:
        await c.slb.describe_access_control_list_attribute_async(
            slb.DescribeAccessControlListAttributeRequest(region_id=REGION, acl_id="acl-gw-1")
        )
    assert info.value.access_denied_detail["AuthAction"] == "slb:DescribeAccessControlListAttribute"


async def test_faults_come_after_authentication(
    emulator_server, sdk_clients, scenario_path
) -> None:
    server = emulator_server(
        with_faults(scenario_path, {"actions": {"DescribeSecurityGroupAttribute": {"deny": True}}})
    )
    with pytest.raises(ClientException) as info:
        await sdk_clients(
            server, access_key_secret="bad"
        ).ecs.describe_security_group_attribute_async(sg_request())
    assert info.value.code == "SignatureDoesNotMatch"
    assert server.calls == {}


async def test_throttle_ratio_one_throttles_every_call(
    emulator_server, sdk_clients, scenario_path
) -> None:
    server = emulator_server(
        with_faults(
            scenario_path, {"actions": {"DescribeSecurityGroupAttribute": {"throttle_ratio": 1.0}}}
        )
    )
    client = sdk_clients(server).ecs
    for _ in range(3):
        with pytest.raises(ClientException) as info:
            await client.describe_security_group_attribute_async(sg_request())
        assert (info.value.status_code, info.value.code) == (400, "Throttling.User")
        assert "Request was denied due to user flow control." in info.value.message
    assert server.calls["DescribeSecurityGroupAttribute"] == 3


async def test_retry_after_makes_a_throttling_exception(
    emulator_server, sdk_clients, scenario_path
) -> None:
    faults = {
        "actions": {
            "DescribeSecurityGroupAttribute": {"throttle_ratio": 1.0, "retry_after_ms": 1500}
        }
    }
    client = sdk_clients(emulator_server(with_faults(scenario_path, faults))).ecs
    with pytest.raises(ThrottlingException) as info:
        await client.describe_security_group_attribute_async(sg_request())
    assert (info.value.code, info.value.retry_after) == ("Throttling.User", 1500)


async def test_error_ratio_one_gives_service_unavailable(
    emulator_server, sdk_clients, scenario_path
) -> None:
    server = emulator_server(
        with_faults(scenario_path, {"actions": {"ValidateVpcConnectivity": {"error_ratio": 1.0}}})
    )
    request = api.ValidateVpcConnectivityRequest(
        instance_id="apigateway-hz-1a2b3c", vpc_access_id="va-orders"
    )
    with pytest.raises(ServerException) as info:
        await sdk_clients(server).cloudapi.validate_vpc_connectivity_async(request)
    assert (info.value.status_code, info.value.code) == (503, "ServiceUnavailable")
    assert server.calls["ValidateVpcConnectivity"] == 1


async def test_qps_is_a_token_bucket(emulator_server, sdk_clients, scenario_path) -> None:
    server = emulator_server(
        with_faults(scenario_path, {"actions": {"DescribeSecurityGroupAttribute": {"qps": 2}}})
    )
    client = sdk_clients(server).ecs

    async def outcome() -> str:
        try:
            await client.describe_security_group_attribute_async(sg_request())
        except ClientException as exc:
            return exc.code
        return "ok"

    burst = [await outcome() for _ in range(4)]
    assert burst[:2] == ["ok", "ok"] and "Throttling.User" in burst[2:]
    await asyncio.sleep(1.1)
    assert await outcome() == "ok"
    other = ecs.DescribeInstancesRequest(region_id=REGION)
    for _ in range(4):  # other actions are not capped
        await client.describe_instances_async(other)


async def test_latency(emulator_server, sdk_clients, scenario_path) -> None:
    faults = {"latency_ms": 100, "actions": {"DescribeInstances": {"latency_ms": 200}}}
    client = sdk_clients(emulator_server(with_faults(scenario_path, faults))).ecs
    started = time.monotonic()
    await client.describe_security_group_attribute_async(sg_request())
    assert 0.1 <= time.monotonic() - started < 1
    started = time.monotonic()
    await client.describe_instances_async(ecs.DescribeInstancesRequest(region_id=REGION))
    assert time.monotonic() - started >= 0.3


async def test_a_seed_makes_random_faults_repeatable(
    emulator_server, sdk_clients, scenario_path
) -> None:
    faults = {"seed": 7, "actions": {"DescribeSecurityGroupAttribute": {"throttle_ratio": 0.5}}}

    async def pattern() -> list[bool]:
        client = sdk_clients(emulator_server(with_faults(scenario_path, faults))).ecs
        outcomes = []
        for _ in range(12):
            try:
                await client.describe_security_group_attribute_async(sg_request())
                outcomes.append(True)
            except ClientException:
                outcomes.append(False)
        return outcomes

    first = await pattern()
    assert first == await pattern()
    assert True in first and False in first


async def test_faults_can_change_on_a_running_server(
    emulator_server, sdk_clients, scenario_path
) -> None:
    server = emulator_server("ecs-pass")
    client = sdk_clients(server).ecs
    await client.describe_security_group_attribute_async(sg_request())
    server.mutate(
        lambda w: setattr(
            w,
            "faults",
            parse_faults({"actions": {"DescribeSecurityGroupAttribute": {"deny": True}}}),
        )
    )
    with pytest.raises(ClientException) as info:
        await client.describe_security_group_attribute_async(sg_request())
    assert info.value.code == "Forbidden.RAM"
    server.set_world(scenario_path("ecs-pass"))
    await client.describe_security_group_attribute_async(sg_request())


async def test_calls_are_counted_per_action(emulator_server, sdk_clients) -> None:
    server = emulator_server("ecs-pass")
    c = sdk_clients(server)
    await c.ecs.describe_instances_async(ecs.DescribeInstancesRequest(region_id=REGION))
    await c.cloudapi.describe_instances_async(api.DescribeInstancesRequest())
    with pytest.raises(ClientException):  # failed calls count too
        await c.ecs.describe_security_group_attribute_async(
            ecs.DescribeSecurityGroupAttributeRequest(region_id=REGION, security_group_id="sg-nope")
        )
    assert server.calls == {"DescribeInstances": 2, "DescribeSecurityGroupAttribute": 1}
    assert server.qualified_calls == {
        "ecs:DescribeInstances": 1,
        "apigateway:DescribeInstances": 1,
        "ecs:DescribeSecurityGroupAttribute": 1,
    }
    server.reset_calls()
    assert server.calls == {} and server.qualified_calls == {}


# --- error_code faults (world.md rule 12) ------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "code", "message", "exception"),
    [
        (
            {"error_code": "Forbidden.Unauthorized", "http_status": 403},
            403,
            "Forbidden.Unauthorized",
            "not authorized",
            ClientException,
        ),
        ({"error_code": "InvalidParameter"}, 400, "InvalidParameter", "not valid", ClientException),
        (
            {"error_code": "ServiceUnavailable", "http_status": 503},
            503,
            "ServiceUnavailable",
            "temporary failure",
            ServerException,
        ),
        (
            {"error_code": "Some.Thing", "http_status": 409, "error_message": "it went wrong"},
            409,
            "Some.Thing",
            "it went wrong",
            ClientException,
        ),
    ],
)
async def test_error_code_faults_come_back_through_the_sdk(
    fault, status, code, message, exception, emulator_server, sdk_clients
) -> None:
    server = emulator_server(
        world(
            faults={
                "actions": {
                    "DescribeNetworkInterfaces": fault,
                    "slb:DescribeVServerGroupAttribute": fault,
                }
            }
        )
    )
    c = sdk_clients(server)
    calls = [
        c.ecs.describe_network_interfaces_async(
            ecs.DescribeNetworkInterfacesRequest(region_id=REGION)
        ),
        c.slb.describe_vserver_group_attribute_async(
            slb.DescribeVServerGroupAttributeRequest(region_id=REGION, vserver_group_id="rsp-web")
        ),
    ]
    for call in calls:
        with pytest.raises(exception) as info:
            await call
        err = info.value
        assert (err.status_code, err.code) == (status, code)
        assert message in err.message
        assert err.request_id
        body = err.data
        assert {"Code", "Message", "RequestId", "HostId", "Recommend"} <= set(body)
        assert f"q={code}" in body["Recommend"]
    assert server.calls["DescribeNetworkInterfaces"] == 1
    assert server.calls["DescribeVServerGroupAttribute"] == 1
    # other actions are served as usual
    await c.slb.describe_vserver_groups_async(
        slb.DescribeVServerGroupsRequest(region_id=REGION, load_balancer_id="lb-1")
    )
