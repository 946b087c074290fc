"""`vpc-test watch --once --state FILE` against a standalone emulator whose account changes
between runs: the first run records, a change is one JSON line, no change is silence, and a
state file it cannot read is refused and left as it was."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli_runner import run_cli
from vpctest.cli.sandbox import demo_world_path
from vpctest.emulator import EmulatorServer


@pytest.fixture
def account(emulator_server: Callable[..., EmulatorServer]) -> tuple[EmulatorServer, dict]:
    server = emulator_server(demo_world_path())
    creds = server.world.credentials
    env = {
        "ALIBABA_CLOUD_ENDPOINT": server.url,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": creds.access_key_id,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": creds.access_key_secret,
        "VPCTEST_REGION": server.world.region,
    }
    return server, env


def test_a_removed_rule_is_one_line_then_silence(
    account: tuple[EmulatorServer, dict], tmp_path: Path
) -> None:
    server, env = account
    state = tmp_path / "watch.json"
    first = run_cli("watch", "--once", "--state", str(state), env=env)
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    assert state.exists()

    group = server.world.security_group("sg-orders")
    group.inbound = [r for r in group.inbound if r.policy != "accept"]
    second = run_cli("watch", "--once", "--state", str(state), "orders-backend", env=env)
    assert second.returncode == 1, second.stderr
    [line] = [json.loads(text) for text in second.stdout.splitlines()]
    assert line["vpc_access"]["name"] == "orders-backend"
    assert line["verdict"] == {"before": "pass", "after": "fail"}
    assert line["root_causes"] == {"before": [], "after": ["ecs.security_group"]}
    texts = [c["text"] for c in line["changes"]]
    assert (
        "sg-orders: rule accept TCP 8080/8080 from prefix list pl-apigw was removed "
        "(100.104.13.0/26 no longer admitted)" in texts
    )
    assert {"check", "code", "params", "text"} <= set(line["changes"][0])

    third = run_cli("watch", "--once", "--state", str(state), "orders-backend", env=env)
    assert (third.returncode, third.stdout) == (0, "")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "not JSON"),
        ('{"version": 99, "reports": {}}', "not a vpc-test watch state"),
        ("[]", "not a vpc-test watch state"),
    ],
)
def test_a_state_it_cannot_read_is_refused_and_kept(
    account: tuple[EmulatorServer, dict], tmp_path: Path, content: str, says: str
) -> None:
    server, env = account
    state = tmp_path / "watch.json"
    state.write_text(content)
    server.reset_calls()
    done = run_cli("watch", "--once", "--state", str(state), env=env)
    assert done.returncode == 3
    [line] = done.stderr.splitlines()
    assert line.startswith(f"vpc-test: --state {state}: {says}") and "another file" in line
    assert state.read_text() == content  # nothing lost
    assert sum(server.calls.values()) == 0  # refused before any cloud call
