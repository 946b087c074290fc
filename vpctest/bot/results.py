"""Run diagnoses for Slack and turn every outcome, good or bad, into a message."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from vpctest.bot import presenters, render
from vpctest.bot.diagnosis import DiagnosisService, offload
from vpctest.bot.refs import AccessRef, PageRef, StepRef
from vpctest.diagnostics.cloud.ecs import PROBE_DEADLINE_S
from vpctest.diagnostics.engine import Diagnoser
from vpctest.diagnostics.errors import CloudError, UsageError
from vpctest.diagnostics.report import Report, Status

log = logging.getLogger(__name__)
ALL_PAGE_SIZE = (
    40  # failing items per message: 40 sections + header and paging stay under 50 blocks
)


def error_message(text: str) -> dict[str, Any]:
    return render.message("text.json.j2", text=f":warning: {presenters.escape(text)}")


def result_message(report: Report, fixes_enabled: bool, note: str) -> dict[str, Any]:
    return render.message(
        "result.json.j2", **presenters.result_context(report, fixes_enabled, note)
    )


PROBING = (
    "probing the port from inside the VPC with Cloud Assistant "
    f"(up to {PROBE_DEADLINE_S:g} s); this message updates when the probe answers"
)


def probing(report: Report) -> Report:
    """The report before its probe: `backend.port` says the probe is running."""
    checks = tuple(
        replace(c, status=Status.SKIPPED, summary=PROBING, evidence={})
        if c.id == "backend.port"
        else c
        for c in report.checks
    )
    return replace(report, checks=checks)


async def diagnose_message(
    service: DiagnosisService,
    target: str,
    gateway: str | None,
    probe: bool,
    fixes_enabled: bool,
    note: str,
    diagnoser: Diagnoser | None = None,
    stage: str = "final",
) -> tuple[dict[str, Any], Report | None]:
    """(the message to post, the report) — or an error message that says what to do.
    Diagnosed and rendered on the work loop (bot/diagnosis.py), off the serving loop.
    `stage="probing"` renders the report without its probe, which is still to run."""
    return await offload(
        lambda: _diagnose_message(
            service, target, gateway, probe, fixes_enabled, note, diagnoser, stage
        )
    )


async def _diagnose_message(
    service: DiagnosisService,
    target: str,
    gateway: str | None,
    probe: bool,
    fixes_enabled: bool,
    note: str,
    diagnoser: Diagnoser | None,
    stage: str,
) -> tuple[dict[str, Any], Report | None]:
    try:
        report = await service.run(target, gateway, probe, diagnoser)
    except UsageError as exc:
        return error_message(str(exc)), None
    except CloudError as exc:
        return error_message(f"Could not test {target}: {exc.reason}"), None
    if stage == "probing":
        note = f"{note} · :hourglass_flowing_sand: {PROBING}"
        return result_message(probing(report), False, note), report
    return result_message(report, fixes_enabled, note), report


async def step_modal(service: DiagnosisService, ref: StepRef, region: str) -> dict[str, Any]:
    """The modal of the troubleshooting step `ref` names, from a fresh diagnosis — or one
    that says why there is none."""
    try:
        report = await service.run(ref.vpc_access_id, ref.gateway_id)
    except UsageError as exc:
        text = presenters.escape(str(exc))
    except CloudError as exc:
        text = presenters.escape(exc.reason)
    else:
        context = presenters.step_context(report, ref.step, region)
        return render.modal("step_modal.json.j2", **context)
    return render.modal("notice_modal.json.j2", title="vpc-test", text=text)


async def all_message(
    service: DiagnosisService, gateway: str | None, note: str, offset: int = 0
) -> tuple[dict[str, Any], bool]:
    """(the summary message, True) — or (an error message, False); on the work loop."""
    return await offload(lambda: _all_message(service, gateway, note, offset))


async def _all_message(
    service: DiagnosisService, gateway: str | None, note: str, offset: int
) -> tuple[dict[str, Any], bool]:
    try:
        reports = await service.run_all(gateway)
    except (UsageError, CloudError) as exc:
        reason = exc.reason if isinstance(exc, CloudError) else str(exc)
        return error_message(f"Could not test the authorizations: {reason}"), False
    return render.message("all.json.j2", **all_context(reports, note, offset)), True


def all_context(reports: list[Report], note: str, offset: int) -> dict[str, Any]:
    """Totals, then the failing and unknown ones a page at a time; none dropped silently."""
    counts = {
        s: sum(1 for r in reports if r.verdict == s)
        for s in (Status.PASS, Status.FAIL, Status.UNKNOWN)
    }
    trouble = [r for r in reports if r.verdict != Status.PASS]
    page = trouble[offset : offset + ALL_PAGE_SIZE]
    gateway = reports[0].gateway.id if reports else ""
    items = []
    for report in page:
        causes = ", ".join(report.root_causes) or "unknown"
        first = report.root_causes[0] if report.root_causes else "connectivity"
        name = presenters.escape(report.vpc_access.name)
        summary = presenters.escape(report.check(first).summary)
        items.append(
            {
                "text": presenters.clip(
                    f"{presenters.MARKS[report.verdict]} *{name}* `{causes}` — {summary}",
                    presenters.LINE_LIMIT,
                ),
                "value": AccessRef(report.vpc_access.id, report.gateway.id).encode(),
            }
        )
    shown_to = offset + len(page)
    return {
        "fallback": f"{counts[Status.FAIL]} of {len(reports)} authorizations fail",
        "header": presenters.clip(
            f"VPC access: {counts[Status.PASS]} pass, {counts[Status.FAIL]} fail, "
            f"{counts[Status.UNKNOWN]} unknown",
            presenters.HEADER_LIMIT,
        ),
        "items": items,
        "range": f"{offset + 1}–{shown_to} of {len(trouble)} not passing" if trouble else "",
        "next_value": PageRef(gateway or None, shown_to).encode()
        if shown_to < len(trouble)
        else None,
        "context": note,
    }
