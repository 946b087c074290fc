"""Block Kit rendering: every report of the demo world renders and validates; hostile text
cannot break the JSON or the markup; long fleets are paged, never cut silently."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.engine_helpers import clients_for, diagnose_all
from vpctest.bot import presenters, render
from vpctest.bot.results import ALL_PAGE_SIZE, all_context
from vpctest.diagnostics.report import Report, Status
from vpctest.emulator import EmulatorServer

DEMO = Path(__file__).resolve().parents[2] / "vpctest" / "emulator" / "worlds" / "demo.yaml"


@pytest.fixture(scope="module")
def demo_reports() -> list[Report]:
    import asyncio

    with EmulatorServer(DEMO) as server:
        return list(asyncio.run(diagnose_all(clients_for(server))).values())


def _text_objects(node: object) -> list[dict]:
    """Every text object (`{"type": "mrkdwn"|"plain_text", "text": …}`) under `node`."""
    if isinstance(node, dict):
        found = [node] if node.get("type") in ("mrkdwn", "plain_text") else []
        return found + [t for value in node.values() for t in _text_objects(value)]
    if isinstance(node, list):
        return [t for item in node for t in _text_objects(item)]
    return []


def buttons(message: dict) -> dict[str, dict]:
    return {
        e["action_id"]: e
        for b in message["blocks"]
        for e in b.get("elements", [])
        if "action_id" in e
    }


def test_every_demo_report_renders_a_valid_message_and_step_modals(demo_reports) -> None:
    for report in demo_reports:
        message = render.message(
            "result.json.j2", **presenters.result_context(report, True, "by <@U1>")
        )
        ids = buttons(message)
        assert {"step_0", "step_1", "step_2", "step_3", "rerun"} <= set(ids)
        assert ("request_fix" in ids) == bool(report.fixes)
        assert json.loads(ids["rerun"]["value"]) == {
            "va": report.vpc_access.id,
            "gw": report.gateway.id,
        }
        for step in range(4):
            modal = render.modal(
                "step_modal.json.j2", **presenters.step_context(report, step, "cn-hangzhou")
            )
            assert modal["type"] == "modal"


def test_failing_security_group_modal_shows_the_deciding_rule(demo_reports) -> None:
    report = next(r for r in demo_reports if r.root_causes == ["ecs.security_group"])
    modal = render.modal("step_modal.json.j2", **presenters.step_context(report, 2, "cn-hangzhou"))
    text = json.dumps(modal)
    assert "no rule admits TCP" in text or "overrides" in text
    assert "securityGroupDetail" in text  # a console link to the group


def test_no_request_fix_button_when_fixes_are_disabled(demo_reports) -> None:
    report = next(r for r in demo_reports if r.fixes)
    message = render.message("result.json.j2", **presenters.result_context(report, False, ""))
    assert "request_fix" not in buttons(message)


def test_hostile_names_stay_text(demo_reports) -> None:
    report = demo_reports[0]
    evil = '"}]} <!channel> & *bold* ' + "x" * 5000
    hostile = replace(report, vpc_access=replace(report.vpc_access, name=evil))
    message = render.message("result.json.j2", **presenters.result_context(hostile, True, ""))
    mrkdwn = [message["text"]] + [
        obj["text"] for obj in _text_objects(message["blocks"]) if obj["type"] == "mrkdwn"
    ]
    assert all("<!channel>" not in text for text in mrkdwn)  # escaped where Slack parses markup
    assert any("&lt;!channel&gt;" in text for text in mrkdwn)
    assert len(message["blocks"][0]["text"]["text"]) <= 150


def test_all_summary_pages_and_counts_every_report(demo_reports) -> None:
    bad = next(r for r in demo_reports if r.verdict == Status.FAIL)
    good = next(r for r in demo_reports if r.verdict == Status.PASS)
    many = [
        replace(bad if n % 3 else good, vpc_access=replace(bad.vpc_access, id=f"va-{n}"))
        for n in range(150)
    ]
    failing = [r for r in many if r.verdict != Status.PASS]
    seen, offset = 0, 0
    while True:
        context = all_context(many, "note", offset)
        message = render.message("all.json.j2", **context)
        assert len(message["blocks"]) <= 50
        seen += len(context["items"])
        if not context["next_value"]:
            break
        offset = json.loads(context["next_value"])["o"]
    assert seen == len(failing)
    assert len(failing) > ALL_PAGE_SIZE


def test_step_modal_evidence_is_rows_within_the_section_limit(demo_reports) -> None:
    """A vServer group of 300 backends: rows, clipped with "… and N more", no JSON."""
    report = next(r for r in demo_reports if r.vpc_access.id == "va-checkout")
    health = report.check("clb.health")
    backend = {"type": "ecs", "port": 8080, "weight": 100, "health": "normal"}
    many = {
        "server_group": {"type": "vserver", "id": "rsp-big", "name": "x" * 500},
        "backends": [
            {**backend, "server_id": f"i-{n}-" + "y" * 300, "receives_traffic": True}
            for n in range(300)
        ],
    }
    big = replace(
        report,
        checks=tuple(replace(c, evidence=many) if c is health else c for c in report.checks),
    )
    modal = render.modal("step_modal.json.j2", **presenters.step_context(big, 3, "cn-hangzhou"))
    sections = [b["text"]["text"] for b in modal["blocks"] if b["type"] == "section"]
    rows = next(t for t in sections if t.startswith("vServer group rsp-big"))
    assert len(rows) <= 3000
    *backends, more = rows.split("\n")[1:]
    assert more == f"… and {300 - len(backends)} more"  # fewer backends, as many as fit
    assert all(row.endswith("weight 100  normal  receives traffic") for row in backends)
    assert "```" not in json.dumps(modal) and '\\"backends\\"' not in json.dumps(modal)
