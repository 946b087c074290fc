"""The fix-request store: every transition and refusal, expiry, the append-only audit
log, restarts, and racing approvers, on SQLite and on PostgreSQL (see conftest)."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from tests.bot import conftest
from vpctest.bot.store import (
    DEFAULT_TTL,
    SYSTEM_ACTOR,
    Action,
    Database,
    DatabaseUrlError,
    Done,
    FixRequest,
    Outcome,
    Refusal,
    Refused,
    State,
    Store,
    make_engine,
    parse_database_url,
    upgrade,
)
from vpctest.bot.store.db import alembic_config
from vpctest.diagnostics.fixes import AppliedFix, Fix, FixError

FIX = {
    "kind": "authorize_security_group",
    "security_group_id": "sg-web",
    "protocol": "TCP",
    "port_range": "8080/8080",
    "source_cidrs": ["100.104.13.0/26"],
    "priority": 1,
}
APPLIED = AppliedFix("authorize_security_group", "sg-web", added_rule_ids=("sgr-1",))
T0 = datetime.now(UTC).replace(microsecond=0)  # calls without `now` use the clock
ID = re.compile(r"^FR-[0-9A-HJKMNP-TV-Z]{6}$")


def new_request(store: Store, **overrides: Any) -> FixRequest:
    fields: dict[str, Any] = {
        "team_id": "T1",
        "requester_id": "U_REQ",
        "channel_id": "C_RESULTS",
        "result_ts": "1715256000.000100",
        "vpc_access_id": "va-orders",
        "vpc_access_name": "orders-backend",
        "gateway_id": "apigateway-hz-1a2b3c",
        "check_id": "ecs.security_group",
        "fix": FIX,
        "reason": "orders are down",
        "now": T0,
    }
    return store.create_request(**{**fields, **overrides})


def done(outcome: Outcome) -> FixRequest:
    assert isinstance(outcome, Done), outcome
    return outcome.request


def refused(outcome: Outcome, reason: Refusal) -> FixRequest | None:
    assert isinstance(outcome, Refused), outcome
    assert outcome.reason is reason
    return outcome.request


def actions(store: Store, request_id: str) -> list[tuple[str, str | None, str | None, str]]:
    return [(e.action, e.from_state, e.to_state, e.actor) for e in store.history(request_id)]


def in_state(store: Store, state: State) -> FixRequest:
    """A request brought to `state` through the service, as the bot would."""
    request = new_request(store)
    steps: dict[State, list[Callable[[str], Outcome]]] = {
        State.PENDING: [],
        State.APPLYING: [lambda i: store.claim_for_apply(i, "U_OK", T0)],
        State.APPLIED: [
            lambda i: store.claim_for_apply(i, "U_OK", T0),
            lambda i: store.mark_applied(i, APPLIED, "pass"),
        ],
        State.APPLY_FAILED: [
            lambda i: store.claim_for_apply(i, "U_OK", T0),
            lambda i: store.mark_apply_failed(i, "Forbidden.RAM"),
        ],
        State.DENIED: [lambda i: store.deny(i, "U_NO", "not now", T0)],
        State.EXPIRED: [lambda i: Done(store.expire_due(T0 + DEFAULT_TTL)[0])],
        State.REVERTING: [
            lambda i: store.claim_for_apply(i, "U_OK", T0),
            lambda i: store.mark_applied(i, APPLIED, "pass"),
            lambda i: store.claim_for_revert(i, "U_OK"),
        ],
        State.REVERTED: [
            lambda i: store.claim_for_apply(i, "U_OK", T0),
            lambda i: store.mark_applied(i, APPLIED, "pass"),
            lambda i: store.claim_for_revert(i, "U_OK"),
            lambda i: store.mark_reverted(i, "fail"),
        ],
    }
    for step in steps[state]:
        request = done(step(request.id))
    assert request.state is state
    return request


# Creating and reading


def test_a_new_request_is_pending_for_a_day_and_audited(store: Store) -> None:
    request = new_request(store)
    assert ID.match(request.id)
    assert request.state is State.PENDING
    assert request.created_at == T0
    assert request.expires_at == T0 + timedelta(hours=24)
    assert request.version == 1
    stored = store.get(request.id)
    assert stored is not None
    assert stored.fix == Fix.from_json(FIX) and stored.fix.to_json() == FIX
    assert stored.expires_at.tzinfo is not None and stored.expires_at.utcoffset() == timedelta(0)
    assert (stored.vpc_access_name, stored.reason) == ("orders-backend", "orders are down")
    assert actions(store, request.id) == [("requested", None, "pending", "U_REQ")]
    assert store.history(request.id)[0].detail["fix"] == FIX
    assert store.get(request.id.lower()) is not None  # as a user might type it
    assert store.get("FR-000000") is None


def test_ttl_and_timestamps_in_other_zones(store: Store) -> None:
    tokyo = timezone(timedelta(hours=9))
    request = new_request(store, now=T0.astimezone(tokyo), ttl=timedelta(minutes=90))
    stored = store.get(request.id)
    assert stored is not None
    assert stored.created_at == T0 and stored.created_at.tzinfo == UTC
    assert stored.expires_at == T0 + timedelta(minutes=90)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"fix": {"kind": "open_everything"}}, "unknown fix kind 'open_everything'"),
        ({"fix": {**FIX, "priority": "1"}}, "'priority' as an integer"),
        ({"ttl": timedelta(0)}, "ttl"),
        ({"now": datetime(2026, 5, 9, 12, 0)}, "naive"),
    ],
)
def test_bad_requests_are_refused(store: Store, overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        new_request(store, **overrides)
    assert store.latest_audit() == []


# Approve, apply, deny


def test_approve_then_apply(store: Store) -> None:
    request = new_request(store)
    applying = done(store.claim_for_apply(request.id, "U_OK", T0 + timedelta(hours=1)))
    assert applying.state is State.APPLYING
    assert (applying.decided_by, applying.decided_at) == ("U_OK", T0 + timedelta(hours=1))
    assert applying.version == 2
    applied = done(store.mark_applied(request.id, APPLIED, "pass"))
    assert applied.state is State.APPLIED
    assert applied.applied_fix == APPLIED
    assert applied.verdict_after == "pass"
    assert applied.version == 3
    assert actions(store, request.id) == [
        ("requested", None, "pending", "U_REQ"),
        ("approved", "pending", "applying", "U_OK"),
        ("applied", "applying", "applied", "U_OK"),
    ]
    assert store.history(request.id)[-1].detail == {
        "applied": APPLIED.to_json(),
        "verdict_after": "pass",
    }


def test_mark_applied_takes_the_json_form_and_checks_it(store: Store) -> None:
    request = in_state(store, State.APPLYING)
    with pytest.raises(FixError, match="target_id"):
        store.mark_applied(request.id, {"kind": "add_acl_entries"})
    assert store.get(request.id).state is State.APPLYING  # type: ignore[union-attr]
    applied = done(store.mark_applied(request.id, APPLIED.to_json()))
    assert applied.applied_fix == APPLIED
    assert applied.verdict_after is None


def test_a_failed_apply_is_recorded(store: Store) -> None:
    request = in_state(store, State.APPLYING)
    failed = done(store.mark_apply_failed(request.id, "Forbidden.RAM: no permission"))
    assert failed.state is State.APPLY_FAILED
    assert failed.error == "Forbidden.RAM: no permission"
    assert store.history(request.id)[-1].detail == {"error": "Forbidden.RAM: no permission"}
    refused(store.claim_for_apply(request.id, "U_OK", T0), Refusal.APPLY_FAILED)


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (State.APPLYING, Refusal.APPLYING),
        (State.APPLIED, Refusal.APPLIED),
        (State.APPLY_FAILED, Refusal.APPLY_FAILED),
        (State.DENIED, Refusal.DENIED),
        (State.EXPIRED, Refusal.EXPIRED),
        (State.REVERTING, Refusal.REVERTING),
        (State.REVERTED, Refusal.REVERTED),
    ],
)
def test_only_a_pending_request_can_be_approved_or_denied(
    store: Store, state: State, reason: Refusal
) -> None:
    request = in_state(store, state)
    rows = len(store.history(request.id))
    assert refused(store.claim_for_apply(request.id, "U_LATE", T0), reason).state is state
    assert refused(store.deny(request.id, "U_LATE", "no", T0), reason).state is state
    stored = store.get(request.id)
    assert stored is not None and stored.version == request.version
    assert stored.decided_by != "U_LATE"
    assert len(store.history(request.id)) == rows  # a refusal writes nothing


def test_unknown_requests_are_refused(store: Store) -> None:
    for outcome in (
        store.claim_for_apply("FR-NOSUCH", "U_OK", T0),
        store.deny("FR-NOSUCH", "U_OK"),
        store.mark_applied("FR-NOSUCH", APPLIED),
        store.mark_apply_failed("FR-NOSUCH", "x"),
        store.claim_for_revert("FR-NOSUCH", "U_OK"),
        store.mark_reverted("FR-NOSUCH"),
        store.mark_revert_failed("FR-NOSUCH", "x"),
    ):
        assert refused(outcome, Refusal.NOT_FOUND) is None
    assert store.set_messages("FR-NOSUCH", approval_ts="1.2") is None


def test_deny_records_who_when_and_why(store: Store) -> None:
    request = new_request(store)
    denied = done(store.deny(request.id, "U_NO", "use a narrower range", T0 + timedelta(hours=2)))
    assert denied.state is State.DENIED
    assert (denied.decided_by, denied.decided_at) == ("U_NO", T0 + timedelta(hours=2))
    assert denied.decision_reason == "use a narrower range"
    assert actions(store, request.id)[-1] == ("denied", "pending", "denied", "U_NO")
    assert store.history(request.id)[-1].detail == {"reason": "use a narrower range"}


def test_deny_without_a_reason(store: Store) -> None:
    request = new_request(store)
    denied = done(store.deny(request.id, "U_NO", now=T0))
    assert denied.decision_reason is None
    assert store.history(request.id)[-1].detail == {}


def test_steps_out_of_order_are_refused(store: Store) -> None:
    pending = new_request(store)
    refused(store.mark_applied(pending.id, APPLIED), Refusal.NOT_DECIDED)
    refused(store.mark_apply_failed(pending.id, "x"), Refusal.NOT_DECIDED)
    refused(store.mark_reverted(pending.id), Refusal.NOT_DECIDED)
    applied = in_state(store, State.APPLIED)
    refused(store.mark_applied(applied.id, APPLIED), Refusal.APPLIED)
    refused(store.mark_reverted(applied.id), Refusal.APPLIED)
    refused(store.mark_revert_failed(applied.id, "x"), Refusal.APPLIED)


# Expiry


def test_an_expired_request_cannot_be_approved(store: Store) -> None:
    request = new_request(store, ttl=timedelta(hours=1))
    late = T0 + timedelta(hours=1)  # expires_at itself is already too late
    expired = refused(store.claim_for_apply(request.id, "U_OK", late), Refusal.EXPIRED)
    assert expired is not None and expired.state is State.EXPIRED
    assert expired.decided_by is None
    assert actions(store, request.id)[-1] == ("expired", "pending", "expired", SYSTEM_ACTOR)
    # Asking again changes nothing and writes nothing.
    refused(store.claim_for_apply(request.id, "U_OK", late), Refusal.EXPIRED)
    refused(store.deny(request.id, "U_NO", now=late), Refusal.EXPIRED)
    assert len(store.history(request.id)) == 2
    assert store.expire_due(late + timedelta(days=1)) == []


def test_an_expired_request_cannot_be_denied(store: Store) -> None:
    request = new_request(store)
    refused(store.deny(request.id, "U_NO", now=T0 + DEFAULT_TTL), Refusal.EXPIRED)
    assert store.get(request.id).state is State.EXPIRED  # type: ignore[union-attr]


def test_approval_just_before_expiry_counts(store: Store) -> None:
    request = new_request(store)
    almost = T0 + DEFAULT_TTL - timedelta(microseconds=1)
    assert done(store.claim_for_apply(request.id, "U_OK", almost)).state is State.APPLYING


def test_expire_due_expires_only_pending_requests_past_their_time(store: Store) -> None:
    due = [new_request(store, ttl=timedelta(minutes=m)) for m in (10, 20)]
    later = new_request(store, ttl=timedelta(hours=2))
    approved = in_state(store, State.APPLYING)
    denied = in_state(store, State.DENIED)
    now = T0 + timedelta(hours=1)
    expired = store.expire_due(now)
    assert sorted(r.id for r in expired) == sorted(r.id for r in due)
    assert all(r.state is State.EXPIRED and r.version == 2 for r in expired)
    for request in due:
        assert actions(store, request.id) == [
            ("requested", None, "pending", "U_REQ"),
            ("expired", "pending", "expired", SYSTEM_ACTOR),
        ]
    assert store.history(due[0].id)[-1].at == now
    for request, state in (
        (later, State.PENDING),
        (approved, State.APPLYING),
        (denied, State.DENIED),
    ):
        assert store.get(request.id).state is state  # type: ignore[union-attr]
    assert store.expire_due(now) == []
    assert [r.id for r in store.expire_due(T0 + timedelta(hours=2))] == [later.id]


# Revert


def test_revert_an_applied_fix(store: Store) -> None:
    request = in_state(store, State.APPLIED)
    reverting = done(store.claim_for_revert(request.id, "U_UNDO", T0 + timedelta(hours=3)))
    assert reverting.state is State.REVERTING
    assert reverting.reverted_by == "U_UNDO"
    assert reverting.applied_fix == APPLIED  # what to remove, exactly
    refused(store.claim_for_revert(request.id, "U_OTHER"), Refusal.REVERTING)
    reverted = done(store.mark_reverted(request.id, "fail", T0 + timedelta(hours=3, seconds=5)))
    assert reverted.state is State.REVERTED
    assert (reverted.reverted_by, reverted.reverted_at) == (
        "U_UNDO",
        T0 + timedelta(hours=3, seconds=5),
    )
    assert reverted.verdict_after == "fail"
    assert reverted.decided_by == "U_OK"  # the approval stays on record
    assert actions(store, request.id)[-2:] == [
        ("revert_started", "applied", "reverting", "U_UNDO"),
        ("reverted", "reverting", "reverted", "U_UNDO"),
    ]
    refused(store.claim_for_revert(request.id, "U_UNDO"), Refusal.REVERTED)


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (State.PENDING, Refusal.NOT_DECIDED),
        (State.APPLYING, Refusal.APPLYING),
        (State.APPLY_FAILED, Refusal.APPLY_FAILED),
        (State.DENIED, Refusal.DENIED),
        (State.EXPIRED, Refusal.EXPIRED),
        (State.REVERTING, Refusal.REVERTING),
        (State.REVERTED, Refusal.REVERTED),
    ],
)
def test_only_an_applied_fix_can_be_reverted(store: Store, state: State, reason: Refusal) -> None:
    request = in_state(store, state)
    assert refused(store.claim_for_revert(request.id, "U_UNDO"), reason).state is state


def test_a_failed_revert_leaves_the_fix_applied_and_revertible(store: Store) -> None:
    request = in_state(store, State.REVERTING)
    back = done(store.mark_revert_failed(request.id, "InvalidSecurityGroupRule.NotFound"))
    assert back.state is State.APPLIED
    assert back.reverted_by is None and back.reverted_at is None
    assert back.error == "InvalidSecurityGroupRule.NotFound"
    assert actions(store, request.id)[-1] == ("revert_failed", "reverting", "applied", "U_OK")
    assert done(store.claim_for_revert(request.id, "U_UNDO")).state is State.REVERTING
    assert done(store.mark_reverted(request.id)).error is None


# Messages


def test_set_messages_records_where_the_messages_are(store: Store) -> None:
    request = new_request(store, result_ts=None)
    stored = store.set_messages(request.id, approval_channel_id="C_APPROVE", approval_ts="17.1")
    assert stored is not None
    assert (stored.approval_channel_id, stored.approval_ts) == ("C_APPROVE", "17.1")
    assert stored.result_ts is None and stored.state is State.PENDING
    stored = store.set_messages(request.id, result_ts="16.9")
    assert stored is not None
    assert (stored.result_ts, stored.approval_ts, stored.version) == ("16.9", "17.1", 3)
    assert len(store.history(request.id)) == 1  # not a decision: not audited


# The audit log


def test_one_audit_row_per_transition(store: Store) -> None:
    request = in_state(store, State.REVERTED)
    rows = store.history(request.id)
    assert [r.action for r in rows] == [
        Action.REQUESTED,
        Action.APPROVED,
        Action.APPLIED,
        Action.REVERT_STARTED,
        Action.REVERTED,
    ]
    assert [r.to_state for r in rows] == ["pending", "applying", "applied", "reverting", "reverted"]
    assert all(r.team_id == "T1" and r.at.tzinfo is not None for r in rows)


def test_latest_audit_is_newest_first_and_per_workspace(store: Store) -> None:
    first = new_request(store)
    other = new_request(store, team_id="T2")
    done(store.claim_for_apply(first.id, "U_OK", T0))
    entries = store.latest_audit(limit=2)
    assert [(e.request_id, e.action) for e in entries] == [
        (first.id, "approved"),
        (other.id, "requested"),
    ]
    assert [e.action for e in store.latest_audit(team_id="T1")] == ["approved", "requested"]
    assert [e.request_id for e in store.latest_audit(team_id="T2")] == [other.id]
    assert store.latest_audit(team_id="T3") == []


def test_record_appends_audit_only_events(store: Store) -> None:
    request = new_request(store)
    entry = store.record(
        "U_X", "approve_refused", request.id.lower(), detail={"why": "not an approver"}
    )
    assert (entry.request_id, entry.team_id, entry.from_state, entry.to_state) == (
        request.id,
        "T1",
        None,
        None,
    )
    # Events about requests that do not exist are recorded too (a forged button value).
    store.record("U_X", "unknown_request", "FR-FORGED", team_id="T1")
    store.record(SYSTEM_ACTOR, "started", detail={"version": "0.1.0"})
    assert [e.action for e in store.latest_audit(3)] == [
        "started",
        "unknown_request",
        "approve_refused",
    ]
    assert store.get(request.id).version == 1  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'someone else'",
        "UPDATE audit_log SET detail = '{}' WHERE id = 1",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE id = 1",
    ],
)
def test_the_audit_log_cannot_be_rewritten(store: Store, statement: str) -> None:
    request = in_state(store, State.APPLIED)
    before = [(e.id, e.actor, e.detail) for e in store.history(request.id)]
    with pytest.raises(DBAPIError, match="append-only"), store.db.engine.begin() as connection:
        connection.execute(text(statement))
    assert [(e.id, e.actor, e.detail) for e in store.history(request.id)] == before


def test_the_audit_log_cannot_be_truncated_on_postgresql(store: Store) -> None:
    if store.db.dialect != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    new_request(store)
    with pytest.raises(DBAPIError, match="append-only"), store.db.engine.begin() as connection:
        connection.execute(text("TRUNCATE audit_log"))
    assert len(store.latest_audit()) == 1


# Restarts and races


def test_a_pending_request_survives_a_restart(database_url: str) -> None:
    first = Database.open(database_url)
    request = new_request(Store(first))
    first.close()
    second = Database.open(database_url)  # migrating again is a no-op
    try:
        after = Store(second)
        claimed = done(after.claim_for_apply(request.id, "U_OK", T0))
        assert claimed.fix.to_json() == FIX and claimed.version == 2
        assert [e.action for e in after.history(request.id)] == ["requested", "approved"]
    finally:
        second.close()


def race(workers: int, work: Callable[[int], Outcome]) -> list[Outcome]:
    """Run `work(i)` in `workers` threads released at the same instant."""
    barrier = threading.Barrier(workers)
    outcomes: list[Outcome | BaseException] = [RuntimeError("did not run")] * workers

    def run(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = work(index)
        except BaseException as exc:  # reported below, with the others
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert not errors, errors
    return outcomes  # type: ignore[return-value]


def test_twenty_approvers_at_once_apply_exactly_once(store: Store) -> None:
    request = new_request(store)
    outcomes = race(20, lambda i: store.claim_for_apply(request.id, f"U_{i:02d}", T0))
    winners = [o for o in outcomes if isinstance(o, Done)]
    assert len(winners) == 1
    assert Counter(o.reason for o in outcomes if isinstance(o, Refused)) == {Refusal.APPLYING: 19}
    stored = store.get(request.id)
    assert stored is not None and stored.state is State.APPLYING and stored.version == 2
    assert stored.decided_by == winners[0].request.decided_by
    claims = [e for e in store.history(request.id) if e.to_state == "applying"]
    assert len(claims) == 1 and claims[0].actor == stored.decided_by


def test_approve_and_deny_at_once_decide_once(store: Store) -> None:
    request = new_request(store)
    outcomes = race(
        10,
        lambda i: (
            store.claim_for_apply(request.id, f"U_{i}", T0)
            if i % 2
            else store.deny(request.id, f"U_{i}", "no", T0)
        ),
    )
    assert sum(isinstance(o, Done) for o in outcomes) == 1
    assert len(store.history(request.id)) == 2


# Engines, URLs and migrations


def test_sqlite_connections_are_set_up_for_concurrency(tmp_path: Any) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as connection:
            pragmas = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            }
        assert pragmas["journal_mode"] == "wal"
        assert pragmas["foreign_keys"] == 1
        assert pragmas["busy_timeout"] >= 1000
    finally:
        engine.dispose()


def test_migrations_reach_head_idempotently_and_go_back(database_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config(database_url))
    assert script.get_heads() == ["0003"]
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        upgrade(database_url)
        tables = set(inspect(engine).get_table_names())
        assert {"fix_requests", "audit_log", "slack_deliveries", "alembic_version"} <= tables
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
                ("0003",)
            ]
        command.downgrade(alembic_config(engine), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert {"fix_requests", "audit_log"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("url", "driver", "database"),
    [
        ("postgres://u:p@db.example.com:5432/bot", "postgresql+psycopg", "bot"),
        ("postgresql://u:p@db.example.com/bot?sslmode=require", "postgresql+psycopg", "bot"),
        ("postgresql+psycopg://u@db.example.com/bot", "postgresql+psycopg", "bot"),
        ("sqlite:///vpc-test.db", "sqlite", "vpc-test.db"),
        ("sqlite:////var/lib/vpc-test/bot.db", "sqlite", "/var/lib/vpc-test/bot.db"),
    ],
)
def test_accepted_database_urls(url: str, driver: str, database: str) -> None:
    parsed = parse_database_url(url)
    assert (parsed.drivername, parsed.database) == (driver, database)


def test_postgres_urls_keep_their_parts() -> None:
    parsed = parse_database_url("postgres://bot:s3cret@db.example.com:6543/vpc?sslmode=require")
    assert (parsed.username, parsed.password, parsed.host, parsed.port, parsed.database) == (
        "bot",
        "s3cret",
        "db.example.com",
        6543,
        "vpc",
    )
    assert parsed.query == {"sslmode": "require"}


def test_the_default_database_is_a_sqlite_file() -> None:
    assert parse_database_url(None).render_as_string() == "sqlite:///vpc-test.db"
    assert parse_database_url("  ").render_as_string() == "sqlite:///vpc-test.db"


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "mysql://u:hunter2@db/bot",
        "postgres://u:hunter2@/bot",
        "postgres://u:hunter2@db.example.com",
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql+psycopg2://u:hunter2@db/bot",
    ],
)
def test_unusable_database_urls_name_database_url(url: str) -> None:
    with pytest.raises(DatabaseUrlError) as raised:
        make_engine(url)
    message = str(raised.value)
    assert message.startswith("DATABASE_URL=")
    assert "sqlite:///" in message and "postgresql://" in message  # what is accepted
    assert "hunter2" not in message
    assert "\n" not in message


# The database_url fixture's rule


def test_unreachable_postgresql_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        conftest.postgres_unavailable("connection refused")


@pytest.mark.parametrize("value", ["true", "TRUE", "1"])
def test_unreachable_postgresql_fails_in_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        conftest.postgres_unavailable("connection refused")


def test_interrupted_finds_requests_left_applying_or_reverting(store) -> None:
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 1, 1, tzinfo=UTC)
    fix = {"kind": "add_acl_entries", "acl_id": "acl-1", "entries": ["100.104.13.0/26"]}

    def make(n: int):
        return store.create_request(
            team_id="T1",
            requester_id="U1",
            channel_id="C1",
            vpc_access_id=f"va-{n}",
            gateway_id="gw",
            check_id="clb.acl",
            fix=fix,
            now=start,
        )

    stuck, fresh, done = make(1), make(2), make(3)
    store.claim_for_apply(stuck.id, "U2", now=start + timedelta(minutes=1))
    store.claim_for_apply(fresh.id, "U2", now=start + timedelta(minutes=20))
    store.claim_for_apply(done.id, "U2", now=start + timedelta(minutes=1))
    store.mark_applied(
        done.id, {"kind": "add_acl_entries", "target_id": "acl-1"}, now=start + timedelta(minutes=2)
    )
    found = store.interrupted(start + timedelta(minutes=15))
    assert [r.id for r in found] == [stuck.id]
    assert found[0].state == "applying"
