"""The wire protocol: action routing, GET and form bodies, error bodies, the server object."""

from __future__ import annotations

import hashlib
import uuid
from types import SimpleNamespace
from urllib.parse import urlencode

import aiohttp
import pytest
from alibabacloud_ecs20140526 import models as ecs
from alibabacloud_tea_openapi import utils_models as open_api
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils import Utils
from darabonba.runtime import RuntimeOptions

from vpctest.emulator import EmulatorServer, WorldError

REGION = "cn-hangzhou"


def params(action: str, version: str, method: str = "POST") -> open_api.Params:
    return open_api.Params(
        action=action,
        version=version,
        protocol="HTTPS",
        pathname="/",
        method=method,
        auth_type="AK",
        style="RPC",
        req_body_type="formData",
        body_type="json",
    )


async def test_unknown_actions_and_versions(emulator_server, sdk_clients) -> None:
    server = emulator_server("ecs-pass")
    client = sdk_clients(server).ecs
    request = open_api.OpenApiRequest(query={"RegionId": REGION})
    for action, version in (("DescribeNothing", "2014-05-26"), ("DescribeInstances", "2099-01-01")):
        with pytest.raises(ClientException) as info:
            await client.call_api_async(params(action, version), request, RuntimeOptions())
        assert (info.value.status_code, info.value.code) == (404, "InvalidAction.NotFound")
    assert server.calls == {}


async def test_get_and_form_bodies_are_served(emulator_server, sdk_clients) -> None:
    server = emulator_server("ecs-pass")
    client = sdk_clients(server).cloudapi
    get = await client.call_api_async(
        params("DescribeVpcAccesses", "2016-07-14", "GET"),
        open_api.OpenApiRequest(query={"VpcAccessId": "va-orders"}),
        RuntimeOptions(),
    )
    assert get["body"]["TotalCount"] == 1
    form = await client.call_api_async(
        params("DescribeVpcAccesses", "2016-07-14"),
        open_api.OpenApiRequest(query={"PageSize": "5"}, body={"Name": "no such name"}),
        RuntimeOptions(),
    )
    assert (form["body"]["TotalCount"], form["body"]["PageSize"]) == (0, 5)


async def test_action_from_the_query_and_the_error_body(emulator_server) -> None:
    """A hand-signed request naming its action in the query, without x-acs-action."""
    server = emulator_server("ecs-pass")
    query = {
        "Action": "DescribeSecurityGroupAttribute",
        "Version": "2014-05-26",
        "RegionId": REGION,
    }

    async def send(extra: dict[str, str]) -> tuple[int, dict, aiohttp.typedefs.LooseHeaders]:
        q = {**query, **extra}
        headers = {
            "host": server.endpoint,
            "x-acs-date": "2024-05-01T08:00:00Z",
            "x-acs-signature-nonce": uuid.uuid4().hex,
            "x-acs-content-sha256": hashlib.sha256(b"").hexdigest(),
        }
        signed = SimpleNamespace(method="POST", pathname="/", query=q, headers=dict(headers))
        headers["Authorization"] = Utils.get_authorization(
            signed,
            "ACS3-HMAC-SHA256",
            headers["x-acs-content-sha256"],
            "LTAI-emulator",
            "emulator-secret",
        )
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{server.url}/?{urlencode(q)}", headers=headers) as response,
        ):
            return response.status, await response.json(), response.headers

    status, body, headers = await send({"SecurityGroupId": "sg-web"})
    assert status == 200 and body["SecurityGroupId"] == "sg-web"
    assert str(uuid.UUID(body["RequestId"])).upper() == body["RequestId"]
    assert headers["x-acs-request-id"] == body["RequestId"]
    status, body, _ = await send({"SecurityGroupId": "sg-nope"})
    assert status == 404
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert (body["Code"], body["HostId"]) == (
        "InvalidSecurityGroupId.NotFound",
        "ecs.cn-hangzhou.aliyuncs.com",
    )
    assert "q=InvalidSecurityGroupId.NotFound" in body["Recommend"]


def test_server_lifecycle_and_mutate(scenario_path) -> None:
    server = EmulatorServer(scenario_path("ecs-pass"))
    with pytest.raises(RuntimeError):
        _ = server.url
    with server:
        assert server.url == f"http://127.0.0.1:{server.port}" and server.port > 0
        assert server.mutate(lambda w: len(w.ecs_instances)) == 1
        server.mutate(lambda w: w.ecs_instances[0].listening.append(9000))
        assert server.world.ecs_instances[0].listening == [8080, 9000]
        with pytest.raises(OSError):  # the port is taken
            EmulatorServer(scenario_path("ecs-pass"), port=server.port).start()
    server.stop()  # stopping twice is harmless


def test_bad_worlds_fail_at_construction(tmp_path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("region: cn-hangzhou\n")
    with pytest.raises(WorldError, match="credentials: missing"):
        EmulatorServer(path)


async def test_a_region_that_does_not_exist_is_the_real_error(emulator_server, sdk_clients) -> None:
    client = sdk_clients(emulator_server("ecs-pass"), region="xx-nowhere").ecs
    with pytest.raises(ClientException) as info:
        await client.describe_instances_async(ecs.DescribeInstancesRequest(region_id="xx-nowhere"))
    assert info.value.code == "InvalidRegionId.NotFound"
    assert info.value.status_code == 404


async def test_describe_regions_lists_the_worlds_region(emulator_server, sdk_clients) -> None:
    client = sdk_clients(emulator_server("ecs-pass")).ecs
    body = (await client.describe_regions_async(ecs.DescribeRegionsRequest())).body
    listed = {r.region_id for r in body.regions.region}
    assert "cn-hangzhou" in listed and "cn-shanghai" in listed
    assert "xx-nowhere" not in listed


async def test_a_region_the_world_is_not_in_is_empty(emulator_server, sdk_clients) -> None:
    client = sdk_clients(emulator_server("ecs-pass"), region="cn-shanghai").ecs
    body = (
        await client.describe_instances_async(ecs.DescribeInstancesRequest(region_id="cn-shanghai"))
    ).body
    assert body.instances.instance == []
    with pytest.raises(ClientException) as info:
        await client.describe_security_group_attribute_async(
            ecs.DescribeSecurityGroupAttributeRequest(
                region_id="cn-shanghai", security_group_id="sg-web"
            )
        )
    assert info.value.code == "InvalidSecurityGroupId.NotFound"
