"""A fix kind the bot has never seen goes through the store and the approval flow with no
change outside its class: requested, shown to the approvers, applied, reverted."""

from __future__ import annotations

import json

from tests.bot.harness import ALICE, APPROVALS, BotHarness, eventually
from tests.bot.test_e2e import header, request_fix, result_of
from tests.bot.test_stored_fixes import overwrite
from vpctest.bot.config import BotConfig
from vpctest.bot.fix_views import approval_message
from vpctest.bot.store import State
from vpctest.diagnostics.fixes import Fix

ROUTE = {"kind": "add_route_entry", "route_table_id": "vtb-main", "cidr": "100.104.13.0/26"}


async def test_a_test_only_kind_is_stored_approved_applied_and_reverted(
    bot: BotHarness, route_kind: type[Fix]
) -> None:
    [message] = await result_of(bot)
    approval_ts = await request_fix(bot, message)
    [request_id] = [e.request_id for e in bot.store.latest_audit() if e.action == "requested"]
    assert request_id is not None
    overwrite(bot.store, request_id, fix_json=ROUTE)  # as if the checks had proposed it

    stored = bot.store.get(request_id)
    assert stored is not None and isinstance(stored.fix, route_kind)
    shown = json.dumps(approval_message(BotConfig(bot_token="xoxb-t"), stored))
    assert "route 100.104.13.0/26 to the gateway" in shown and "vtb-main" in shown

    await bot.platform.click(approval_ts, "approve", user=ALICE)
    await eventually(
        lambda: "applied" in header(bot.slack.message(APPROVALS, approval_ts)), what="applied"
    )
    applied = bot.store.get(request_id)
    assert applied is not None and applied.state is State.APPLIED
    assert applied.applied_fix.target_id == "vtb-main"
    assert applied.applied_fix.added_entries == ("100.104.13.0/26",)
    assert [step for step, *_ in route_kind.seen] == ["apply"]
    assert request_id in route_kind.seen[0][1]  # the description names the request
    assert "vtb-main" in json.dumps(bot.slack.message(APPROVALS, approval_ts))

    await bot.platform.click(approval_ts, "revert", user=ALICE)
    await eventually(
        lambda: "reverted" in header(bot.slack.message(APPROVALS, approval_ts)), what="reverted"
    )
    reverted = bot.store.get(request_id)
    assert reverted is not None and reverted.state is State.REVERTED
    assert route_kind.seen[-1] == ("revert", "100.104.13.0/26")
