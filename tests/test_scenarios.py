"""Every world in tests/scenarios gives its expected result through the real CLI.

Each runs as `python -m cli check --all --json --sandbox WORLD` in a subprocess: the
emulator serves the world in-process and the real SDK clients talk to it over loopback.
The same worlds are run again with 30% of every action's calls throttled.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.cli_runner import run_cli

SCENARIOS = Path(__file__).parent / "scenarios"
WORLDS = sorted(SCENARIOS.glob("*.yaml"))

# Every action the diagnosis may call, for fault injection across the board.
DIAGNOSIS_ACTIONS = (
    "DescribeInstances",
    "DescribeVpcAccesses",
    "ValidateVpcConnectivity",
    "DescribeApisByVpcAccess",
    "DescribeAccessControlListAttribute",
    "DescribeInstancesFullStatus",
    "DescribeSecurityGroupAttribute",
    "DescribePrefixListAttributes",
    "DescribeLoadBalancers",
    "DescribeLoadBalancerAttribute",
    "DescribeLoadBalancerListeners",
    "DescribeHealthStatus",
)


def diagnose(world: Path) -> tuple[int, list[dict]]:
    done = run_cli("check", "--all", "--json", "--sandbox", str(world))
    assert done.returncode in (0, 1, 2), done.stderr
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()]


def assert_expected(report: dict, expect: dict) -> None:
    checks = {c["id"]: c for c in report["checks"]}
    assert report["verdict"] == expect["verdict"], report
    assert report["root_causes"] == expect["root_causes"], report
    for check_id, status in expect.get("checks", {}).items():
        assert checks[check_id]["status"] == status, (check_id, checks[check_id])
    if "fix" not in expect:
        return
    fixes = {c["id"]: c["fix"] for c in report["checks"] if "fix" in c}
    if expect["fix"] is None:
        assert fixes == {}, fixes
        return
    wanted = dict(expect["fix"])
    carrier = wanted.pop("check")
    below = wanted.pop("priority_below", None)
    assert carrier in fixes, (carrier, fixes)
    fix = fixes[carrier]
    for key, value in wanted.items():
        assert fix[key] == value, (key, fix)
    if below is not None:
        assert fix["priority"] < below, fix
    assert "0.0.0.0/0" not in json.dumps(fix)


@pytest.mark.parametrize("world", WORLDS, ids=lambda p: p.stem)
def test_scenario(world: Path) -> None:
    expect = json.loads(world.with_suffix(".expect.json").read_text())
    status, reports = diagnose(world)
    assert len(reports) == 1
    assert_expected(reports[0], expect)
    assert status == {"pass": 0, "fail": 1, "unknown": 2}[expect["verdict"]]


@pytest.mark.parametrize("world", WORLDS, ids=lambda p: p.stem)
def test_scenario_with_30_percent_throttling(world: Path, tmp_path: Path) -> None:
    data = yaml.safe_load(world.read_text())
    data["faults"] = {
        "seed": 7,
        "actions": {action: {"throttle_ratio": 0.3} for action in DIAGNOSIS_ACTIONS},
    }
    throttled = tmp_path / world.name
    throttled.write_text(yaml.safe_dump(data))
    _, reports = diagnose(throttled)
    assert_expected(reports[0], json.loads(world.with_suffix(".expect.json").read_text()))


def test_denied_action_makes_dependent_checks_unknown_and_names_the_permission(
    tmp_path: Path,
) -> None:
    data = yaml.safe_load((SCENARIOS / "ecs-pass.yaml").read_text())
    data["faults"] = {"actions": {"DescribeSecurityGroupAttribute": {"deny": True}}}
    world = tmp_path / "denied.yaml"
    world.write_text(yaml.safe_dump(data))
    status, [report] = diagnose(world)
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["ecs.security_group"]["status"] == "unknown"
    assert "ecs:DescribeSecurityGroupAttribute" in checks["ecs.security_group"]["summary"]
    assert checks["ecs.status"]["status"] == "pass"
    assert report["verdict"] == "pass"  # connectivity passed and nothing failed
    assert status == 0
