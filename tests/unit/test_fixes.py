"""The typed fixes: each kind's JSON form (docs/spec/diagnosis.md) round trip, the errors
for what is not a fix, their words in the catalog, and a new kind as one class."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tests.unit.snapshots import ecs_snapshot, rule
from vpctest.bot.fix_views import change_fields
from vpctest.cli.text import render_report
from vpctest.diagnostics.checks import run_checks
from vpctest.diagnostics.fixes import (
    DESCRIPTION_LIMIT,
    AddAclEntries,
    AppliedFix,
    AuthorizeSecurityGroup,
    Fix,
    FixError,
    Wording,
    known_kinds,
)
from vpctest.diagnostics.report import CheckResult, Report, Status
from vpctest.messages import bundle

SPEC = Path(__file__).resolve().parents[2] / "docs" / "spec" / "diagnosis.md"
SG = AuthorizeSecurityGroup("sg-web", "8080/8080", ("100.104.13.0/26",), 1)
ACL = AddAclEntries("acl-shop", ("100.104.13.0/26", "100.104.200.0/26"))
SAMPLES: dict[str, Fix] = {SG.kind: SG, ACL.kind: ACL}
NO_CLOUD: Any = None  # the test kind below calls no cloud


def spec_report() -> dict[str, Any]:
    """The example report of the spec's "The JSON report" section."""
    text = SPEC.read_text(encoding="utf-8")
    block = re.search(r"## The JSON report.*?```json\n(.*?)```", text, re.S)
    assert block, "the spec's JSON example"
    return json.loads(block[1])


# The JSON form


def test_the_specs_security_group_fix_reads_and_writes_back_exactly() -> None:
    example = next(c["fix"] for c in spec_report()["checks"] if "fix" in c)
    fix = Fix.from_json(example)
    assert fix == SG
    assert json.dumps(fix.to_json()) == json.dumps(example)  # the same keys, in the same order


@pytest.mark.parametrize("fix", SAMPLES.values(), ids=SAMPLES.keys())
def test_every_kind_round_trips_through_its_json(fix: Fix) -> None:
    data = fix.to_json()
    assert next(iter(data)) == "kind" and data["kind"] == fix.kind
    assert Fix.from_json(json.loads(json.dumps(data))) == fix
    assert type(fix).from_json(data) == fix


def test_the_acl_fix_has_the_specs_fields() -> None:
    assert ACL.to_json() == {
        "kind": "add_acl_entries",
        "acl_id": "acl-shop",
        "entries": ["100.104.13.0/26", "100.104.200.0/26"],
    }


def test_a_check_results_json_carries_its_fixs_json() -> None:
    result = CheckResult("clb.acl", Status.FAIL, "…", {}, ACL)
    assert result.to_json()["fix"] == ACL.to_json()
    assert "fix" not in CheckResult("clb.acl", Status.PASS, "…").to_json()


def test_an_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(FixError) as raised:
        Fix.from_json({"kind": "open_everything", "port": 22})
    assert str(raised.value) == (
        "unknown fix kind 'open_everything'; known: add_acl_entries, authorize_security_group"
    )
    assert known_kinds() == ("add_acl_entries", "authorize_security_group")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "must be a JSON object, not NoneType"),
        (["kind"], "must be a JSON object, not list"),
        ({}, "unknown fix kind None"),
        ({"kind": 7}, "unknown fix kind 7"),
        ({**SG.to_json(), "security_group_id": ""}, "'security_group_id' as a non-empty string"),
        ({**SG.to_json(), "source_cidrs": "100.104.13.0/26"}, "'source_cidrs' as a list"),
        ({**SG.to_json(), "source_cidrs": []}, "at least one entry in 'source_cidrs'"),
        ({**SG.to_json(), "priority": "1"}, "'priority' as an integer 1..100, not '1'"),
        ({**SG.to_json(), "priority": 101}, "'priority' as an integer 1..100"),
        ({**SG.to_json(), "priority": True}, "'priority' as an integer"),
        ({**SG.to_json(), "port_range": "8080"}, "'port_range' as P/P"),
        ({**SG.to_json(), "source_cidr": "x"}, "has no field 'source_cidr'"),
        ({"kind": "add_acl_entries", "acl_id": "acl-1"}, "'entries' as a list of strings"),
        ({"kind": "add_acl_entries", "entries": ["10.0.0.0/8"]}, "'acl_id'"),
    ],
)
def test_a_malformed_fix_is_a_fix_error_that_says_what_is_wrong(data: Any, message: str) -> None:
    with pytest.raises(FixError, match=re.escape(message)):
        Fix.from_json(data)


def test_a_kinds_class_reads_only_its_own_kind() -> None:
    with pytest.raises(FixError, match="'authorize_security_group' is not one of kind"):
        AddAclEntries.from_json(SG.to_json())


def test_the_protocol_defaults_to_tcp() -> None:
    data = {k: v for k, v in SG.to_json().items() if k != "protocol"}
    assert Fix.from_json(data) == SG


def test_an_applied_record_round_trips_and_a_bad_one_is_a_fix_error() -> None:
    applied = AppliedFix(SG.kind, "sg-web", added_rule_ids=("sgr-1",), already_present=("x",))
    assert AppliedFix.from_json(applied.to_json()) == applied
    with pytest.raises(FixError, match="'target_id'"):
        AppliedFix.from_json({"kind": "add_acl_entries"})
    with pytest.raises(FixError, match="unknown fix kind 'gone'"):
        AppliedFix.from_json({**applied.to_json(), "kind": "gone"})
    with pytest.raises(FixError, match="'added_rule_ids' as a list"):
        AppliedFix.from_json({**applied.to_json(), "added_rule_ids": "sgr-1"})


# Words


def test_the_words_of_a_security_group_fix() -> None:
    assert SG.describe().render() == (
        "in sg-web, allow TCP 8080/8080 from 100.104.13.0/26 at priority 1"
    )
    assert SG.describe(Wording.NOTE).render() == (
        "fix: allow TCP 8080/8080 from 100.104.13.0/26 in sg-web at priority 1"
    )
    assert SG.describe(Wording.MRKDWN).render() == (
        "In `sg-web`, accept TCP 8080/8080 from 100.104.13.0/26 at priority 1"
    )
    assert [(f.label.render(), f.rendered(), f.literal) for f in SG.fields()] == [
        ("Change", "add an inbound accept rule", False),
        ("Security group", "sg-web", True),
        ("Protocol and port", "TCP 8080/8080", False),
        ("Source CIDRs", "100.104.13.0/26", False),
        ("Priority", "1", False),
    ]


def test_the_words_of_an_acl_fix() -> None:
    entries = "100.104.13.0/26, 100.104.200.0/26"
    assert ACL.describe().render() == f"add {entries} to access control list acl-shop"
    assert ACL.describe(Wording.NOTE).render() == f"fix: add {entries} to acl-shop"
    assert ACL.describe(Wording.MRKDWN).render() == (
        f"Add {entries} to access control list `acl-shop`"
    )
    assert change_fields(ACL) == [
        "*Change*\nadd entries to a CLB access control list",
        "*Access control list*\n`acl-shop`",
        f"*Entries*\n{entries}",
    ]


def test_describe_is_a_code_and_its_parameters() -> None:
    message = SG.describe(Wording.NOTE)
    assert message.code == "fix-authorize-security-group-note"
    assert message.params["priority"] == 1 and message.params["group"] == "sg-web"


@pytest.mark.parametrize("fix", SAMPLES.values(), ids=SAMPLES.keys())
def test_every_kind_has_every_wording_in_the_english_catalog(fix: Fix) -> None:
    english = bundle("en")
    for wording in Wording:
        assert english.has_message(fix.describe(wording).code), (fix.kind, wording)
    for field in fix.fields():
        assert english.has_message(field.label.code), field
    assert set(SAMPLES) == set(known_kinds())  # a new kind gets a sample here too


def test_the_fix_codes_are_kebab_case_and_start_with_fix() -> None:
    text = resources.files("vpctest.messages").joinpath("catalog/en/fixes.ftl").read_text()
    codes = re.findall(r"^([a-z][a-z0-9-]*) =", text, re.M)
    assert codes and all(re.fullmatch(r"fix(-[a-z0-9]+)+", c) for c in codes)


# The checks build them


def test_a_failing_check_carries_a_typed_fix_and_says_it_in_its_summary() -> None:
    snap = ecs_snapshot(rules=(rule(cidr="10.0.0.0/8"),))
    check = next(c for c in run_checks(snap) if c.id == "ecs.security_group")
    assert check.status == Status.FAIL
    assert isinstance(check.fix, AuthorizeSecurityGroup)
    assert check.summary.endswith(f" — {check.fix.describe(Wording.NOTE).render()}")


# Apply and revert, without a cloud: what the base class does for every kind


async def test_the_description_is_clipped_and_a_foreign_record_is_refused(
    route_kind: type[Fix],
) -> None:
    fix = Fix.from_json({"kind": "add_route_entry", "route_table_id": "vtb-1", "cidr": "0/0"})
    applied = await fix.apply(NO_CLOUD, "x" * 2000)
    assert route_kind.seen == [("apply", "x" * DESCRIPTION_LIMIT)]
    with pytest.raises(FixError, match="cannot revert one of kind 'add_route_entry' on vtb-1"):
        await fix.revert(NO_CLOUD, AppliedFix(SG.kind, "vtb-1", added_rule_ids=("r",)))
    await fix.revert(NO_CLOUD, AppliedFix(fix.kind, "vtb-1"))
    assert route_kind.seen == [("apply", "x" * DESCRIPTION_LIMIT)]  # nothing added: no call
    await fix.revert(NO_CLOUD, applied)
    assert route_kind.seen[-1] == ("revert", "0/0")


# A new kind is one class


def test_a_new_kind_is_read_reported_and_described_by_everything_else(
    route_kind: type[Fix],
) -> None:
    data = {"kind": "add_route_entry", "route_table_id": "vtb-main", "cidr": "100.104.0.0/16"}
    fix = Fix.from_json(data)
    assert isinstance(fix, route_kind) and fix.to_json() == data
    assert "add_route_entry" in known_kinds()

    snap = ecs_snapshot()
    checks = tuple(
        CheckResult(c.id, Status.FAIL, c.summary, c.evidence, fix)
        if c.id == "ecs.security_group"
        else c
        for c in run_checks(snap)
    )
    report = Report(snap.vpc_access, snap.gateway, snap.target_type, checks)
    assert report.to_json()["checks"][5]["fix"] == data  # the JSON report
    assert "in vtb-main, route 100.104.0.0/16 to the gateway" in render_report(report)  # the CLI
    assert change_fields(fix) == [  # the bot's request modal
        "*Change*\nadd a route entry",
        "*Route table*\n`vtb-main`",
    ]
    assert (
        fix.describe(Wording.MRKDWN).render()
        == "In `vtb-main`, route 100.104.0.0/16 to the gateway"
    )


def test_a_kind_is_registered_once() -> None:
    with pytest.raises(TypeError, match="already AuthorizeSecurityGroup"):

        class Again(AuthorizeSecurityGroup, kind="authorize_security_group"):
            pass
