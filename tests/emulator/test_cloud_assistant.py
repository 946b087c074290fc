"""Cloud Assistant probes: RunCommand then DescribeInvocationResults, through the real SDK."""

from __future__ import annotations

import base64
import shlex

import pytest
from alibabacloud_ecs20140526 import models as ecs
from alibabacloud_tea_openapi.exceptions import ClientException

from vpctest.emulator.cli import DEMO_WORLD

REGION = "cn-hangzhou"


def probe_script(ip: str, port: int) -> str:
    """The form a probe takes: a bash /dev/tcp connect under `timeout`."""
    target = shlex.quote(f"</dev/tcp/{ip}/{port}")
    return (
        f"if timeout 5 bash -c {target}; "
        f"then echo 'open {ip}:{port}'; else echo 'closed {ip}:{port}'; exit 1; fi"
    )


@pytest.fixture
def client(emulator_server, sdk_clients):
    return sdk_clients(emulator_server(DEMO_WORLD)).ecs


async def run(client, instance_ids: list[str], script: str, **kw) -> str:
    request = ecs.RunCommandRequest(
        region_id=REGION,
        type=kw.pop("type", "RunShellScript"),
        command_content=script,
        instance_id=instance_ids,
        timeout=10,
        name="vpc-test-probe",
        **kw,
    )
    body = (await client.run_command_async(request)).body
    assert body.command_id.startswith("c-") and body.invoke_id.startswith("t-")
    return body.invoke_id


async def results(client, invoke_id: str, **kw) -> list:
    request = ecs.DescribeInvocationResultsRequest(region_id=REGION, invoke_id=invoke_id, **kw)
    body = (await client.describe_invocation_results_async(request)).body
    return body.invocation.invocation_results.invocation_result


@pytest.mark.parametrize(
    ("instance", "ip", "port", "status", "exit_code", "output"),
    [
        ("i-orders", "127.0.0.1", 8080, "Success", 0, ""),
        ("i-orders", "192.168.1.10", 8080, "Success", 0, ""),
        ("i-orders", "192.168.1.10", 9999, "Failed", 1, "Connection refused"),
        ("i-shop-1", "192.168.1.22", 8080, "Success", 0, ""),  # sg-shop admits the VPC
        ("i-shop-1", "192.168.1.22", 9000, "Failed", 1, "Connection refused"),  # same group
        ("i-orders", "192.168.1.11", 8080, "Failed", 124, "Connection timed out"),  # office only
        ("i-orders", "192.168.1.13", 8080, "Failed", 124, "Connection timed out"),  # stopped
        ("i-orders", "10.9.9.9", 80, "Failed", 124, "Connection timed out"),  # nobody
        ("i-shop-1", "192.168.1.103", 443, "Failed", 124, "timed out"),  # CLB whitelist
    ],
)
async def test_probe_outcomes(client, instance, ip, port, status, exit_code, output) -> None:
    invoke_id = await run(client, [instance], probe_script(ip, port), content_encoding="PlainText")
    [result] = await results(client, invoke_id)
    assert (result.instance_id, result.invoke_id, result.invoke_record_status) == (
        instance,
        invoke_id,
        "Finished",
    )
    assert (result.invocation_status, result.exit_code) == (status, exit_code)
    text = base64.b64decode(result.output).decode()
    assert output in text
    assert result.error_code == ("" if status == "Success" else "ExitCodeNonzero")


async def test_base64_command_and_plain_text_output(client) -> None:
    script = base64.b64encode(b"bash -c '</dev/tcp/127.0.0.1/22'").decode()
    invoke_id = await run(client, ["i-orders"], script, content_encoding="Base64")
    [result] = await results(client, invoke_id, content_encoding="PlainText")
    assert result.invocation_status == "Failed" and result.exit_code == 1
    assert result.output.startswith("bash: connect: Connection refused")


async def test_several_instances_and_lookups(client) -> None:
    invoke_id = await run(client, ["i-orders", "i-shop-1"], "echo hello")
    rows = await results(client, invoke_id)
    assert sorted(r.instance_id for r in rows) == ["i-orders", "i-shop-1"]
    assert {r.invocation_status for r in rows} == {"Success"}
    one = await results(client, invoke_id, instance_id="i-shop-1")
    assert [r.instance_id for r in one] == ["i-shop-1"]
    assert await results(client, "t-nope") == []


async def test_an_instance_without_cloud_assistant_aborts(client) -> None:
    invoke_id = await run(client, ["i-report"], probe_script("127.0.0.1", 8080))
    [result] = await results(client, invoke_id)
    assert (result.invocation_status, result.error_code) == ("Aborted", "ClientNotRunning")
    assert result.exit_code is None


@pytest.mark.parametrize(
    ("instance", "status", "code"),
    [("i-batch", 400, "InvalidInstance.NotRunning"), ("i-nope", 404, "InvalidInstanceId.NotFound")],
)
async def test_run_command_refuses_unusable_instances(client, instance, status, code) -> None:
    with pytest.raises(ClientException) as info:
        await run(client, [instance], "true")
    assert (info.value.status_code, info.value.code) == (status, code)


async def test_run_command_parameters(client) -> None:
    with pytest.raises(ClientException) as info:
        await run(client, ["i-orders"], "true", type="RunPythonScript")
    assert info.value.code == "InvalidCmdType.NotFound"
    with pytest.raises(ClientException) as info:
        await run(client, ["i-orders"], "not base64!", content_encoding="Base64")
    assert info.value.code == "InvalidParameter"
    with pytest.raises(ClientException) as info:
        await run(client, [], "true")
    assert info.value.code == "MissingParameter"
    invoke_id = await run(client, ["i-orders"], "dir", type="RunBatScript")
    [result] = await results(client, invoke_id)
    assert (result.invocation_status, result.error_code) == ("Invalid", "CommandNotApplicable")
