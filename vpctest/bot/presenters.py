"""Turn reports into the plain values the Block Kit templates lay out.

Text is escaped for Slack's mrkdwn here, once; the templates add only layout and
JSON escaping.
"""

from __future__ import annotations

from typing import Any

from vpctest.bot.interactions import ActionId
from vpctest.bot.refs import AccessRef, FixRef, StepRef
from vpctest.diagnostics.evidence import INDENT, evidence_lines
from vpctest.diagnostics.report import STEP_TITLES, CheckResult, Report, Status

MARKS = {
    Status.PASS: ":white_check_mark:",
    Status.FAIL: ":x:",
    Status.WARN: ":warning:",
    Status.UNKNOWN: ":grey_question:",
    Status.SKIPPED: ":heavy_minus_sign:",
}
VERDICT_WORDS = {Status.PASS: "passes", Status.FAIL: "fails", Status.UNKNOWN: "could not be tested"}
LINE_LIMIT = 400
SECTION_LIMIT = 2900
HEADER_LIMIT = 150
EVIDENCE_ITEMS = 10  # backends, segments, entries shown per list in a modal
NESTED = "\u2003"  # an em space per level: Slack keeps it, where it may trim plain spaces
STEP_GUIDES = {
    0: "API Gateway's own connectivity test. An access-control policy on the gateway "
    "instance makes this test fail whatever the network does.",
    1: "Is the authorization right? Its instance must exist, lie in its VPC, and serve its port.",
    2: "Does the ECS security group, or the CLB listener's white/blacklist, admit every "
    "egress address of the gateway on the port?",
    3: "Is the backend up? The ECS instance running and healthy; the CLB listener running "
    "with a healthy backend; something listening on the port.",
}


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_line(check: CheckResult) -> str:
    return clip(f"{MARKS[check.status]} `{check.id}` {escape(check.summary)}", LINE_LIMIT)


def step_text(report: Report, step: int) -> str:
    lines = [f"*{STEP_TITLES[step]}*"]
    lines += [check_line(c) for c in report.checks if c.step == step and c.status != Status.SKIPPED]
    skipped = [c.id for c in report.checks if c.step == step and c.status == Status.SKIPPED]
    if skipped:
        lines.append(f"{MARKS[Status.SKIPPED]} _not applicable: {', '.join(skipped)}_")
    return clip("\n".join(lines), SECTION_LIMIT)


def root_cause_text(report: Report) -> str:
    causes = report.root_causes
    if not causes:
        return ""
    if causes == ["connectivity"]:
        return (
            "*Root cause:* the connectivity test fails although every check passes, so the "
            "cause lies outside what they can see (a host firewall, a slow service, a route). "
            "Try `--probe`."
        )
    parts = [f"`{c}` {escape(report.check(c).summary)}" for c in causes]
    return clip("*Root cause:* " + "; ".join(parts), SECTION_LIMIT)


def apis_text(report: Report) -> str:
    if report.apis is None:
        return clip(f"APIs behind it: unknown ({escape(report.apis_error)})", LINE_LIMIT)
    if not report.apis:
        return "No API uses this authorization."
    names = ", ".join(
        escape(f"{a.group_name + '/' if a.group_name else ''}{a.api_name} ({a.stage})")
        for a in report.apis[:10]
    )
    more = f" and {len(report.apis) - 10} more" if len(report.apis) > 10 else ""
    return clip(f"*{len(report.apis)} APIs behind it:* {names}{more}", SECTION_LIMIT)


def result_context(report: Report, fixes_enabled: bool, note: str = "") -> dict[str, Any]:
    access = report.vpc_access
    fix_check = next((c for c in report.checks if c.fix is not None), None)
    target = f"{access.instance_id}:{access.port}" + (
        f" ({report.target_type})" if report.target_type else ""
    )
    return {
        "fallback": escape(f"{access.name or access.id} {VERDICT_WORDS[report.verdict]}"),
        "header": clip(
            f"{MARKS[report.verdict]} {access.name or access.id} {VERDICT_WORDS[report.verdict]}",
            HEADER_LIMIT,
        ),
        "fields": [
            f"*Authorization*\n{escape(access.name)} (`{access.id}`)",
            f"*Target*\n{escape(target)} in `{access.vpc_id}`",
            f"*Gateway*\n`{report.gateway.id}`",
            f"*Egress*\n{', '.join(report.gateway.egress_cidrs) or 'unknown'}",
        ],
        "root_cause": root_cause_text(report),
        "steps": [step_text(report, step) for step in sorted(STEP_TITLES)],
        "apis": apis_text(report),
        "context": clip(
            f"{note} · {report.elapsed_ms} ms" if note else f"{report.elapsed_ms} ms", 300
        ),
        "step_buttons": [
            {
                "action_id": ActionId.step(step),
                "text": f"Step {step}" if step else "Test",
                "value": StepRef(access.id, report.gateway.id, step).encode(),
            }
            for step in sorted(STEP_TITLES)
        ],
        "rerun_value": AccessRef(access.id, report.gateway.id).encode(),
        "fix_value": FixRef(access.id, report.gateway.id, fix_check.id).encode()
        if fix_check is not None and fixes_enabled
        else None,
    }


def evidence_text(check: CheckResult, limit: int = SECTION_LIMIT) -> str:
    """The check's evidence rows as mrkdwn, one a line, nested rows indented, within `limit`:
    long lists show fewer items ("… and N more") until the rows fit, else the rows are cut
    with "… and N more rows". "" when there are none."""
    for items in (EVIDENCE_ITEMS, 5, 3, 1):
        rows = [mrkdwn_row(row) for row in evidence_lines(check, items)]
        text = "\n".join(rows)
        if len(text) <= limit:
            return text
    text = ""
    for shown, row in enumerate(rows):
        more = f"\n_… and {len(rows) - shown} more rows_"
        if len(text) + len(row) + 1 + len(more) > limit:
            return text + more
        text += ("\n" if text else "") + row
    return text


def mrkdwn_row(row: str) -> str:
    """One evidence row: escaped, clipped, its nesting as em spaces."""
    depth = (len(row) - len(row.lstrip(" "))) // len(INDENT)
    return NESTED * 2 * depth + clip(escape(row.lstrip(" ")), LINE_LIMIT)


def step_context(report: Report, step: int, region: str) -> dict[str, Any]:
    """The step modal: the guide, each check with its evidence, console links."""
    checks = [c for c in report.checks if c.step == step]
    return {
        "title": clip(f"Step {step}" if step else "Connectivity", 24),
        "guide": STEP_GUIDES[step],
        "checks": [
            {
                "line": check_line(c),
                "evidence": evidence_text(c),
            }
            for c in checks
        ],
        "links": console_links(report, region),
    }


def console_links(report: Report, region: str) -> list[str]:
    """Deep links into the Alibaba Cloud console for the resources this report names."""
    links = [
        f"<https://apigateway.console.aliyun.com/#/{region}/vpcAccess/list|VPC authorizations>"
    ]
    target = report.check("authorization.target").evidence.get("id")
    if report.target_type == "ECS" and target:
        links.append(
            f"<https://ecs.console.aliyun.com/server/{target}/detail?regionId={region}"
            f"|ECS {target}>"
        )
    if report.target_type == "CLB" and target:
        links.append(f"<https://slb.console.aliyun.com/slb/{region}/slbs/{target}|CLB {target}>")
    for group in report.check("ecs.security_group").evidence.get("security_groups", []):
        links.append(
            f"<https://ecs.console.aliyun.com/securityGroupDetail/region/{region}/groupId/{group}"
            f"/detail/intranetIngress|security group {group}>"
        )
    acl = report.check("clb.acl").evidence.get("acl_id")
    if acl:
        links.append(
            f"<https://slb.console.aliyun.com/slb/{region}/acls/{acl}|access control {acl}>"
        )
    return links
