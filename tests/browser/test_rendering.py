"""The page's renderer, run in chromium by importing its modules: Slack's mrkdwn and Block Kit as
DOM, links only to http, https and mailto, and nothing the bot sends ever parsed as HTML."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.slack_page import SlackPage
from vpctest.playground.people import DEVELOPER, GENERAL

XSS = "<img src=x onerror=window.pwned=1>"

# Render into a box on the page (so an <img> would load and its onerror would run).
RENDER = """async ([module, fn, arg, ctx]) => {
  const m = await import(`/static/${module}.js`);
  let n = 0;
  const uid = () => `t-${n++}`;
  const context = {surface: 'message', target: '1.0', uid, ...ctx, inputs: new Map()};
  const box = document.createElement('div');
  box.id = 'rendered';
  document.querySelector('#rendered')?.remove();
  document.body.prepend(box);
  box.append(m[fn](arg, context));
  window.rendered = context;
  return box.innerHTML;
}"""


@pytest.fixture
def ready(page: Page) -> Page:
    """The page, once it knows the workspace's people and channels (mentions name them)."""
    expect(page.locator("[data-testid=channel]").first).to_be_attached()
    return page


def render(page: Page, module: str, fn: str, arg: Any, ctx: dict[str, Any] | None = None) -> str:
    return str(page.evaluate(RENDER, [module, fn, arg, ctx or {}]))


def link(href: str, text: str) -> str:
    return f'<a class="mk-link" href="{href}" target="_blank" rel="noopener noreferrer">{text}</a>'


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("*bold* _italic_ ~strike~", "<b>bold</b> <i>italic</i> <s>strike</s>"),
        ("*bold _and italic_*", "<b>bold <i>and italic</i></b>"),
        ("run `vpc-test *all*`", 'run <code class="mk-code">vpc-test *all*</code>'),
        ("```\n*kept* <b>\n```", '<pre class="mk-pre">*kept* &lt;b&gt;\n</pre>'),
        (
            "<https://example.com/x?a=1&amp;b=2|the console>",
            link("https://example.com/x?a=1&amp;b=2", "the console"),
        ),
        ("<mailto:ops@example.com|mail us>", link("mailto:ops@example.com", "mail us")),
        ("<javascript:alert(1)|click me>", "click me"),
        ("<JavaScript:alert(1)>", "JavaScript:alert(1)"),
        (
            "<@U0ALICE01> approved",
            '<span class="mk-mention" title="U0ALICE01">@alice</span> approved',
        ),
        ("in <#C0GENERAL1>", 'in <a class="mk-channel" href="#" title="C0GENERAL1">#general</a>'),
        ("due <!date^nope^{date}|some day>", "due some day"),
        (":white_check_mark: done :no_such_emoji:", "✅ done :no_such_emoji:"),
        (
            "clb.backend_security_group and snake_case_name",
            "clb.backend_security_group and snake_case_name",
        ),
        ("&lt;b&gt;not bold&lt;/b&gt; &amp; co", "&lt;b&gt;not bold&lt;/b&gt; &amp; co"),
        ("> quoted *line*", '<blockquote class="mk-quote">quoted <b>line</b></blockquote>'),
    ],
)
def test_mrkdwn(ready: Page, text: str, html: str) -> None:
    assert render(ready, "mrkdwn", "mrkdwn", text) == html


def test_a_date_token_shows_the_readers_time_and_links_only_when_safe(ready: Page) -> None:
    render(ready, "mrkdwn", "mrkdwn", "due <!date^1795597200^{date_num} at {time}|soon>")
    date = ready.locator("#rendered time.mk-date")
    expect(date).to_have_text("2026-11-25 at 9:00")  # the page runs in UTC (tests/browser/conftest)
    expect(date).to_have_attribute("datetime", "2026-11-25T09:00:00.000Z")
    render(ready, "mrkdwn", "mrkdwn", "<!date^1795597200^{date_num}^javascript:alert(1)|soon>")
    expect(ready.locator("#rendered .mk-date")).to_have_js_property("tagName", "TIME")


def test_markup_in_the_bots_text_is_shown_never_run(ready: Page) -> None:
    escaped = XSS.replace("<", "&lt;").replace(">", "&gt;")  # as Slack's API carries it
    render(ready, "mrkdwn", "mrkdwn", f"*{escaped}* {XSS}")
    expect(ready.locator("#rendered")).to_have_text(f"{XSS} img src=x onerror=window.pwned=1")
    header = {"type": "header", "text": {"type": "plain_text", "text": XSS}}
    render(ready, "blockkit", "renderBlocks", [header])
    expect(ready.locator("#rendered .bk-header")).to_have_text(XSS)
    ready.wait_for_timeout(300)  # time for an image to fail to load, had one been made
    assert ready.locator("#rendered img").count() == 0
    assert ready.evaluate("window.pwned") is None


def test_a_section_shows_its_text_and_fields(ready: Page) -> None:
    section = {
        "type": "section",
        "block_id": "s",
        "text": {"type": "plain_text", "text": "Title *not bold*"},
        "fields": [
            {"type": "mrkdwn", "text": "*Gateway*"},
            {"type": "plain_text", "text": "apigw-1"},
        ],
    }
    html = render(ready, "blockkit", "renderBlocks", [section])
    assert '<div class="bk-text bk-plain">Title *not bold*</div>' in html
    assert [ready.locator("#rendered .bk-field").nth(i).inner_html() for i in range(2)] == [
        "<b>Gateway</b>",
        "apigw-1",
    ]


def test_a_button_with_a_confirm_object_asks_first(ready: Page) -> None:
    clicks: list[str] = []
    ready.on(
        "request",
        lambda request: clicks.append(request.url) if "/api/click" in request.url else None,
    )
    button = {
        "type": "button",
        "action_id": "approve",
        "style": "primary",
        "value": "FR-1",
        "text": {"type": "plain_text", "text": "Approve"},
        "confirm": {
            "title": {"type": "plain_text", "text": "Sure?"},
            "text": {"type": "mrkdwn", "text": "Opens *prod*"},
            "confirm": {"type": "plain_text", "text": "Open it"},
            "deny": {"type": "plain_text", "text": "Keep it shut"},
            "style": "danger",
        },
    }
    render(
        ready,
        "blockkit",
        "renderBlocks",
        [{"type": "actions", "block_id": "a", "elements": [button]}],
    )
    approve = ready.locator(
        "#rendered [data-block-type=actions] [data-action-id=approve][data-block-id=a]"
    )
    expect(approve).to_have_class("bk-button bk-primary")
    approve.click()
    dialog = ready.locator("[data-testid=confirm]")
    expect(dialog.locator(".dialog-title")).to_have_text("Sure?")
    expect(dialog.locator(".dialog-body b")).to_have_text("prod")
    expect(dialog.locator("[data-testid=confirm-ok]")).to_have_text("Open it")
    expect(dialog.locator("[data-testid=confirm-ok]")).to_have_class("btn btn-danger")
    dialog.locator("[data-testid=confirm-cancel]").click()
    expect(dialog).to_have_count(0)
    ready.wait_for_timeout(200)
    assert clicks == []  # denied: nothing sent to the bot


def test_an_input_block_reads_what_was_typed(ready: Page) -> None:
    block = {
        "type": "input",
        "block_id": "reason",
        "label": {"type": "plain_text", "text": "Why"},
        "hint": {"type": "plain_text", "text": "For the audit"},
        "element": {
            "type": "plain_text_input",
            "action_id": "why",
            "multiline": True,
            "placeholder": {"type": "plain_text", "text": "Because…"},
        },
    }
    render(ready, "blockkit", "renderBlocks", [block], {"surface": "modal", "target": "V0TEST"})
    wrapper = ready.locator("#rendered [data-block-type=input][data-block-id=reason]")
    expect(wrapper.locator("label.bk-input-label")).to_have_text("Why")
    expect(wrapper.locator(".bk-hint")).to_have_text("For the audit")
    area = wrapper.locator("textarea.bk-text-input[data-action-id=why]")
    expect(area).to_have_attribute("placeholder", "Because…")
    assert area.get_attribute("data-block-id") is None  # the wrapper alone names the block
    area.fill("a customer asked")
    assert ready.evaluate("window.rendered.inputs.get('reason').get()") == "a customer asked"


def test_what_a_person_types_comes_back_as_text(page: Page) -> None:
    slack = SlackPage(page)
    slack.be(DEVELOPER.id)
    slack.open(GENERAL.id)
    slack.type(f'/vpc-test "{XSS}"')  # quoted: one name, which the bot does not know and echoes
    answer = slack.message("no VPC access authorization", ephemeral=True)
    expect(answer).to_contain_text(f"'{XSS}'")
    page.wait_for_timeout(300)
    assert answer.locator("img").count() == 0
    assert page.evaluate("window.pwned") is None
