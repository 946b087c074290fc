"""The digest's messages from hand-built history: totals, changes, paging, --only-changes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from vpctest.bot.digest.content import PAGE_SIZE, DigestInput, digest_messages
from vpctest.bot.digest.history import FAIL, PASS, UNKNOWN, AuthorizationHistory
from vpctest.bot.render import MAX_MESSAGE_BLOCKS

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
GW = "apigateway-hz-1"


def item(
    n: int,
    verdict: str,
    previous: str | None = None,
    causes: tuple[str, ...] = (),
    since: datetime | None = None,
) -> AuthorizationHistory:
    return AuthorizationHistory(
        gateway_id=GW,
        vpc_access_id=f"va-{n}",
        name=f"backend-{n}",
        at=AT,
        verdict=verdict,
        root_causes=causes,
        previous=previous,
        failing_since=since,
    )


def text_of(message: dict) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


def buttons(message: dict) -> list[dict]:
    return [
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("type") == "button"
    ]


def test_broken_recovered_and_unknown_since_the_previous_digest() -> None:
    since = AT - timedelta(days=3)
    history = [
        item(1, FAIL, PASS, ("ecs.security_group",), AT),
        item(2, PASS, FAIL),
        item(3, UNKNOWN, PASS, ("ServiceUnavailable: DescribeInstances",)),
        item(4, FAIL, FAIL, ("clb.acl",), since),
        item(5, PASS, PASS),
    ]
    summaries = {(GW, "va-1"): "the security group does not admit the gateway"}
    [message] = digest_messages(DigestInput("DG-7Q2K", history, AT, summaries, has_previous=True))
    text = text_of(message)
    assert "2 pass, 2 fail, 1 unknown" in message["blocks"][0]["text"]["text"]
    assert "*Newly broken* (1): *backend-1*" in text
    assert "*Recovered* (1): *backend-2*" in text
    assert "`ecs.security_group` — the security group does not admit the gateway" in text
    assert f"<!date^{int(since.timestamp())}^" in text and "(3 days)" in text
    assert "could not be tested: ServiceUnavailable: DescribeInstances" in text
    values = [json.loads(b["value"]) for b in buttons(message)]
    assert [b["action_id"] for b in buttons(message)] == ["details", "digest_rerun"] * 3
    assert values == [{"va": f"va-{n}", "gw": GW} for n in (1, 1, 3, 3, 4, 4)]

    assert "backend-5" not in text


def test_a_first_digest_has_no_changes_section_and_all_passing_says_so() -> None:
    [message] = digest_messages(DigestInput("DG-7Q2K", [item(1, PASS)], AT))
    text = text_of(message)
    assert "Newly broken" not in text and "Every authorization passes" in text


def test_more_items_than_fit_are_paged_none_dropped() -> None:
    history = [item(n, FAIL, FAIL, ("ecs.security_group",), AT) for n in range(150)]
    messages = digest_messages(DigestInput("DG-7Q2K", history, AT, has_previous=True))
    pages = -(-150 // PAGE_SIZE)
    assert len(messages) == pages
    seen = [
        json.loads(b["value"])["va"]
        for m in messages
        for b in buttons(m)
        if b["action_id"] == "details"
    ]
    assert seen == [f"va-{n}" for n in range(150)]
    for number, message in enumerate(messages, 1):
        assert len(message["blocks"]) <= MAX_MESSAGE_BLOCKS
        assert f"({number}/{pages})" in message["blocks"][0]["text"]["text"]
    first_of_last = (pages - 1) * PAGE_SIZE + 1
    assert f"{first_of_last}–150 of 150 not passing" in text_of(messages[-1])


def test_a_failed_run_says_what_and_why() -> None:
    history = [item(1, UNKNOWN, PASS, ("the run stopped: Throttling",))]
    [message] = digest_messages(
        DigestInput("DG-7Q2K", history, AT, error="DescribeVpcAccesses: Throttling")
    )
    text = text_of(message)
    assert "failed midway" in text and "Throttling" in text and "unknown" in text


def test_only_changes_posts_nothing_when_nothing_changed() -> None:
    same = [item(1, FAIL, FAIL, ("clb.acl",), AT), item(2, PASS, PASS)]
    assert (
        digest_messages(DigestInput("DG-1", same, AT, only_changes=True, has_previous=True)) == []
    )
    changed = [item(1, FAIL, PASS, ("clb.acl",), AT), item(2, PASS, PASS)]
    assert digest_messages(DigestInput("DG-1", changed, AT, only_changes=True, has_previous=True))
    assert digest_messages(DigestInput("DG-1", same, AT, only_changes=True))  # the first one posts
    errored = DigestInput("DG-1", same, AT, error="boom", only_changes=True, has_previous=True)
    assert digest_messages(errored)


def test_a_long_list_of_names_ends_in_and_n_more() -> None:
    history = [item(n, FAIL, PASS, ("clb.acl",), AT) for n in range(400)]
    messages = digest_messages(DigestInput("DG-1", history, AT, has_previous=True))
    summary = messages[0]["blocks"][2]["text"]["text"]
    assert summary.startswith(":rotating_light: *Newly broken* (400)") and "more" in summary
    assert len(summary) <= 3000


def test_a_failing_item_shows_its_root_causes_evidence_rows() -> None:
    history = [item(1, FAIL, FAIL, ("clb.health",)), item(2, UNKNOWN, None, ("Throttling",))]
    rows = (
        "vServer group rsp-1 (web-v2)",
        "i-web-1:8080  weight 100  abnormal  — no traffic",
        "eni-x:9000 (ENI)  weight 0  normal  — weight 0, no traffic",
        "  nested <b>",
        *(f"i-{n}:80  weight 100  abnormal  — no traffic" for n in range(10)),
    )
    details = {(GW, "va-1"): rows, (GW, "va-2"): rows}
    digest = DigestInput("DG-7Q2K", history, AT, {(GW, "va-1"): "no backend is healthy"}, details)
    [message] = digest_messages(digest)
    line = next(
        b["text"]["text"] for b in message["blocks"] if b.get("block_id") == "line-1"
    ).split("\n")
    assert line[1:] == [
        "vServer group rsp-1 (web-v2)",
        "i-web-1:8080  weight 100  abnormal  — no traffic",
        "eni-x:9000 (ENI)  weight 0  normal  — weight 0, no traffic",
        "\u2003\u2003nested &lt;b&gt;",
        "i-0:80  weight 100  abnormal  — no traffic",
        "i-1:80  weight 100  abnormal  — no traffic",
        "_… and 8 more rows_",
    ]
    unknown = next(b["text"]["text"] for b in message["blocks"] if b.get("block_id") == "line-2")
    assert "vServer group" not in unknown  # only a failing item carries evidence rows
