"""The page's renderer, run in chromium: Slack's mrkdwn and Block Kit as DOM, and nothing the bot
sends ever parsed as HTML."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from emulator.playground.people import DEVELOPER, GENERAL
from tests.browser.slack_page import SlackPage

RENDER_MRKDWN = """async (text) => {
  const { mrkdwn } = await import('/static/mrkdwn.js');
  const box = document.createElement('div');
  box.append(mrkdwn(text));
  return box.innerHTML;
}"""


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("*bold* _italic_ ~gone~", "<b>bold</b> <i>italic</i> <s>gone</s>"),
        ("run `vpc-test check`", "<code"),
        ("```a\nb```", "<pre class=\"mk-pre\">a\nb</pre>"),
        ("<https://example.com/x|the console>", 'href="https://example.com/x"'),
        ("<https://example.com/x|the console>", 'rel="noopener'),
        ("<@U0ALICE01> approved", "@alice"),
        ("in <#C0GENERAL1>", "#general"),
        (":white_check_mark: :no_such_emoji:", "✅ :no_such_emoji:"),
        ("clb.backend_security_group stays", "clb.backend_security_group stays"),
        ("a &lt;b&gt; c", "a &lt;b&gt; c"),
    ],
)
def test_mrkdwn(page: Page, text: str, shown: str) -> None:
    assert shown in page.evaluate(RENDER_MRKDWN, text)


def test_a_javascript_link_is_not_a_link(page: Page) -> None:
    html = page.evaluate(RENDER_MRKDWN, "<javascript:alert(1)|click me>")
    assert "href" not in html and "click me" in html


def test_markup_in_the_bots_text_is_shown_never_run(page: Page) -> None:
    escaped = page.evaluate(RENDER_MRKDWN, "&lt;img src=x onerror=window.pwned=1&gt; *and*")
    assert "&lt;img src=x onerror=window.pwned=1&gt; <b>and</b>" in escaped  # shown as typed
    raw = page.evaluate(RENDER_MRKDWN, '<img src=x onerror="window.pwned=1"><script>x=1</script>')
    assert "<img" not in raw and "<script" not in raw  # Slack's <…> syntax, never HTML
    page.wait_for_timeout(200)
    assert page.evaluate("window.pwned") is None


def test_a_date_token_shows_its_time_or_its_fallback(page: Page) -> None:
    html = page.evaluate(RENDER_MRKDWN, "due <!date^1795597200^{date_short_pretty} {time}|soon>")
    assert "soon" not in html and "9:00" in html  # the page runs in UTC (tests/browser/conftest)
    broken = page.evaluate(RENDER_MRKDWN, "due <!date^nope^{date}|some day>")
    assert "some day" in broken


def test_blocks_render_with_their_hooks(page: Page) -> None:
    html = page.evaluate(
        """async () => {
          const { renderBlocks } = await import('/static/blockkit.js');
          const blocks = [
            {type: 'header', block_id: 'h', text: {type: 'plain_text', text: 'Title *not bold*'}},
            {type: 'section', block_id: 's', fields: [
              {type: 'mrkdwn', text: '*Gateway*'}, {type: 'mrkdwn', text: 'apigw-1'}]},
            {type: 'actions', block_id: 'a', elements: [{type: 'button', action_id: 'approve',
              style: 'primary', value: 'FR-1', text: {type: 'plain_text', text: 'Approve'},
              confirm: {title: {type: 'plain_text', text: 'Sure?'},
                        text: {type: 'mrkdwn', text: 'Really'},
                        confirm: {type: 'plain_text', text: 'Yes'},
                        deny: {type: 'plain_text', text: 'No'}}}]},
            {type: 'input', block_id: 'reason', label: {type: 'plain_text', text: 'Why'},
             element: {type: 'plain_text_input', action_id: 'reason', multiline: true}},
            {type: 'no_such_block', block_id: 'z'},
          ];
          const box = document.createElement('div');
          let n = 0;
          const ctx = {surface: 'modal', target: 'V0TEST', inputs: new Map(), carry: new Map(),
                       uid: () => `t-${n++}`};
          box.append(renderBlocks(blocks, ctx));
          return box.innerHTML;
        }"""
    )
    assert "Title *not bold*" in html  # plain_text stays plain
    assert "<b>Gateway</b>" in html and "apigw-1" in html
    assert 'data-action-id="approve"' in html and 'data-block-id="a"' in html
    assert 'data-block-id="reason"' in html and "<textarea" in html
    assert "no_such_block" in html  # an unknown block is named, not dropped silently


def test_what_a_person_types_comes_back_as_text(page: Page) -> None:
    slack = SlackPage(page)
    slack.be(DEVELOPER.id)
    slack.open(GENERAL.id)
    typed = "<img/src=x/onerror=window.pwned=1>"
    slack.type(f"/vpc-test {typed}")
    answer = slack.message("onerror", ephemeral=True)
    expect(answer).to_contain_text(typed)  # the bot escapes it; the page shows it as text
    assert answer.locator("img").count() == 0
    assert page.evaluate("window.pwned") is None
