"""The listener middleware on recorded payloads: who may do what is checked once, what a
button carries is decoded, and every refusal is told one way, without a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.bot.harness import ALICE, APPROVALS, APPROVER_GROUP, BOB, DEV, EVE, GENERAL
from tests.bot.recorders import FakeClient, Next, bolt_context, payload
from vpctest.bot.config import BotConfig
from vpctest.bot.guard import Actor, Approvers
from vpctest.bot.listeners import middleware
from vpctest.bot.listeners.payloads import actor_of
from vpctest.bot.refs import AccessRef, DenyDraft, RequestRef
from vpctest.bot.store import Database, Store
from vpctest.bot.store import service as store_service

TEAM = "T0TEAM0001"
CONFIG = BotConfig(
    bot_token="xoxb-unit",
    team_id=TEAM,
    approval_channel=APPROVALS,
    approvers=(ALICE,),
    approver_groups=(APPROVER_GROUP,),
    allowed_users=(DEV, ALICE, BOB),
)
FIX = {
    "kind": "authorize_security_group",
    "security_group_id": "sg-web",
    "protocol": "TCP",
    "port_range": "8080/8080",
    "source_cidrs": ["100.104.13.0/26"],
    "priority": 1,
}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(Database.open(f"sqlite:///{tmp_path / 'bot.db'}"))
    yield opened
    opened.db.close()


def as_user(body: dict[str, Any], user: str) -> dict[str, Any]:
    if "user_id" in body:
        body["user_id"] = user
    else:
        body["user"]["id"] = user
    return body


async def run(mw: Any, *deps: Any, body: dict[str, Any], **context: Any) -> tuple[Any, Next]:
    """Run middleware `mw` on `body` as Bolt does: (the context afterwards, its `next`)."""
    ctx = bolt_context(**{"actor": actor_of(body), **context})
    after = Next()
    await mw(*deps, body=body, context=ctx, next=after)
    return ctx, after


def told(ctx: Any) -> str:
    """The one refusal the user was shown, whichever way the request allowed."""
    ack, respond = ctx["ack"], ctx["respond"]
    posted = ctx["client"].called("chat_postEphemeral")
    if ack.calls and "text" in ack.only:
        return ack.only["text"]
    if ack.calls and "errors" in ack.only:
        assert ack.only["response_action"] == "errors"
        return ack.only["errors"]["reason"]
    assert ack.only == {}  # a click is acked empty, then told
    [reply] = respond.calls or posted
    assert reply.get("response_type", "ephemeral") == "ephemeral"
    assert reply.get("replace_original", False) is False  # the message clicked stays
    return reply["text"]


@pytest.mark.parametrize(
    "name",
    ["slash_command", "block_actions_rerun", "view_submission_fix_request"],
)
async def test_a_user_off_the_allow_list_is_refused_and_the_listener_never_runs(name) -> None:
    ctx, after = await run(middleware.may_run_tests, CONFIG, body=as_user(payload(name), EVE))
    assert not after.called
    assert told(ctx) == "You are not on the list of users who may run vpc-test."


async def test_a_listed_user_goes_on() -> None:
    ctx, after = await run(middleware.may_run_tests, CONFIG, body=payload("block_actions_rerun"))
    assert after.called and ctx["ack"].calls == [] and ctx["respond"].calls == []


async def test_a_channel_off_the_allow_list_is_refused() -> None:
    config = BotConfig(bot_token="xoxb-unit", allowed_channels=(APPROVALS,))
    ctx, after = await run(middleware.may_run_tests, config, body=payload("slash_command"))
    assert not after.called and "does not run in this channel" in told(ctx)


async def test_another_workspace_is_told_in_the_ack_only() -> None:
    body = payload("block_actions_rerun")
    body["team"]["id"] = body["user"]["team_id"] = "T0OTHER001"
    ctx, after = await run(middleware.in_workspace, CONFIG, body=body)
    assert not after.called
    assert ctx["actor"] == Actor("T0OTHER001", DEV, GENERAL)
    assert ctx["ack"].only == {} and ctx["respond"].calls == []  # nothing posted there
    assert ctx["client"].calls == []


async def test_the_workspace_middleware_puts_the_actor_in_the_context() -> None:
    ctx, after = await run(middleware.in_workspace, CONFIG, body=payload("block_actions_approve"))
    assert after.called and ctx["actor"] == Actor(TEAM, BOB, APPROVALS)


def _value() -> str:
    return payload("block_actions_rerun")["actions"][0]["value"]


FORGED = [
    pytest.param(None, id="no-value"),
    pytest.param("", id="empty"),
    pytest.param(_value()[:-3], id="truncated"),
    pytest.param(_value()[: len(_value()) // 2], id="cut-in-half"),
    pytest.param('{"va": 7, "gw": "apigateway-hz-1a2b3c"}', id="id-a-number"),
    pytest.param('{"gw": "apigateway-hz-1a2b3c"}', id="no-access-id"),
    pytest.param('["va-orders"]', id="a-list"),
    pytest.param('"va-orders"', id="a-string"),
    pytest.param('{"va": "va-orders\\u0000"}', id="control-character"),
    pytest.param(json.dumps({"va": "x" * 3000}), id="over-the-limit"),
]


@pytest.mark.parametrize("value", FORGED)
async def test_a_forged_or_truncated_button_value_is_refused_in_words(value) -> None:
    body = payload("block_actions_rerun")
    if value is None:
        del body["actions"][0]["value"]
    else:
        body["actions"][0]["value"] = value
    ctx, after = await run(middleware.decoded, AccessRef, body=body)
    assert not after.called and "ref" not in ctx
    text = told(ctx)
    assert text.startswith("This button's value is not one vpc-test made: ")
    assert text.endswith("Re-run the test for fresh buttons.")


async def test_a_real_button_value_is_decoded_into_the_context() -> None:
    ctx, after = await run(middleware.decoded, AccessRef, body=payload("block_actions_rerun"))
    assert after.called
    assert ctx["ref"] == AccessRef("va-orders", "apigateway-hz-1a2b3c")


async def test_forged_modal_metadata_is_shown_under_the_reason_input() -> None:
    body = payload("view_submission_deny_reason")
    body["view"]["private_metadata"] = "FR-ABCDEF"  # an older bot's bare id, or a forgery
    ctx, after = await run(middleware.decoded, DenyDraft, body=body)
    assert not after.called
    assert told(ctx).startswith("This form is not one vpc-test made: it is not JSON")


def _request(store: Store, requester: str = DEV) -> str:
    return store.create_request(
        team_id=TEAM,
        requester_id=requester,
        channel_id=GENERAL,
        vpc_access_id="va-orders",
        gateway_id="apigateway-hz-1a2b3c",
        check_id="ecs.security_group",
        fix=FIX,
        ttl=timedelta(hours=1),
    ).id


async def decide(store: Store, user: str, request_id: str, client: FakeClient) -> tuple[Any, Next]:
    body = as_user(payload("block_actions_approve"), user)
    approvers = Approvers(CONFIG)
    return await run(
        middleware.may_decide,
        approvers,
        store,
        body=body,
        ref=RequestRef(request_id),
        client=client,
    )


async def test_an_approver_through_a_user_group_may_decide(store: Store) -> None:
    request_id = _request(store)
    client = FakeClient({APPROVER_GROUP: [BOB]})
    ctx, after = await decide(store, BOB, request_id, client)
    assert after.called and ctx["fix_request"].id == request_id
    assert client.called("usergroups_users_list") == [{"usergroup": APPROVER_GROUP}]


@pytest.mark.parametrize(
    ("user", "requester", "text", "why"),
    [
        (EVE, DEV, "Only an approver may decide fix requests.", "not an approver"),
        (
            ALICE,
            ALICE,
            "You cannot decide your own fix request: ask another approver.",
            "own request",
        ),
    ],
)
async def test_who_may_not_decide_is_refused_and_audited(
    store: Store, user: str, requester: str, text: str, why: str
) -> None:
    request_id = _request(store, requester)
    ctx, after = await decide(store, user, request_id, FakeClient())
    assert not after.called and "fix_request" not in ctx
    assert told(ctx) == text
    [refused] = [e for e in store.latest_audit(10) if e.action == "refused"]
    assert refused.actor == user and refused.request_id == request_id
    assert refused.detail == {"why": why}
    assert store.get(request_id).state == "pending"


async def test_a_stale_request_id_is_refused_in_words(store: Store) -> None:
    ctx, after = await decide(store, ALICE, "FR-ZZZZZZ", FakeClient())
    assert not after.called and told(ctx) == "There is no fix request FR-ZZZZZZ."


async def test_slack_failing_to_list_the_approvers_is_a_refusal_not_a_crash(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from slack_sdk.errors import SlackApiError

    client = FakeClient()

    async def failing(**_: Any) -> Any:
        raise SlackApiError("ratelimited", {"ok": False, "error": "ratelimited"})

    monkeypatch.setattr(client, "usergroups_users_list", failing)
    ctx, after = await decide(store, BOB, _request(store), client)
    assert not after.called
    assert told(ctx) == "vpc-test could not ask Slack who the approvers are: try again."


async def test_a_recorded_request_id_is_found_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The approve payload's own id: what the button carries is what the store keeps."""
    ref = RequestRef.decode(payload("block_actions_approve")["actions"][0]["value"])
    monkeypatch.setattr(store_service, "new_request_id", lambda: ref.request_id)
    assert _request(store) == ref.request_id
    ctx, after = await decide(store, ALICE, ref.request_id, FakeClient())
    assert after.called and ctx["fix_request"].id == ref.request_id
