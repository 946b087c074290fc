"""`vpc-test emulator`: emulator.cli.main."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from alibabacloud_ecs20140526 import models as ecs
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_tea_openapi import utils_models as open_api

from vpctest.emulator.cli import main

ROOT = Path(__file__).parents[2]


def test_a_bad_world_prints_one_line_and_exits_3(tmp_path, capsys) -> None:
    world = tmp_path / "bad.yaml"
    world.write_text(
        "region: cn-hangzhou\ncredentials: {access_key_id: a, access_key_secret: b}\nvpcz: []\n"
    )
    assert main(["--world", str(world)]) == 3
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "vpcz: unknown key (expected one of: region, credentials" in err
    assert main(["--world", str(tmp_path / "missing.yaml")]) == 3


def test_a_taken_port_exits_3(emulator_server, scenario_path, capsys) -> None:
    taken = emulator_server("ecs-pass").port
    assert main(["--world", str(scenario_path("ecs-pass")), "--port", str(taken)]) == 3
    assert f"cannot listen on 127.0.0.1:{taken}" in capsys.readouterr().err


def test_usage_errors_exit_3(capsys) -> None:
    assert main(["--port", "many"]) == 3
    assert main(["--help"]) == 0
    assert "--world" in capsys.readouterr().out


@pytest.mark.parametrize("port", ["70000", "-1", "65536"])
def test_a_port_out_of_range_exits_3_with_one_line(port, capsys) -> None:
    assert main(["--port", port]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"--port {port}" in err and "Traceback" not in err


def test_a_bad_port_through_the_command_is_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vpctest.cli", "emulator", "--port", "70000"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 3
    assert done.stderr.splitlines() == [
        "vpc-test emulator: --port 70000: give a TCP port (1–65535), or 0 for any free one"
    ]


async def test_serves_until_interrupted(scenario_path, monkeypatch) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vpctest.emulator",
            "--world",
            str(scenario_path("ecs-pass")),
            "--port",
            "0",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        lines = [process.stdout.readline().strip() for _ in range(5)]
        assert lines[0].startswith("Serving ") and "http://127.0.0.1:" in lines[0]
        env = dict(line.removeprefix("export ").split("=", 1) for line in lines[1:])
        assert env["ALIBABA_CLOUD_ACCESS_KEY_ID"] == "LTAI-emulator"
        assert env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] == "emulator-secret"
        assert env["VPCTEST_REGION"] == "cn-hangzhou"
        client = EcsClient(
            open_api.Config(
                access_key_id=env["ALIBABA_CLOUD_ACCESS_KEY_ID"],
                access_key_secret=env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
                endpoint=env["ALIBABA_CLOUD_ENDPOINT"].removeprefix("http://"),
                protocol="http",
            )
        )
        body = (
            await client.describe_instances_async(
                ecs.DescribeInstancesRequest(region_id="cn-hangzhou")
            )
        ).body
        assert body.total_count == 1
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_sigterm_stops_it(scenario_path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vpctest.emulator",
            "--world",
            str(scenario_path("ecs-pass")),
            "--port",
            "0",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().startswith("Serving ")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
