"""The store keeps a fix as its JSON and reads it back as the typed object; one it cannot
read (a kind this version does not know) is a clear error, in the store, in the approval
message and when an approver approves it, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import update

from tests.bot.harness import ALICE, APPROVALS, BotHarness, eventually
from tests.bot.test_e2e import header, request_fix, result_of
from vpctest.bot.config import BotConfig
from vpctest.bot.fix_views import approval_message
from vpctest.bot.store import FixRequest, State, Store
from vpctest.diagnostics.fixes import AddAclEntries, AppliedFix, AuthorizeSecurityGroup, FixError

UNKNOWN = {"kind": "open_port", "port": 22}
SG = AuthorizeSecurityGroup("sg-web", "8080/8080", ("100.104.13.0/26",), 1)


def new_request(store: Store, fix: Any = SG) -> FixRequest:
    return store.create_request(
        team_id="T1",
        requester_id="U1",
        channel_id="C1",
        vpc_access_id="va-orders",
        gateway_id="gw",
        check_id="ecs.security_group",
        fix=fix,
    )


def overwrite(store: Store, request_id: str, **columns: Any) -> None:
    """What another version of the bot might have left in a row."""
    store.db.transaction(
        lambda s: s.execute(update(FixRequest).where(FixRequest.id == request_id).values(columns))
    )


@pytest.mark.parametrize("fix", [SG, AddAclEntries("acl-1", ("100.104.13.0/26",))])
def test_the_store_keeps_the_json_and_gives_back_the_typed_fix(store: Store, fix: Any) -> None:
    made = new_request(store, fix)
    stored = store.get(made.id)
    assert stored is not None and stored.fix == fix and type(stored.fix) is type(fix)
    assert stored.fix_json == fix.to_json()
    assert store.history(made.id)[0].detail["fix"] == fix.to_json()


def test_the_json_form_is_accepted_and_checked(store: Store) -> None:
    assert new_request(store, SG.to_json()).fix == SG
    with pytest.raises(FixError, match="unknown fix kind 'open_port'"):
        new_request(store, UNKNOWN)
    assert [e.action for e in store.latest_audit()] == ["requested"]


def test_an_unreadable_stored_fix_is_a_clear_error(store: Store) -> None:
    made = new_request(store)
    overwrite(store, made.id, fix_json=UNKNOWN)
    stored = store.get(made.id)
    assert stored is not None
    with pytest.raises(FixError) as raised:
        _ = stored.fix
    assert str(raised.value) == (
        f"fix request {made.id}: its stored fix cannot be read: unknown fix kind 'open_port'; "
        "known: add_acl_entries, authorize_security_group"
    )
    text = json.dumps(approval_message(BotConfig(bot_token="xoxb-t"), stored))
    assert "its stored fix cannot be read" in text  # the message still renders, and says why


def test_an_unreadable_applied_record_is_a_clear_error(store: Store) -> None:
    made = new_request(store)
    store.claim_for_apply(made.id, "U2")
    store.mark_applied(made.id, AppliedFix(SG.kind, "sg-web", added_rule_ids=("sgr-1",)))
    overwrite(store, made.id, applied={"kind": SG.kind})
    stored = store.get(made.id)
    assert stored is not None and stored.state is State.APPLIED
    with pytest.raises(FixError, match=f"fix request {made.id}: .*'target_id'"):
        _ = stored.applied_fix


async def test_approving_a_fix_this_bot_cannot_read_fails_it_and_says_why(
    bot: BotHarness,
) -> None:
    [message] = await result_of(bot)
    approval_ts = await request_fix(bot, message)
    [request] = [e.request_id for e in bot.store.latest_audit() if e.action == "requested"]
    assert request is not None
    overwrite(bot.store, request, fix_json=UNKNOWN)

    await bot.platform.click(approval_ts, "approve", user=ALICE)
    await eventually(
        lambda: "could not be applied" in header(bot.slack.message(APPROVALS, approval_ts)),
        what="the failed apply",
    )
    failed = bot.store.get(request)
    assert failed is not None and failed.state is State.APPLY_FAILED
    assert failed.error and "unknown fix kind 'open_port'" in failed.error
    shown = json.dumps(bot.slack.message(APPROVALS, approval_ts))
    assert "unknown fix kind" in shown
    assert not any(
        r.source_cidr == "100.104.13.0/26" for r in bot.cloud.world.security_group("sg-web").inbound
    )
