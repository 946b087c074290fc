"""The whole story in a browser: a test fails on a security group, the step-2 modal names the
rule, a fix is requested, an outsider's approval is refused, an approver's is applied, the
message turns to pass and the cloud panel shows the new rule; then a digest posts."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.slack_page import SlackPage
from vpctest.playground.people import APPROVALS, APPROVER, DEVELOPER, DIGESTS, GENERAL, OUTSIDER

EGRESS = "100.104.13.0/26"  # the demo gateway's egress range


def test_fix_a_security_group_from_the_result_to_the_approval(page, shot) -> None:
    slack = SlackPage(page)
    expect(slack.bot_status()).to_have_attribute("data-status", "up")
    slack.be(DEVELOPER.id)
    slack.open(GENERAL.id)
    slack.type("/vpc-test billing-backend")
    result = slack.message("billing-backend fails")
    expect(result).to_be_visible()
    expect(result.locator("[data-action-id=step_2]")).to_be_visible()
    ts = result.get_attribute("data-ts")
    result = page.locator(f"[data-testid=message][data-ts='{ts}']")  # the same message, updated
    shot(page, "1-result")

    slack.click(result, "step_2")
    expect(slack.modal).to_contain_text("sg-billing")  # the group whose rules decide
    expect(slack.modal).to_contain_text("8080")
    shot(page, "2-step-2-modal")
    slack.close_modal()

    slack.click(result, "request_fix")
    expect(slack.modal.locator("[data-block-id=reason]")).to_be_visible()
    slack.fill("reason", "billing calls time out since Tuesday")
    shot(page, "3-fix-request")
    slack.submit()
    expect(slack.modal).to_have_count(0)

    slack.open(APPROVALS.id)
    request = page.locator("[data-testid=message]", has=page.locator("[data-action-id=approve]"))
    expect(request).to_be_visible()
    request = page.locator(f"[data-testid=message][data-ts='{request.get_attribute('data-ts')}']")
    expect(slack.rule("sg-billing", EGRESS)).to_have_count(0)

    slack.be(OUTSIDER.id)
    slack.click(request, "approve")
    refusal = slack.message("approver", ephemeral=True)
    expect(refusal).to_be_visible()
    expect(slack.rule("sg-billing", EGRESS)).to_have_count(0)  # nothing was applied
    shot(page, "4-outsider-refused")

    slack.be(APPROVER.id)
    expect(refusal).to_have_count(0)  # eve's ephemeral refusal is hers alone
    slack.click(request, "approve")
    expect(request).to_contain_text("applied")
    new_rule = slack.rule("sg-billing", EGRESS)
    expect(new_rule).to_have_count(1)
    expect(new_rule).to_have_attribute("data-new", "true")
    shot(page, "5-approved")

    slack.open(GENERAL.id)
    expect(result).to_contain_text("billing-backend passes")
    shot(page, "6-passes")


def test_run_the_digest_now(page, shot) -> None:
    slack = SlackPage(page)
    slack.be(DEVELOPER.id)
    slack.open(DIGESTS.id)
    page.click("[data-testid=run-digest]")
    digest = page.locator("[data-testid=message]:not([data-ephemeral=true])").last
    expect(digest).to_contain_text("inventory-backend")  # a failing authorization is listed
    expect(digest.locator("[data-action-id]").first).to_be_visible()
    digest.evaluate("message => message.scrollIntoView({block: 'start'})")  # its header
    shot(page, "7-digest")
