"""What a watch says changed: two diagnoses of the demo world, before and after a change
in the emulated account, compared through the reports' JSON form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.engine_helpers import clients_for, diagnose_all
from vpctest.cli.sandbox import demo_world_path
from vpctest.diagnostics.changes import compare
from vpctest.emulator import EmulatorServer, World
from vpctest.emulator.world import AclEntry, load_world


async def reports(server: EmulatorServer) -> dict[str, dict[str, Any]]:
    return {name: r.to_json() for name, r in (await diagnose_all(clients_for(server))).items()}


def remove_accept_rules(world: World) -> None:
    group = world.security_group("sg-orders")
    group.inbound = [r for r in group.inbound if r.policy != "accept"]


def stop_listener(world: World) -> None:
    world.clb("lb-web").listeners[0].status = "stopped"


def admit_shop(world: World) -> None:
    world.clb_acl("acl-shop").entries.append(AclEntry(cidr="100.104.13.0/26"))


def start_batch(world: World) -> None:
    world.ecs("i-batch").status = "Running"


@pytest.mark.parametrize(
    ("change", "name", "verdicts", "said"),
    [
        (
            remove_accept_rules,
            "orders-backend",
            ("pass", "fail"),
            [
                "the connectivity test no longer connects",
                "sg-orders: rule accept TCP 8080/8080 from prefix list pl-apigw was removed "
                "(100.104.13.0/26 no longer admitted)",
            ],
        ),
        (
            remove_accept_rules,  # the same group, behind a CLB's backend
            "checkout-lb",
            ("pass", "fail"),
            [
                "the connectivity test no longer connects",
                "sg-orders: rule accept TCP 8080/8080 from prefix list pl-apigw was removed "
                "(100.104.13.0/26 no longer admitted)",
            ],
        ),
        (
            stop_listener,
            "web-lb",
            ("pass", "fail"),
            ["the connectivity test no longer connects", "lb-web listener 443/https stopped"],
        ),
        (
            admit_shop,
            "shop-lb",
            ("fail", "pass"),
            ["the connectivity test connects again", "acl-shop now admits 100.104.13.0/26"],
        ),
        (start_batch, "batch-backend", ("fail", "pass"), None),
    ],
)
async def test_a_change_in_the_account_is_named(
    emulator_server: Callable[..., EmulatorServer],
    change: Callable[[World], None],
    name: str,
    verdicts: tuple[str, str],
    said: list[str] | None,
) -> None:
    server = emulator_server(load_world(demo_world_path()))
    before = await reports(server)
    change(server.world)
    after = await reports(server)
    shift = compare(before[name], after[name])
    assert shift is not None
    assert (shift.verdict_before, shift.verdict_after) == verdicts
    texts = [c.message.render() for c in shift.changes]
    if said is not None:
        assert texts == said
    else:
        assert "i-batch is Running (was Stopped)" in texts
        assert not any("health" in t for t in texts)  # none before: not a change to name
    unchanged = [n for n in after if n != name and compare(before[n], after[n]) is None]
    assert unchanged, "every authorization shifted: the change was not targeted"
    assert compare(after[name], after[name]) is None  # no change, nothing said


def check(check_id: str, status: str, evidence: dict | None = None, summary: str = "") -> dict:
    return {"id": check_id, "status": status, "summary": summary, "evidence": evidence or {}}


def report(verdict: str, causes: list[str], *checks: dict) -> dict:
    return {"verdict": verdict, "root_causes": causes, "checks": list(checks)}


def test_a_skipped_check_says_nothing_and_an_unknown_one_says_why() -> None:
    health = {"server_group": {"id": "lb-web"}, "backends": [{"server_id": "i-1", "port": 80}]}
    before = report(
        "pass",
        [],
        check("clb.health", "pass", health),
        check("ecs.status", "pass", {"instance_id": "i-1", "status": "Running"}),
    )
    after = report(
        "unknown",
        [],
        check("clb.health", "skipped"),
        check("ecs.status", "unknown", summary="Forbidden.RAM: ecs:DescribeInstances"),
    )
    shift = compare(before, after)
    assert shift is not None
    assert [c.message.render() for c in shift.changes] == [
        "ecs.status: pass → unknown: Forbidden.RAM: ecs:DescribeInstances"
    ]


def test_backend_health_and_membership_are_named() -> None:
    def health(*backends: tuple[str, int, str]) -> dict:
        return {
            "server_group": {"id": "rsp-shop"},
            "backends": [{"server_id": s, "port": p, "health": h} for s, p, h in backends],
        }

    before = report("pass", [], check("clb.health", "pass", health(("i-1", 80, "normal"))))
    after = report(
        "fail",
        ["clb.health"],
        check("clb.health", "fail", health(("i-1", 80, "abnormal"), ("i-2", 80, "abnormal"))),
    )
    shift = compare(before, after)
    assert shift is not None and shift.causes_after == ("clb.health",)
    assert [c.message.render() for c in shift.changes] == [
        "backend i-1:80 in rsp-shop: health normal → abnormal",
        "backend i-2:80 joined rsp-shop",
    ]
    assert shift.to_json()["changes"][0]["code"] == "change-backend-health"
