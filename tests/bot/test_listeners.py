"""Each listener called directly, as Bolt would after its middleware: a recorded payload,
the actor and decoded ref read from it, recording `ack`/`respond` and a fake Web API client,
the Alibaba emulator as the cloud. What it acked and what it posted is asserted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.bot.harness import ALICE, APPROVALS, APPROVER_GROUP, BOB, DEV, GENERAL, cloud_settings
from tests.bot.recorders import FakeClient, Recorder, payload
from vpctest.bot.config import BotConfig
from vpctest.bot.context import BotContext
from vpctest.bot.diagnosis import DiagnosisService
from vpctest.bot.fixflow import FixFlow
from vpctest.bot.listeners import actions, fixes, slash
from vpctest.bot.listeners.payloads import action_value, actor_of, view_metadata
from vpctest.bot.refs import AccessRef, DenyDraft, FixDraft, FixRef, PageRef, RequestRef, StepRef
from vpctest.bot.store import Database, FixRequest, Store
from vpctest.bot.store import service as store_service
from vpctest.emulator import EmulatorServer
from vpctest.emulator.world import SgRule

SCENARIO = Path("tests/scenarios/ecs-sg-missing.yaml")
GATEWAY = "apigateway-hz-1a2b3c"
GATEWAY_CIDR = "100.104.13.0/26"


@dataclass
class Rig:
    ctx: BotContext
    store: Store
    flow: FixFlow
    cloud: EmulatorServer
    ack: Recorder
    respond: Recorder
    client: FakeClient

    def rules_for_gateway(self) -> list[Any]:
        group = self.cloud.world.security_group("sg-web")
        return [r for r in group.inbound if r.source_cidr == GATEWAY_CIDR]


def make_rig(cloud: EmulatorServer, tmp_path: Path) -> Rig:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    config = BotConfig(
        bot_token="xoxb-unit",
        team_id="T0TEAM0001",
        approval_channel=APPROVALS,
        approvers=(ALICE,),
        approver_groups=(APPROVER_GROUP,),
        database_url=url,
    )
    store = Store(Database.open(url))
    ctx = BotContext(config, DiagnosisService.from_settings(cloud_settings(cloud), None), store)
    client = FakeClient({APPROVER_GROUP: [BOB]})
    return Rig(ctx, store, FixFlow(ctx, store), cloud, Recorder(), Recorder(), client)


@pytest.fixture
def rig(cloud: EmulatorServer, tmp_path: Path) -> Iterator[Rig]:
    made = make_rig(cloud, tmp_path)
    yield made
    made.store.db.close()


def header(message: dict[str, Any]) -> str:
    return message["blocks"][0]["text"]["text"]


def text_of(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks"), ensure_ascii=False)


# /vpc-test


async def test_slash_command_acks_at_once_then_posts_the_result_in_the_channel(rig: Rig) -> None:
    body = payload("slash_command")
    await slash.vpc_test(rig.ctx, rig.ack, body, rig.respond, rig.client, actor_of(body))
    assert rig.ack.only == {"response_type": "ephemeral", "text": "Testing orders-backend…"}
    [posted] = rig.client.called("chat_postMessage")
    assert posted["channel"] == GENERAL and "orders-backend fails" in header(posted)
    assert f"Requested by <@{DEV}>" in text_of(posted)
    assert rig.respond.calls == []


async def test_slash_command_with_malformed_text_answers_usage_in_the_ack(rig: Rig) -> None:
    body = payload("slash_command") | {"text": "a b c"}
    await slash.vpc_test(rig.ctx, rig.ack, body, rig.respond, rig.client, actor_of(body))
    assert rig.ack.only["response_type"] == "ephemeral"
    assert "name one authorization" in rig.ack.only["text"] and "*Usage*" in rig.ack.only["text"]
    assert rig.client.calls == [] and sum(rig.cloud.calls.values()) == 0


# buttons on a result message


async def test_step_button_opens_a_modal_then_fills_it_with_the_step(rig: Rig) -> None:
    body = payload("block_actions_step")
    await actions.step(rig.ctx, rig.ack, body, rig.client, StepRef.decode(action_value(body)))
    assert rig.ack.only == {}
    [opened] = rig.client.called("views_open")
    assert opened["trigger_id"] == body["trigger_id"]
    assert opened["view"]["title"]["text"] == "Step 2"
    [updated] = rig.client.called("views_update")
    assert updated["view_id"] == "V0UNIT0001" and updated["hash"] == "1.h"
    assert "no rule admits TCP 8080 from 100.104.13.0/26" in json.dumps(updated["view"])


async def test_rerun_rewrites_the_result_in_place(rig: Rig) -> None:
    body = payload("block_actions_rerun")
    ref = AccessRef.decode(action_value(body))
    await actions.rerun(rig.ctx, rig.ack, rig.respond, actor_of(body), ref)
    assert rig.ack.only == {}
    reply = rig.respond.only
    assert reply["replace_original"] is True and "orders-backend fails" in header(reply)
    assert f"Re-run by <@{DEV}>" in text_of(reply)


async def test_details_posts_the_full_result_in_the_channel(rig: Rig) -> None:
    body = payload("block_actions_details")
    ref = AccessRef.decode(action_value(body))
    await actions.details(rig.ctx, rig.ack, rig.respond, rig.client, actor_of(body), ref)
    assert rig.ack.only == {}
    [posted] = rig.client.called("chat_postMessage")
    assert posted["channel"] == GENERAL and "orders-backend fails" in header(posted)


async def test_digest_rerun_rewrites_only_its_line(rig: Rig, cloud: EmulatorServer) -> None:
    body = payload("block_actions_digest_rerun")
    before = body["message"]["blocks"]
    rule = SgRule("sgr-gw", "TCP", "8080/8080", source_cidr=GATEWAY_CIDR)
    cloud.mutate(lambda w: w.security_group("sg-web").inbound.append(rule))
    ref = AccessRef.decode(action_value(body))
    action = body["actions"][0]
    await actions.digest_rerun(rig.ctx, rig.ack, body, action, rig.respond, actor_of(body), ref)
    assert rig.ack.only == {}
    reply = rig.respond.only
    assert reply["replace_original"] is True and reply["text"] == body["message"]["text"]
    after = reply["blocks"]
    assert [b.get("block_id") for b in after] == [b.get("block_id") for b in before]
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert [after[i]["block_id"] for i in changed] == ["line-1"]
    line = after[changed[0]]["text"]["text"]
    assert line.startswith(":white_check_mark: *orders-backend*") and f"re-run by <@{DEV}>" in line


async def test_digest_rerun_off_a_digest_shows_the_result_to_the_clicker(rig: Rig) -> None:
    """A Re-run in a block that is not a digest item's: no block of the message is touched."""
    body = payload("block_actions_digest_rerun")
    for block in [body["actions"][0], *body["message"]["blocks"]]:
        if block["block_id"] == "item-1":
            block["block_id"] = "result_actions"
    ref = AccessRef.decode(action_value(body))
    action = body["actions"][0]
    await actions.digest_rerun(rig.ctx, rig.ack, body, action, rig.respond, actor_of(body), ref)
    reply = rig.respond.only
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert "orders-backend fails" in header(reply)


async def test_all_page_replaces_the_summary_with_the_next_page(tmp_path: Path) -> None:
    world = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    base = world["vpc_accesses"][0]
    world["vpc_accesses"] = [
        {**base, "id": f"va-orders-{n:02d}", "name": f"orders-backend-{n:02d}"} for n in range(45)
    ]
    with EmulatorServer(world) as cloud:
        rig = make_rig(cloud, tmp_path)
        body = payload("block_actions_all_page")
        ref = PageRef.decode(action_value(body))
        assert ref == PageRef(GATEWAY, 40)
        await actions.all_page(rig.ctx, rig.ack, rig.respond, actor_of(body), ref)
        rig.store.db.close()
    assert rig.ack.only == {}
    reply = rig.respond.only
    assert reply["replace_original"] is True and "0 pass, 45 fail" in header(reply)
    assert "41–45 of 45 not passing" in text_of(reply)
    assert "orders-backend-44" in text_of(reply) and "orders-backend-39" not in text_of(reply)
    assert f"Page requested by <@{DEV}>" in text_of(reply)


# fix requests


async def test_request_fix_opens_the_modal_naming_the_change_and_its_origin(rig: Rig) -> None:
    body = payload("block_actions_request_fix")
    ref = FixRef.decode(action_value(body))
    await fixes.request_fix(rig.flow, rig.ack, body, rig.client, actor_of(body), ref)
    assert rig.ack.only == {}
    [opened] = rig.client.called("views_open")
    assert opened["trigger_id"] == body["trigger_id"]
    [updated] = rig.client.called("views_update")
    modal = updated["view"]
    assert modal["callback_id"] == "fix_request" and "sg-web" in json.dumps(modal["blocks"])
    draft = FixDraft.decode(modal["private_metadata"])
    container = body["container"]
    assert draft == FixDraft(
        "va-orders", GATEWAY, "ecs.security_group", GENERAL, container["message_ts"]
    )


async def test_submitting_the_fix_modal_stores_the_request_and_posts_it(rig: Rig) -> None:
    body = payload("view_submission_fix_request")
    draft = FixDraft.decode(view_metadata(body))
    await fixes.fix_request(rig.flow, rig.ack, body["view"], rig.client, actor_of(body), draft)
    assert rig.ack.only == {}  # the modal closes
    [request] = _requests(rig)
    assert request.requester_id == DEV and request.reason == "orders are down"
    assert request.result_ts == draft.message_ts and request.channel_id == GENERAL
    [approval] = rig.client.called("chat_postMessage")
    assert approval["channel"] == APPROVALS and request.id in approval["text"]
    [confirmation] = rig.client.called("chat_postEphemeral")
    assert confirmation == {
        "channel": GENERAL,
        "user": DEV,
        "text": f"Fix request {request.id} was sent to the approvers.",
    }


def _requests(rig: Rig) -> list[FixRequest]:
    ids = {e.request_id for e in rig.store.latest_audit(20) if e.request_id}
    return [rig.store.get(i) for i in sorted(ids)]


async def pending_request(
    rig: Rig, name: str, monkeypatch: pytest.MonkeyPatch, requester: str = DEV
) -> tuple[dict[str, Any], FixRequest]:
    """The recorded decision payload `name`, and the pending request its button names, with
    its approval message where the payload was clicked."""
    body = payload(name)
    ref = RequestRef.decode(action_value(body) or view_metadata(body))
    monkeypatch.setattr(store_service, "new_request_id", lambda: ref.request_id)
    report = await rig.ctx.diagnosis.run("va-orders", None)
    request = rig.store.create_request(
        team_id="T0TEAM0001",
        requester_id=requester,
        channel_id=GENERAL,
        vpc_access_id="va-orders",
        vpc_access_name="orders-backend",
        gateway_id=GATEWAY,
        check_id="ecs.security_group",
        fix=report.check("ecs.security_group").fix,
        result_ts="1796298263.360412",
    )
    container = body.get("container") or {"channel_id": APPROVALS, "message_ts": "1.000001"}
    rig.store.set_messages(
        request.id,
        approval_channel_id=container["channel_id"],
        approval_ts=container["message_ts"],
    )
    return body, rig.store.get(request.id)


async def test_approve_applies_the_fix_and_updates_both_messages(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    body, request = await pending_request(rig, "block_actions_approve", monkeypatch)
    await fixes.approve(rig.flow, rig.ack, rig.client, actor_of(body), request)
    assert rig.ack.only == {}
    assert rig.store.get(request.id).state == "applied"
    [rule] = rig.rules_for_gateway()
    assert BOB in rule.description and request.id in rule.description
    updates = rig.client.called("chat_update")
    approvals = [u for u in updates if u["channel"] == APPROVALS]
    assert approvals[0]["ts"] == body["container"]["message_ts"]
    assert "applying" in header(approvals[0]) and "applied" in header(approvals[-1])
    [result] = [u for u in updates if u["channel"] == GENERAL]
    assert result["ts"] == request.result_ts and "orders-backend passes" in header(result)


async def test_deny_opens_the_deny_modal_for_that_request(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    body, request = await pending_request(rig, "block_actions_deny", monkeypatch)
    await fixes.deny(rig.flow, rig.ack, body, rig.client, request)
    assert rig.ack.only == {}
    [opened] = rig.client.called("views_open")
    assert opened["trigger_id"] == body["trigger_id"]
    assert opened["view"]["callback_id"] == "deny_reason"
    assert DenyDraft.decode(opened["view"]["private_metadata"]) == DenyDraft(request.id)
    assert rig.store.get(request.id).state == "pending"


async def test_submitting_the_deny_modal_denies_with_the_reason(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    body, request = await pending_request(rig, "view_submission_deny_reason", monkeypatch)
    await fixes.deny_reason(rig.flow, rig.ack, body["view"], rig.client, actor_of(body), request)
    assert rig.ack.only == {}
    denied = rig.store.get(request.id)
    assert denied.state == "denied" and denied.decided_by == ALICE
    assert denied.decision_reason == "change window closed"
    [update] = rig.client.called("chat_update")
    assert "denied" in header(update) and "change window closed" in json.dumps(update)
    assert rig.rules_for_gateway() == []


async def test_revert_removes_the_rule_the_fix_added(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    body, request = await pending_request(rig, "block_actions_revert", monkeypatch)
    await rig.flow.approve(rig.client, actor_of(payload("block_actions_approve")), request)
    assert len(rig.rules_for_gateway()) == 1
    await fixes.revert(rig.flow, rig.ack, rig.client, actor_of(body), rig.store.get(request.id))
    assert rig.ack.only == {}
    reverted = rig.store.get(request.id)
    assert reverted.state == "reverted" and reverted.reverted_by == ALICE
    assert rig.rules_for_gateway() == []
    approvals = [u for u in rig.client.called("chat_update") if u["channel"] == APPROVALS]
    assert "reverted" in header(approvals[-1])


async def test_a_decision_the_request_no_longer_allows_is_told_to_the_clicker(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second Approve on an applied request: nothing changes, and the clicker hears why."""
    body, request = await pending_request(rig, "block_actions_approve", monkeypatch)
    await fixes.approve(rig.flow, Recorder(), rig.client, actor_of(body), request)
    await fixes.approve(rig.flow, rig.ack, rig.client, actor_of(body), request)
    assert rig.ack.only == {}
    [told] = rig.client.called("chat_postEphemeral")
    assert told["user"] == BOB and told["channel"] == APPROVALS
    assert told["text"].startswith("Nothing changed: this request is ")
    assert len(rig.rules_for_gateway()) == 1
