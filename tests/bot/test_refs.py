"""Typed button values and modal metadata: what they encode to, what they refuse, and that
the buttons already posted in Slack (this wire format's earlier writers) still decode."""

from __future__ import annotations

import pytest

from tests.bot.recorders import payload
from vpctest.bot.listeners.payloads import action_value, view_metadata
from vpctest.bot.refs import (
    BUTTON_VALUE_LIMIT,
    AccessRef,
    DenyDraft,
    FixDraft,
    FixRef,
    PageRef,
    Ref,
    RequestRef,
    StepRef,
)
from vpctest.bot.refusals import BadRef

REFS = [
    AccessRef("va-orders", "apigateway-hz-1a2b3c"),
    AccessRef("va-orders", None),
    StepRef("va-orders", "apigateway-hz-1a2b3c", 0),
    StepRef("va-orders", None, 3),
    FixRef("va-orders", "apigateway-hz-1a2b3c", "ecs.security_group"),
    PageRef("apigateway-hz-1a2b3c", 40),
    PageRef(None, 0),
    RequestRef("FR-7Q2K9M"),
    FixDraft("va-orders", "apigateway-hz-1a2b3c", "clb.acl", "C0GENERAL1", "1700000000.000100"),
    FixDraft("va-orders", None, "clb.acl", None, None),
    DenyDraft("FR-7Q2K9M"),
]


@pytest.mark.parametrize("ref", REFS, ids=repr)
def test_every_ref_survives_the_round_trip(ref: Ref) -> None:
    assert type(ref).decode(ref.encode()) == ref


@pytest.mark.parametrize("ref", REFS, ids=repr)
def test_every_cut_of_a_value_is_refused_in_words(ref: Ref) -> None:
    value = ref.encode()
    for end in range(len(value)):
        with pytest.raises(BadRef) as refused:
            type(ref).decode(value[:end])
        assert "not one vpc-test made" in refused.value.reason


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("block_actions_step", StepRef, StepRef("va-orders", "apigateway-hz-1a2b3c", 2)),
        ("block_actions_rerun", AccessRef, AccessRef("va-orders", "apigateway-hz-1a2b3c")),
        ("block_actions_details", AccessRef, AccessRef("va-orders", "apigateway-hz-1a2b3c")),
        ("block_actions_all_page", PageRef, PageRef("apigateway-hz-1a2b3c", 40)),
        (
            "block_actions_request_fix",
            FixRef,
            FixRef("va-orders", "apigateway-hz-1a2b3c", "ecs.security_group"),
        ),
        ("block_actions_approve", RequestRef, RequestRef("FR-DC7N7B")),
        ("view_submission_deny_reason", DenyDraft, DenyDraft("FR-A838R1")),
    ],
)
def test_recorded_values_decode(name: str, kind: type[Ref], expected: Ref) -> None:
    body = payload(name)
    assert kind.decode(action_value(body) or view_metadata(body)) == expected


def test_buttons_posted_by_earlier_versions_still_decode() -> None:
    """The wire keys are those buttons already in Slack carry: a digest line with no gateway,
    extra keys (a step number on a Re-run) are read as ever."""
    assert AccessRef.decode('{"va":"va-1","gw":""}') == AccessRef("va-1", None)
    assert AccessRef.decode('{"va":"va-1","gw":"gw-1","s":2}') == AccessRef("va-1", "gw-1")
    assert PageRef.decode('{"gw":"","o":80}') == PageRef(None, 80)


@pytest.mark.parametrize(
    ("kind", "value", "why"),
    [
        (StepRef, '{"va":"va-1","gw":"g","s":4}', "'s' is out of range"),
        (StepRef, '{"va":"va-1","gw":"g","s":-1}', "'s' is out of range"),
        (StepRef, '{"va":"va-1","gw":"g","s":true}', "'s' is not a number"),
        (StepRef, '{"va":"va-1","gw":"g","s":"2"}', "'s' is not a number"),
        (PageRef, '{"gw":"g","o":1e3}', "'o' is not a number"),
        (FixRef, '{"va":"va-1","gw":"g"}', "'c' is missing"),
        (RequestRef, '{"id":["FR-1"]}', "'id' is not text"),
        (RequestRef, "FR-7Q2K9M", "it is not JSON, perhaps cut short"),
        (RequestRef, "null", "it is not a JSON object"),
        (RequestRef, "[" * 1000 + "]" * 1000, "it is not JSON, perhaps cut short"),
        (AccessRef, '{"va":"' + "v" * 300 + '"}', "'va' is not an id"),
    ],
)
def test_a_value_of_the_wrong_shape_says_what_is_wrong(
    kind: type[Ref], value: str, why: str
) -> None:
    with pytest.raises(BadRef) as refused:
        kind.decode(value)
    assert refused.value.reason == (
        f"This button's value is not one vpc-test made: {why}. Re-run the test for fresh buttons."
    )


def test_encoding_past_slacks_limit_is_an_error_not_a_truncated_value() -> None:
    fits = AccessRef("v" * 200, "g" * 200)
    assert len(fits.encode()) <= BUTTON_VALUE_LIMIT
    with pytest.raises(ValueError, match="over Slack's limit of 2000"):
        AccessRef("v" * 1000, "g" * 1000).encode()
    with pytest.raises(BadRef, match="too long"):
        AccessRef.decode('{"va":"' + "v" * BUTTON_VALUE_LIMIT + '"}')
