"""The `vpc-test` command line as a user runs it: real subprocesses, real output, exit codes.

The contract is docs/spec/diagnosis.md: exit 0 every verdict pass, 1 some fail, 2 some
unknown and none fail, 3 bad usage or configuration with one line saying what to change.
Each test runs `python -m cli` (see tests/cli_runner.py), mostly against `--sandbox`
worlds; one points the default credential chain and ALIBABA_CLOUD_ENDPOINT at a
standalone emulator. One subprocess serves several assertions where it can.
"""

from __future__ import annotations

import copy
import json
import re
import select
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from tests.cli_runner import COMMAND, ROOT, cli_env, run_cli
from vpctest.cli import _normalise
from vpctest.cli.sandbox import demo_world_path

SCENARIOS = Path(__file__).parent / "scenarios"
ECS_PASS = SCENARIOS / "ecs-pass.yaml"
DEMO = demo_world_path()

# The table of docs/spec/diagnosis.md, in its order.
CHECK_IDS = [
    "connectivity",
    "gateway.acl",
    "authorization.target",
    "authorization.vpc",
    "authorization.port",
    "ecs.security_group",
    "clb.acl",
    "clb.backend_security_group",
    "ecs.status",
    "clb.listener",
    "clb.health",
    "backend.port",
]
ANSI = "\x1b["


# --- helpers --------------------------------------------------------------------------------


def world_copy(tmp_path: Path, change: Callable[[dict[str, Any]], None], base: Path = ECS_PASS):
    """A copy of a world file with `change` applied to its mapping."""
    data = copy.deepcopy(yaml.safe_load(base.read_text()))
    change(data)
    path = tmp_path / f"world-{len(list(tmp_path.iterdir()))}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def usage_error(done: subprocess.CompletedProcess[str]) -> str:
    """Assert exit 3 with exactly one line on stderr, nothing on stdout; return the line."""
    assert done.returncode == 3, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stdout == "", done.stdout
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def checks_of(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in report["checks"]}


def single_json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)


# --- bad usage and configuration: exit 3, one line ----------------------------------------


def test_unknown_authorization_suggests_close_names() -> None:
    line = usage_error(run_cli("check", "--sandbox", "orders-backnd"))
    assert "'orders-backnd'" in line
    assert "did you mean" in line and "orders-backend" in line


def test_neither_name_nor_all_says_what_to_pass() -> None:
    line = usage_error(run_cli("check", "--sandbox"))
    assert "--all" in line and "name" in line


def test_argparse_errors_exit_3_not_2() -> None:
    """argparse's own exit status 2 would read as `unknown`."""
    line = usage_error(run_cli("check", "--sandbox", "--bogus", "va-orders"))
    assert "--bogus" in line


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            lambda w: w["ecs_instances"][0].update(listenning=[8080]),
            ("ecs_instances[0].listenning", "unknown key"),
            id="unknown-key",
        ),
        pytest.param(
            lambda w: w["vpc_accesses"][0].update(port="eighty"),
            ("vpc_accesses[0].port", "whole number"),
            id="wrong-type",
        ),
        pytest.param(
            lambda w: w["ecs_instances"][0].update(security_groups=["sg-nope"]),
            ("ecs_instances[0].security_groups[0]", "sg-nope"),
            id="dangling-reference",
        ),
    ],
)
def test_malformed_world_names_the_key_and_its_path(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], expected: tuple[str, ...]
) -> None:
    world = world_copy(tmp_path, change)
    line = usage_error(run_cli("check", "--sandbox", str(world), "va-orders"))
    assert str(world) in line
    assert line.count(str(world)) == 1, line  # the file is named once, not twice
    for part in expected:
        assert part in line


def test_world_file_that_is_not_utf8(tmp_path: Path) -> None:
    world = tmp_path / "latin1.yaml"
    world.write_bytes("region: h\xe4ngzhou\n".encode("latin-1"))
    done = run_cli("check", "--all", "--sandbox", str(world))
    assert done.returncode == 3
    assert "not UTF-8" in done.stderr and "Traceback" not in done.stderr


def test_sandbox_world_file_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    line = usage_error(run_cli("check", "--sandbox", str(missing), "va-orders"))
    assert str(missing) in line and "no such world file" in line
    # A path without the .yaml suffix is still taken as the world, not as the name.
    unsuffixed = tmp_path / "missing-world"
    line = usage_error(run_cli("check", "--sandbox", str(unsuffixed), "va-orders"))
    assert str(unsuffixed) in line and "no such world file" in line


def test_no_credentials_names_where_they_are_read(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    line = usage_error(run_cli("check", "va-orders", env={"HOME": str(home)}))
    assert "no Alibaba Cloud credentials" in line
    for source in (
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        "credentials.ini",
        "ALIBABA_CLOUD_CREDENTIALS_FILE",
        "RAM role",
    ):
        assert source in line


def test_no_credentials_is_the_one_line_even_when_the_chain_logs_tracebacks(
    tmp_path: Path,
) -> None:
    """With the ECS metadata provider on, the credential chain logs each failure with its
    traceback (about 60 lines); only the line that says what to set is shown, -v shows more."""
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "false"}
    done = run_cli("check", "va-orders", env=env)
    assert done.returncode == 3, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) <= 3, done.stderr
    assert lines[-1].startswith("vpc-test: no Alibaba Cloud credentials found; set ")
    verbose = run_cli("check", "va-orders", "-v", env=env)
    assert verbose.returncode == 3
    assert len(verbose.stderr.splitlines()) > 3, verbose.stderr


@pytest.mark.parametrize("region", ["xx-nowhere", "cn-hangzhou2"])
def test_a_region_that_does_not_exist_is_refused_up_front(region: str) -> None:
    line = usage_error(run_cli("check", "--sandbox", "--all", "--region", region))
    assert f"region {region!r} does not exist" in line
    assert "cn-hangzhou" in line and "--region" in line


def test_endpoint_that_is_not_a_url() -> None:
    env = {
        "ALIBABA_CLOUD_ENDPOINT": "not-a-url",
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-emulator",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "emulator-secret",
    }
    line = usage_error(run_cli("check", "va-orders", env=env))
    assert "ALIBABA_CLOUD_ENDPOINT" in line and "not-a-url" in line


# --- gateways -------------------------------------------------------------------------------


def test_unknown_gateway_id() -> None:
    line = usage_error(
        run_cli("check", "--sandbox", str(ECS_PASS), "--gateway", "apigateway-nope", "va-orders")
    )
    assert "apigateway-nope" in line


def test_two_gateways_need_gateway_and_work_with_it(tmp_path: Path) -> None:
    second = {
        "id": "apigateway-hz-second",
        "name": "second",
        "type": "VPC_SHARED",
        "vpc_egress_address": "100.104.14.0/26",
    }
    world = world_copy(tmp_path, lambda w: w["gateways"].append(second))
    line = usage_error(run_cli("check", "--sandbox", str(world), "va-orders"))
    assert "--gateway" in line
    assert "apigateway-hz-1a2b3c" in line and "apigateway-hz-second" in line

    done = run_cli(
        "check", "--sandbox", str(world), "--gateway", "apigateway-hz-1a2b3c", "--json", "va-orders"
    )
    report = single_json(done)
    assert report["gateway"]["id"] == "apigateway-hz-1a2b3c"
    assert report["verdict"] == "pass"
    assert done.returncode == 0


# --- the default credential chain and ALIBABA_CLOUD_ENDPOINT ---------------------------------


def test_standalone_emulator_through_env_credentials_and_endpoint(emulator_server) -> None:
    server = emulator_server(DEMO)
    creds = server.world.credentials
    env = {
        "ALIBABA_CLOUD_ENDPOINT": server.url,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": creds.access_key_id,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": creds.access_key_secret,
        "VPCTEST_REGION": server.world.region,
    }
    done = run_cli("check", "--json", "va-orders", env=env)
    report = single_json(done)
    assert done.returncode == 0, done.stderr
    assert report["vpc_access"]["id"] == "va-orders"
    assert report["verdict"] == "pass"
    assert server.calls["ValidateVpcConnectivity"] >= 1  # it really asked this server

    server.reset_calls()
    wrong = run_cli("check", "va-orders", env={**env, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "wrong"})
    assert "Traceback" not in wrong.stderr, wrong.stderr
    assert wrong.stdout == ""
    lines = wrong.stderr.splitlines()
    assert len(lines) == 1, wrong.stderr  # the server's message holds a newline
    assert "SignatureDoesNotMatch" in lines[0]
    assert "AccessKey" in lines[0]
    assert wrong.returncode == 3  # a rejected key is configuration, not an unknown verdict
    assert server.calls["ValidateVpcConnectivity"] == 0


# --- reports and exit statuses ---------------------------------------------------------------


def test_all_json_on_the_demo_world_then_as_text() -> None:
    world = yaml.safe_load(DEMO.read_text())
    done = run_cli("check", "--sandbox", "--all", "--json")
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stdout.splitlines()
    reports = [json.loads(line) for line in lines]  # JSON Lines: one object per line
    assert [r["vpc_access"]["id"] for r in reports] == [a["id"] for a in world["vpc_accesses"]]
    for report in reports:
        assert [c["id"] for c in report["checks"]] == CHECK_IDS
        assert report["verdict"] in ("pass", "fail", "unknown")
        assert isinstance(report["elapsed_ms"], int) and report["elapsed_ms"] >= 0
        assert report["apis"] is None or isinstance(report["apis"], list)
        statuses = checks_of(report)
        if report["verdict"] == "pass":
            assert report["root_causes"] == []
        if report["verdict"] == "fail":
            assert report["root_causes"]
            for cause in report["root_causes"]:
                assert statuses[cause]["status"] == "fail"
    verdicts = [r["verdict"] for r in reports]
    assert "fail" in verdicts and "pass" in verdicts
    assert done.returncode == 1

    text = run_cli("check", "--sandbox", "--all")
    assert text.returncode == 1, text.stderr
    out = text.stdout
    assert ANSI not in out  # not a terminal
    tally = out.rstrip("\n").splitlines()[-1]
    counts = {v: verdicts.count(v) for v in ("pass", "fail", "unknown") if verdicts.count(v)}
    assert tally == f"{len(reports)} authorizations: " + ", ".join(
        f"{n} {v}" for v, n in counts.items()
    )
    headers = [line for line in out.splitlines() if re.match(r"^\S+ (PASS|FAIL|UNKNOWN) ", line)]
    assert len(headers) == len(reports)
    for report, header in zip(reports, headers, strict=True):
        assert f"({report['vpc_access']['id']})" in header
        assert report["verdict"].upper() in header
    assert out.count("  Root cause: ") == verdicts.count("fail")


def test_single_passing_authorization_as_text() -> None:
    done = run_cli("check", "--sandbox", str(ECS_PASS), "orders-backend")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith("✓ PASS  orders-backend (va-orders)")
    assert "Root cause" not in done.stdout and ANSI not in done.stdout


def test_all_unknown_names_the_ram_actions(tmp_path: Path) -> None:
    faults = {
        "actions": {
            "ValidateVpcConnectivity": {"deny": True},
            "DescribeSecurityGroupAttribute": {"deny": True},
        }
    }
    world = world_copy(tmp_path, lambda w: w.update(faults=faults))
    done = run_cli("check", "--sandbox", str(world), "--json", "va-orders")
    report = single_json(done)
    checks = checks_of(report)
    assert report["verdict"] == "unknown"
    assert checks["connectivity"]["status"] == "unknown"
    assert "apigateway:ValidateVpcConnectivity" in checks["connectivity"]["summary"]
    assert checks["ecs.security_group"]["status"] == "unknown"
    assert "ecs:DescribeSecurityGroupAttribute" in checks["ecs.security_group"]["summary"]
    assert not [c for c in report["checks"] if c["status"] == "fail"]
    assert done.returncode == 2


# --- --probe ----------------------------------------------------------------------------------


def test_normalise_probe_and_sandbox_values() -> None:
    assert _normalise(["check", "--probe", "va-orders"]) == ["check", "--probe=", "va-orders"]
    assert _normalise(["check", "--probe=i-x", "va"]) == ["check", "--probe=i-x", "va"]
    assert _normalise(["check", "--sandbox", "va-orders"]) == ["check", "--sandbox=", "va-orders"]
    assert _normalise(["check", "--sandbox"]) == ["check", "--sandbox="]
    assert _normalise(["check", "--sandbox", "w.yml", "va"]) == ["check", "--sandbox=w.yml", "va"]
    assert _normalise(["check", "--sandbox", "d/w", "va"]) == ["check", "--sandbox=d/w", "va"]


def test_bare_probe_before_the_name_passes_backend_port() -> None:
    done = run_cli("check", "--probe", "--sandbox", str(ECS_PASS), "va-orders", "--json")
    report = single_json(done)
    checks = checks_of(report)
    assert report["vpc_access"]["id"] == "va-orders"
    assert checks["backend.port"]["status"] == "pass"
    assert checks["backend.port"]["evidence"]["from"] == "i-orders"
    assert checks["authorization.port"]["status"] == "pass"
    assert "(probe)" in checks["authorization.port"]["summary"]
    assert done.returncode == 0


def test_probe_from_another_instance(tmp_path: Path) -> None:
    peer = {
        "id": "i-peer",
        "vpc_id": "vpc-main",
        "private_ip": "192.168.1.11",
        "security_groups": ["sg-web"],  # a normal group admits its own members
    }
    world = world_copy(tmp_path, lambda w: w["ecs_instances"].append(peer))
    done = run_cli("check", "--sandbox", str(world), "--probe=i-peer", "--json", "va-orders")
    report = single_json(done)
    probe = checks_of(report)["backend.port"]
    assert probe["status"] == "pass", probe
    assert probe["evidence"]["from"] == "i-peer"
    assert probe["evidence"]["to"] == "192.168.1.10:8080"
    assert done.returncode == 0


def test_probe_where_nothing_listens_fails_both_port_checks(tmp_path: Path) -> None:
    world = world_copy(tmp_path, lambda w: w["ecs_instances"][0].update(listening=[]))
    done = run_cli("check", "--probe", "--sandbox", str(world), "va-orders", "--json")
    report = single_json(done)
    checks = checks_of(report)
    assert report["verdict"] == "fail"
    assert done.returncode == 1
    assert checks["backend.port"]["status"] == "fail", checks["backend.port"]
    assert checks["authorization.port"]["status"] == "fail", checks["authorization.port"]


def test_probe_without_cloud_assistant_is_unknown_never_fail(tmp_path: Path) -> None:
    world = world_copy(tmp_path, lambda w: w["ecs_instances"][0].update(cloud_assistant=False))
    done = run_cli("check", "--probe", "--sandbox", str(world), "va-orders", "--json")
    report = single_json(done)
    checks = checks_of(report)
    assert checks["backend.port"]["status"] == "unknown", checks["backend.port"]
    assert checks["authorization.port"]["status"] == "pass"
    assert report["verdict"] == "pass"
    assert done.returncode == 0


# --- vpc-test emulator ------------------------------------------------------------------------


def test_emulator_command_prints_its_url_and_stops_on_sigterm() -> None:
    proc = subprocess.Popen(
        [*COMMAND, "emulator", "--world", str(ECS_PASS), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=cli_env(),
    )
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 20)
        assert ready, "the emulator printed nothing in 20 s"
        first = proc.stdout.readline()
        match = re.search(r" at (http://127\.0\.0\.1:(\d+)) ", first)
        assert match, first
        url = urlparse(match.group(1))
        assert url.port and url.port != 0
        socket.create_connection((url.hostname, url.port), timeout=5).close()
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr


def test_emulator_command_with_malformed_world(tmp_path: Path) -> None:
    world = world_copy(tmp_path, lambda w: w.update(colour="blue"))
    line = usage_error(run_cli("emulator", "--world", str(world), "--port", "0"))
    assert str(world) in line and "colour" in line


def test_the_demo_world_shows_each_failure_its_header_promises() -> None:
    """The playground and `dev.py demo` walk people through these: one cause per authorization."""
    done = run_cli("check", "--sandbox", "--all", "--json")
    causes = {
        r["vpc_access"]["id"]: r["root_causes"] for r in map(json.loads, done.stdout.splitlines())
    }
    assert causes == {
        "va-orders": [],
        "va-orders-ip": [],
        "va-billing": ["ecs.security_group"],  # no rule for the gateway
        "va-admin": ["ecs.security_group"],  # a drop at a better priority
        "va-batch": ["ecs.status"],  # stopped
        "va-inventory": ["authorization.vpc"],  # the wrong VPC
        "va-shop": ["clb.acl"],  # the whitelist misses the egress
        "va-legacy": ["clb.listener"],  # the listener is stopped
        "va-report": ["clb.backend_security_group"],  # the backend's group
        "va-web": [],
        "va-checkout": [],  # vServer group: one backend admits, the ENI's group does not (warn)
    }


def test_evidence_rows_show_the_server_group_and_its_backends() -> None:
    """Under a failing check its evidence rows; `--evidence` shows them under every check."""
    world = str(SCENARIOS / "e2e-eni-backend.yaml")
    done = run_cli("check", "--sandbox", world, "shop-lb")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    failing = next(i for i, line in enumerate(lines) if "✗ clb.backend_security_group" in line)
    column = lines[failing].index("0 of 1 backend")  # the rows line up under the summary
    rows = lines[failing + 1 : failing + 4]
    assert [row[:column].strip() for row in rows] == ["", "", ""]
    assert [row[column:] for row in rows] == [
        "vServer group rsp-shop (shop-v2)",
        "eni-shop-2:8080 — security groups sg-eni",
        "  ✗ 100.104.13.0/26 matched by no rule",
    ]
    health = next(line for line in lines if "✓ clb.health" in line)
    assert lines[lines.index(health) + 1].lstrip().startswith("– backend.port")  # passing: one line
    assert "{" not in done.stdout

    verbose = run_cli("check", "--sandbox", world, "shop-lb", "--evidence").stdout.splitlines()
    health = next(i for i, line in enumerate(verbose) if "✓ clb.health" in line)
    assert [row.strip() for row in verbose[health + 1 : health + 3]] == [
        "vServer group rsp-shop (shop-v2)",
        "eni-shop-2:8080 (ENI)  192.168.1.20  weight 100  normal  receives traffic",
    ]
    assert "✓ entry 100.104.13.0/26 (api gateway) admits" in "\n".join(verbose)


@pytest.mark.parametrize("form", [(), ("--json",)])
def test_a_reader_that_leaves_early_ends_it_quietly(form: tuple[str, ...]) -> None:
    """`vpc-test check --all | head -1`: no BrokenPipeError traceback, the SIGPIPE status.
    The reader leaves before the first line, so every write finds the pipe closed."""
    proc = subprocess.Popen(
        [*COMMAND, "check", "--all", "--sandbox", *form],
        cwd=ROOT,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    rc = proc.wait(timeout=120)
    stderr = proc.stderr.read()
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
    assert rc == 141


def test_serve_with_a_log_format_it_does_not_know_exits_3_with_one_line() -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "VPCTEST_LOG_FORMAT": "xml"}
    result = run_cli("serve", "--sandbox", env=env)
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        "vpc-test: VPCTEST_LOG_FORMAT='xml': use one of json, text"
    ]
