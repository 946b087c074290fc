"""A digest's Slack messages, from the verdict history of one run: pure functions.

Totals, what broke and what recovered since the previous digest, then every failing or
unknown authorization with its root cause (and that check's evidence rows: the server group
and its backends, the deciding rule), how long it has been failing and a Details
button (the bot's own `details` handler). Past `PAGE_SIZE` items the digest is several
messages, "page k/N", each within Block Kit's limits; nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vpctest.bot import presenters, render
from vpctest.bot.digest.history import FAIL, PASS, UNKNOWN, AuthorizationHistory
from vpctest.bot.fix_views import slack_date
from vpctest.bot.refs import AccessRef
from vpctest.diagnostics.evidence import evidence_lines
from vpctest.diagnostics.report import Report

PAGE_SIZE = 20  # items per message: 20 × (line + buttons) + header, contexts, error, summaries ≤ 50
NAMES_LIMIT = 2900  # a "newly broken" / "recovered" list is clipped with "and N more"
DETAIL_ROWS = 6  # evidence rows under a failing item, then "… and N more rows"
DETAIL_LIMIT = 1200  # characters of those rows
DETAIL_ITEMS = 3  # backends, segments, entries per list
MARKS = {PASS: ":white_check_mark:", FAIL: ":x:", UNKNOWN: ":grey_question:"}
Key = tuple[str, str]


@dataclass(frozen=True)
class DigestInput:
    """What one digest run knows: the history per authorization, and why anything is unknown."""

    digest_id: str
    history: Sequence[AuthorizationHistory]
    at: datetime
    summaries: Mapping[Key, str] = field(default_factory=dict)  # root cause's check summary
    details: Mapping[Key, Sequence[str]] = field(default_factory=dict)  # its evidence rows
    error: str | None = None  # the run failed midway: what and why
    only_changes: bool = False
    has_previous: bool = False  # a previous digest was posted


def totals(history: Iterable[AuthorizationHistory]) -> dict[str, int]:
    counts = {PASS: 0, FAIL: 0, UNKNOWN: 0}
    for item in history:
        counts[item.verdict if item.verdict in counts else UNKNOWN] += 1
    return counts


def nothing_changed(digest: DigestInput) -> bool:
    """--only-changes: no verdict differs from the previous digest (and no error)."""
    return (
        digest.error is None
        and digest.has_previous
        and not any(item.changed for item in digest.history)
    )


def digest_messages(digest: DigestInput) -> list[dict[str, Any]]:
    """The messages to post, in order; [] when `--only-changes` finds nothing new."""
    if digest.only_changes and nothing_changed(digest):
        return []
    trouble = [h for h in digest.history if h.verdict != PASS]
    pages = [trouble[i : i + PAGE_SIZE] for i in range(0, len(trouble), PAGE_SIZE)] or [[]]
    return [
        render.message("digest.json.j2", **page_context(digest, page, number, len(pages)))
        for number, page in enumerate(pages, 1)
    ]


def page_context(
    digest: DigestInput, page: Sequence[AuthorizationHistory], number: int, pages: int
) -> dict[str, Any]:
    counts = totals(digest.history)
    header = (
        f"VPC access digest: {counts[PASS]} pass, {counts[FAIL]} fail, {counts[UNKNOWN]} unknown"
    )
    if pages > 1:
        header += f" ({number}/{pages})"
    first = (number - 1) * PAGE_SIZE
    not_passing = counts[FAIL] + counts[UNKNOWN]
    where = f"{digest.digest_id} · {slack_date(digest.at)}"
    if page:
        where += f" · {first + 1}–{first + len(page)} of {not_passing} not passing"
    if pages > 1:
        where += f" · page {number} of {pages}"
    return {
        "fallback": f"VPC access digest: {counts[FAIL]} of {len(digest.history)} fail",
        "header": presenters.clip(header, presenters.HEADER_LIMIT),
        "context": presenters.clip(where, 300),
        "error": _error_text(digest.error) if number == 1 else "",
        "summaries": _summaries(digest) if number == 1 else [],
        "items": [_item(digest, h) for h in page],
        "all_pass": number == 1 and not page and not digest.error and bool(digest.history),
    }


def _error_text(error: str | None) -> str:
    if not error:
        return ""
    text = f":warning: *This run failed midway:* {presenters.escape(error)}"
    return presenters.clip(text + "\nWhat it could not test is shown as unknown.", 2900)


def _summaries(digest: DigestInput) -> list[str]:
    if not digest.has_previous:
        return []
    broken = [h for h in digest.history if h.newly_broken]
    recovered = [h for h in digest.history if h.recovered]
    lines = []
    if broken:
        lines.append(_names(":rotating_light: *Newly broken*", broken))
    if recovered:
        lines.append(_names(":white_check_mark: *Recovered*", recovered))
    if not broken and not recovered:
        lines.append("No authorization broke or recovered since the previous digest.")
    return lines


def _names(title: str, items: Sequence[AuthorizationHistory]) -> str:
    """`title (n):` and the names, ending in "and N more" if they do not fit."""
    text = f"{title} ({len(items)}): "
    for shown, item in enumerate(items):
        name = f"*{presenters.escape(item.name or item.vpc_access_id)}*"
        more = f" and {len(items) - shown} more"
        if len(text) + len(name) + 2 + len(" and 99999 more") > NAMES_LIMIT:
            return text.rstrip(", ") + more
        text += name + (", " if shown < len(items) - 1 else "")
    return text


def _item(digest: DigestInput, item: AuthorizationHistory) -> dict[str, str]:
    name = presenters.escape(item.name or item.vpc_access_id)
    line = f"{MARKS.get(item.verdict, MARKS[UNKNOWN])} *{name}* (`{item.vpc_access_id}`)"
    if item.verdict == FAIL:
        causes = ", ".join(item.root_causes) or "connectivity"
        line += f" `{causes}`"
        summary = digest.summaries.get(item.key)
        if summary:
            line += f" — {presenters.escape(summary)}"
        if item.failing_since is not None:
            line += f"\nfailing since {slack_date(item.failing_since)}"
            line += f" ({_span(digest.at - item.failing_since)})"
    else:
        why = "; ".join(item.root_causes) or "the run could not test it"
        line += f" could not be tested: {presenters.escape(why)}"
    if item.newly_broken:
        line += " · :new: newly broken"
    line = presenters.clip(line, presenters.LINE_LIMIT)
    if item.verdict == FAIL:
        line += _detail_text(digest.details.get(item.key, ()))
    return {
        "text": line,
        "value": AccessRef(item.vpc_access_id, item.gateway_id or None).encode(),
    }


def _detail_text(rows: Sequence[str]) -> str:
    """The root cause's evidence rows, one a line, nested ones indented, within DETAIL_LIMIT."""
    shown = [presenters.mrkdwn_row(row) for row in rows[:DETAIL_ROWS]]
    more = len(rows) - len(shown)
    text = ""
    for row in shown:
        if len(text) + len(row) + 1 > DETAIL_LIMIT:
            more += 1
            continue
        text += "\n" + row
    return text + (f"\n_… and {more} more rows_" if more else "")


def rerun_line(report: Report, note: str) -> str:
    """A digest item's line after its Re-run button: the verdict now, and who asked when."""
    access = report.vpc_access
    line = f"{presenters.MARKS[report.verdict]} *{presenters.escape(access.name)}* (`{access.id}`)"
    if report.root_causes:
        first = report.check(report.root_causes[0])
        line += f" `{', '.join(report.root_causes)}` — {presenters.escape(first.summary)}"
    else:
        line += f" {report.verdict.value}"
    line = presenters.clip(f"{line}\n{note}", presenters.LINE_LIMIT)
    if report.root_causes and report.root_causes != ["connectivity"]:
        line += _detail_text(evidence_lines(report.check(report.root_causes[0]), DETAIL_ITEMS))
    return line


def _span(span: Any) -> str:

    minutes = max(0, int(span.total_seconds() // 60))
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"
