"""ACS3-HMAC-SHA256 verification, against the SDK's own signer and over the wire."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest
from alibabacloud_ecs20140526 import models as ecs
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.utils import Utils

from vpctest.emulator.errors import ApiError
from vpctest.emulator.signing import SignedRequest, verify

SECRETS = {"ak": "sk"}
QUERY = {
    "Action": "DescribeInstances",
    "RegionId": "cn-hangzhou",
    "Description": "a b+c/d~e*f 中文 & = ?",
    "Empty": "",
    "Permissions.1.PortRange": "8080/8080",
}


def sdk_signed(query: dict[str, str], body: bytes = b"", secret: str = "sk") -> SignedRequest:
    """A request signed by the SDK's get_authorization, as the server would receive it."""
    headers = {
        "host": "127.0.0.1:8080",
        "x-acs-version": "2014-05-26",
        "x-acs-action": "DescribeInstances",
        "user-agent": "AlibabaCloud test",
        "x-acs-date": "2024-05-01T08:00:00Z",
        "x-acs-signature-nonce": "nonce-1",
        "accept": "application/json",
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
    }
    request = SimpleNamespace(method="POST", pathname="/", query=dict(query), headers=dict(headers))
    headers["authorization"] = Utils.get_authorization(
        request, "ACS3-HMAC-SHA256", headers["x-acs-content-sha256"], "ak", secret
    )
    return SignedRequest("POST", "/", query, {k: [v] for k, v in headers.items()}, body)


def code_of(request: SignedRequest) -> tuple[int, str, str]:
    with pytest.raises(ApiError) as info:
        verify(request, SECRETS)
    return info.value.status, info.value.code, info.value.message


def test_a_request_signed_by_the_sdk_verifies() -> None:
    assert verify(sdk_signed(QUERY), SECRETS) == "ak"
    assert verify(sdk_signed(QUERY, b"Tag.1.Key=x%20y"), SECRETS) == "ak"


def test_a_wrong_secret_does_not_match_and_shows_the_string_to_sign() -> None:
    status, code, message = code_of(sdk_signed(QUERY, secret="other"))
    assert (status, code) == (400, "SignatureDoesNotMatch")
    assert "server string to sign is:ACS3-HMAC-SHA256\n" in message


def test_tampering_is_caught() -> None:
    request = sdk_signed(QUERY)
    changed = SignedRequest("POST", "/", {**QUERY, "RegionId": "cn-shanghai"}, request.headers, b"")
    assert code_of(changed)[1] == "SignatureDoesNotMatch"
    headers = {**request.headers, "x-acs-action": ["RunCommand"]}
    assert code_of(SignedRequest("POST", "/", QUERY, headers, b""))[1] == "SignatureDoesNotMatch"
    body = SignedRequest("POST", "/", QUERY, request.headers, b"extra")
    assert "x-acs-content-sha256" in code_of(body)[2]


def test_unknown_keys_and_missing_signatures() -> None:
    request = sdk_signed(QUERY)
    headers = dict(request.headers)
    headers["authorization"] = [
        headers["authorization"][0].replace("Credential=ak", "Credential=zz")
    ]
    assert code_of(SignedRequest("POST", "/", QUERY, headers, b""))[:2] == (
        404,
        "InvalidAccessKeyId.NotFound",
    )
    del headers["authorization"]
    assert code_of(SignedRequest("POST", "/", QUERY, headers, b""))[1] == "IncompleteSignature"
    headers["authorization"] = ["ACS3-HMAC-SM3 Credential=ak,SignedHeaders=host,Signature=00"]
    assert code_of(SignedRequest("POST", "/", QUERY, headers, b""))[1] == "IncompleteSignature"


async def test_odd_characters_survive_the_wire(emulator_server, sdk_clients) -> None:
    """Spaces travel as '+' and must be re-encoded as %20 for the signature to match."""
    server = emulator_server("ecs-pass")
    c = sdk_clients(server)
    request = ecs.AuthorizeSecurityGroupRequest(
        region_id=c.region,
        security_group_id="sg-web",
        permissions=[
            ecs.AuthorizeSecurityGroupRequestPermissions(
                ip_protocol="TCP",
                port_range="9000/9000",
                source_cidr_ip="10.1.0.0/16",
                description="a b+c/d~e*f 中文 & = ?",
            )
        ],
    )
    await c.ecs.authorize_security_group_async(request)
    assert server.world.security_groups[0].inbound[-1].description == "a b+c/d~e*f 中文 & = ?"


async def test_wrong_secret_and_unknown_key_over_the_wire(emulator_server, sdk_clients) -> None:
    server = emulator_server("ecs-pass")
    request = ecs.DescribeInstancesRequest(region_id="cn-hangzhou")
    with pytest.raises(ClientException) as info:
        await sdk_clients(server, access_key_secret="wrong").ecs.describe_instances_async(request)
    assert (info.value.code, info.value.status_code) == ("SignatureDoesNotMatch", 400)
    assert "server string to sign is" in info.value.message
    with pytest.raises(ClientException) as info:
        await sdk_clients(server, access_key_id="LTAI-nobody").ecs.describe_instances_async(request)
    assert (info.value.code, info.value.status_code) == ("InvalidAccessKeyId.NotFound", 404)
    assert info.value.request_id and info.value.data["HostId"] == "ecs.cn-hangzhou.aliyuncs.com"
    assert server.calls == {}  # unauthenticated requests reach no action
