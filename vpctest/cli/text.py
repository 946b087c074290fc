"""The report as a person reads it on a terminal."""

from __future__ import annotations

from collections.abc import Sequence

from vpctest.diagnostics.evidence import evidence_lines
from vpctest.diagnostics.facts import ApiRef
from vpctest.diagnostics.report import STEP_TITLES, Report, Status

MARKS = {
    Status.PASS: ("✓", "32"),
    Status.FAIL: ("✗", "31"),
    Status.WARN: ("!", "33"),
    Status.UNKNOWN: ("?", "35"),
    Status.SKIPPED: ("–", "2"),
}
OUTSIDE_CHECKS = (
    "the connectivity test fails although every check passes: the cause lies outside what "
    "the checks can see (a host firewall such as iptables, a service that answers too slowly, "
    "or a route); run with --probe to test from inside the VPC"
)


class Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.color else text

    def status(self, status: Status) -> str:
        mark, code = MARKS[status]
        return self(f"{mark} {status.value.upper()}", code)

    def mark(self, status: Status) -> str:
        mark, code = MARKS[status]
        return self(mark, code)


def root_cause_line(report: Report) -> str:
    causes = report.root_causes
    if not causes:
        return ""
    if causes == ["connectivity"]:
        return OUTSIDE_CHECKS
    return "; ".join(f"{c}: {report.check(c).summary}" for c in causes)


SHOWN_EVIDENCE = (Status.FAIL, Status.WARN)  # the checks whose evidence rows show by default


def render_report(report: Report, color: bool = False, all_evidence: bool = False) -> str:
    """The one-line-per-check report; under a failing or warning check (under every one that
    ran, with `all_evidence`) its evidence rows, indented."""
    paint = Painter(color)
    access, gateway = report.vpc_access, report.gateway
    target = f"{access.instance_id}:{access.port}" + (
        f" ({report.target_type})" if report.target_type else ""
    )
    lines = [
        f"{paint.status(report.verdict)}  {paint(access.name or access.id, '1')} ({access.id}) "
        f"→ {target} in {access.vpc_id}, from {gateway.id}  {paint(f'{report.elapsed_ms} ms', '2')}"
    ]
    if cause := root_cause_line(report):
        lines.append(f"  {paint('Root cause', '1')}: {cause}")
    width = max(len(c.id) for c in report.checks)
    step = None
    for check in report.checks:
        if check.step != step:
            step = check.step
            lines.append(f"  {paint(STEP_TITLES[step], '1')}")
        line = f"    {paint.mark(check.status)} {check.id.ljust(width)}  {check.summary}"
        lines.append(paint(line, "2") if check.status == Status.SKIPPED else line)
        shown = check.status in SHOWN_EVIDENCE or (all_evidence and check.status != Status.SKIPPED)
        if shown:
            indent = " " * (8 + width)
            lines += [paint(f"{indent}{row}", "2") for row in evidence_lines(check)]
    for check in report.fixes:
        fix = check.fix.describe().render() if check.fix else ""
        lines.append(f"  {paint('Fix', '1')} ({check.id}): {fix}")
    if report.apis is None:
        lines.append(f"  APIs behind it: unknown ({report.apis_error})")
    elif report.apis:
        names = ", ".join(api_label(a) for a in report.apis[:5])
        more = f" and {len(report.apis) - 5} more" if len(report.apis) > 5 else ""
        lines.append(f"  APIs behind it ({len(report.apis)}): {names}{more}")
    else:
        lines.append("  APIs behind it: none")
    return "\n".join(lines)


def api_label(api: ApiRef) -> str:
    """`shop/GetCart (RELEASE)`: one API may be published on several stages."""
    group = f"{api.group_name}/" if api.group_name else ""
    stage = f" ({api.stage})" if api.stage else ""
    return f"{group}{api.api_name}{stage}"


def render_tally(reports: Sequence[Report], color: bool = False) -> str:
    paint = Painter(color)
    counts = {
        s: sum(1 for r in reports if r.verdict == s)
        for s in (Status.PASS, Status.FAIL, Status.UNKNOWN)
    }
    parts = [paint(f"{n} {s.value}", MARKS[s][1]) for s, n in counts.items() if n]
    return f"{len(reports)} authorizations: " + ", ".join(parts)
