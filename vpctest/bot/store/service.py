"""The only code that changes a fix request's state.

Each transition is one conditional UPDATE (`WHERE id = :id AND state = :expected`, and
for approval `AND expires_at > :now`) with RETURNING, in the same transaction as its
audit row. Two approvers clicking at once both send the UPDATE; the database lets
exactly one match, and the other is told why it lost. Every method runs its own
transaction through the bot's `Database` (which retries one rolled back for contention),
so one Store may be shared by every thread (the async bot calls it through
`asyncio.to_thread`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vpctest.bot.store.db import Database
from vpctest.bot.store.ids import new_request_id, normalize_request_id
from vpctest.bot.store.models import SYSTEM_ACTOR, Action, AuditEntry, FixRequest, State
from vpctest.bot.store.results import Done, Outcome, Refusal, Refused
from vpctest.diagnostics.fixes import AppliedFix, Fix

DEFAULT_TTL = timedelta(hours=24)
ID_ATTEMPTS = 5  # fresh random ids tried before a collision is reported
AUDIT_LIMIT = 1000


def aware_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is refused, since its zone would be a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: give a timezone-aware one")
    return moment.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Store:
    """Fix requests and the audit log, on the bot's database."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self._clock = clock

    # Requests

    def create_request(
        self,
        *,
        team_id: str,
        requester_id: str,
        channel_id: str,
        vpc_access_id: str,
        gateway_id: str,
        check_id: str,
        fix: Fix | Mapping[str, Any],
        reason: str | None = None,
        vpc_access_name: str | None = None,
        result_ts: str | None = None,
        ttl: timedelta = DEFAULT_TTL,
        now: datetime | None = None,
    ) -> FixRequest:
        """A new pending request, open for `ttl`, with its `requested` audit row.

        `fix` may be given in its JSON form: FixError (a ValueError) when it is not one.
        """
        if not isinstance(fix, Fix):
            fix = Fix.from_json(fix)
        fix_json = fix.to_json()
        if ttl <= timedelta(0):
            raise ValueError(f"ttl {ttl} must be positive")
        now = self._now(now)
        detail = {"vpc_access_id": vpc_access_id, "check_id": check_id, "fix": fix_json}
        if reason:
            detail["reason"] = reason

        def insert(session: Session, request_id: str) -> FixRequest:
            request = FixRequest(
                id=request_id,
                team_id=team_id,
                requester_id=requester_id,
                channel_id=channel_id,
                result_ts=result_ts,
                vpc_access_id=vpc_access_id,
                vpc_access_name=vpc_access_name,
                gateway_id=gateway_id,
                check_id=check_id,
                fix_json=fix_json,
                reason=reason,
                state=State.PENDING,
                created_at=now,
                expires_at=now + ttl,
                version=1,
            )
            session.add(request)
            session.flush()  # a colliding id fails here, before the audit row
            session.add(_audit(request, requester_id, Action.REQUESTED, None, detail, now))
            return request

        for attempt in range(ID_ATTEMPTS):
            request_id = new_request_id()
            try:
                return self.db.transaction(partial(insert, request_id=request_id))
            except IntegrityError:
                if attempt == ID_ATTEMPTS - 1 or self.get(request_id) is None:
                    raise  # not an id collision, or too many
        raise AssertionError("unreachable")

    def get(self, request_id: str) -> FixRequest | None:
        rid = normalize_request_id(request_id)
        return self.db.read(lambda session: session.get(FixRequest, rid))

    def pending_count(self) -> int:
        """How many requests wait for an approver (the metrics' gauge)."""
        return self.db.read(
            lambda session: (
                session.scalar(
                    select(func.count())
                    .select_from(FixRequest)
                    .where(FixRequest.state == State.PENDING)
                )
                or 0
            )
        )

    def claim_for_apply(
        self, request_id: str, approver_id: str, now: datetime | None = None
    ) -> Outcome:
        """pending → applying, if not expired: the approver's click wins or is told why not."""
        now = self._now(now)
        return self._transition(
            request_id,
            State.PENDING,
            State.APPLYING,
            actor=approver_id,
            action=Action.APPROVED,
            now=now,
            unexpired=True,
            values={"decided_by": approver_id, "decided_at": now},
        )

    def mark_applied(
        self,
        request_id: str,
        applied: AppliedFix | Mapping[str, Any],
        verdict_after: str | None = None,
        now: datetime | None = None,
    ) -> Outcome:
        """applying → applied, keeping what was added (to revert exactly it)."""
        if not isinstance(applied, AppliedFix):
            applied = AppliedFix.from_json(applied)  # FixError for a record that lacks a field
        applied_json = applied.to_json()
        return self._transition(
            request_id,
            State.APPLYING,
            State.APPLIED,
            actor=_decider,
            action=Action.APPLIED,
            now=self._now(now),
            values={"applied": applied_json, "verdict_after": verdict_after, "error": None},
            detail={"applied": applied_json, "verdict_after": verdict_after},
        )

    def mark_apply_failed(
        self, request_id: str, error: str, now: datetime | None = None
    ) -> Outcome:
        """applying → apply_failed; a new request is needed to try again."""
        return self._transition(
            request_id,
            State.APPLYING,
            State.APPLY_FAILED,
            actor=_decider,
            action=Action.APPLY_FAILED,
            now=self._now(now),
            values={"error": error},
            detail={"error": error},
        )

    def deny(
        self,
        request_id: str,
        approver_id: str,
        reason: str | None = None,
        now: datetime | None = None,
    ) -> Outcome:
        """pending → denied, with who and (optionally) why."""
        now = self._now(now)
        return self._transition(
            request_id,
            State.PENDING,
            State.DENIED,
            actor=approver_id,
            action=Action.DENIED,
            now=now,
            unexpired=True,
            values={"decided_by": approver_id, "decided_at": now, "decision_reason": reason},
            detail={"reason": reason} if reason else {},
        )

    def expire_due(self, now: datetime | None = None) -> list[FixRequest]:
        """Every pending request past its time → expired, one audit row each.

        Returns them, so their approval messages can say so.
        """
        now = self._now(now)
        return self.db.transaction(lambda session: _expire(session, now))

    def interrupted(self, started_before: datetime) -> list[FixRequest]:
        """Requests left applying or reverting since before `started_before`: their worker
        stopped (a crash or restart) between the claim and the outcome."""
        last_change = (
            select(AuditEntry.request_id, func.max(AuditEntry.at).label("at"))
            .group_by(AuditEntry.request_id)
            .subquery()
        )
        statement = (
            select(FixRequest)
            .join(last_change, last_change.c.request_id == FixRequest.id)
            .where(
                or_(
                    # claimed for apply at decided_at
                    (FixRequest.state == State.APPLYING) & (FixRequest.decided_at < started_before),
                    # claimed for revert by the latest audit row
                    (FixRequest.state == State.REVERTING) & (last_change.c.at < started_before),
                )
            )
        )
        return self.db.read(lambda session: list(session.scalars(statement)))

    def claim_for_revert(
        self, request_id: str, approver_id: str, now: datetime | None = None
    ) -> Outcome:
        """applied → reverting: only an applied fix can be reverted, and only once."""
        return self._transition(
            request_id,
            State.APPLIED,
            State.REVERTING,
            actor=approver_id,
            action=Action.REVERT_STARTED,
            now=self._now(now),
            values={"reverted_by": approver_id},
        )

    def mark_reverted(
        self, request_id: str, verdict_after: str | None = None, now: datetime | None = None
    ) -> Outcome:
        """reverting → reverted; `verdict_after` is the diagnosis once the fix is gone."""
        now = self._now(now)
        return self._transition(
            request_id,
            State.REVERTING,
            State.REVERTED,
            actor=_reverter,
            action=Action.REVERTED,
            now=now,
            values={"reverted_at": now, "verdict_after": verdict_after, "error": None},
            detail={"verdict_after": verdict_after},
        )

    def mark_revert_failed(
        self, request_id: str, error: str, now: datetime | None = None
    ) -> Outcome:
        """reverting → applied again: the fix is still in place and may be reverted later."""
        return self._transition(
            request_id,
            State.REVERTING,
            State.APPLIED,
            actor=_reverter,
            action=Action.REVERT_FAILED,
            now=self._now(now),
            values={"error": error},
            detail={"error": error},
            reset=("reverted_by",),  # after the audit row names who asked
        )

    def set_messages(
        self,
        request_id: str,
        *,
        result_ts: str | None = None,
        approval_channel_id: str | None = None,
        approval_ts: str | None = None,
    ) -> FixRequest | None:
        """Record where the result and approval messages are (to update them later).

        Only the coordinates given change; the state does not, so nothing is audited.
        """
        values = {
            name: value
            for name, value in (
                ("result_ts", result_ts),
                ("approval_channel_id", approval_channel_id),
                ("approval_ts", approval_ts),
            )
            if value is not None
        }
        rid = normalize_request_id(request_id)
        if not values:
            return self.get(rid)
        statement = (
            update(FixRequest)
            .where(FixRequest.id == rid)
            .values(version=FixRequest.version + 1, **values)
            .returning(FixRequest)
        )
        return self.db.transaction(
            lambda session: session.scalars(statement, execution_options=_DML).one_or_none()
        )

    # The audit log

    def record(
        self,
        actor: str,
        action: str,
        request_id: str | None = None,
        *,
        team_id: str | None = None,
        detail: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> AuditEntry:
        """An audit-only event (e.g. a refused click): nothing but the log changes.

        `team_id` defaults to the request's.
        """
        rid = normalize_request_id(request_id) if request_id else None
        at = self._now(now)

        def insert(session: Session) -> AuditEntry:
            team = team_id
            if team is None and rid is not None:
                team = session.scalar(select(FixRequest.team_id).where(FixRequest.id == rid))
            entry = AuditEntry(
                at=at,
                team_id=team,
                request_id=rid,
                actor=actor,
                action=str(action),
                detail=dict(detail or {}),
            )
            session.add(entry)
            return entry

        return self.db.transaction(insert)

    def latest_audit(self, limit: int = 20, team_id: str | None = None) -> list[AuditEntry]:
        """The newest audit rows first (of one workspace when `team_id` is given)."""
        limit = max(1, min(limit, AUDIT_LIMIT))
        statement = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if team_id is not None:
            statement = statement.where(AuditEntry.team_id == team_id)
        return self.db.read(lambda session: list(session.scalars(statement)))

    def history(self, request_id: str) -> list[AuditEntry]:
        """One request's audit rows, oldest first."""
        statement = (
            select(AuditEntry)
            .where(AuditEntry.request_id == normalize_request_id(request_id))
            .order_by(AuditEntry.id)
        )
        return self.db.read(lambda session: list(session.scalars(statement)))

    # Internals

    def _now(self, now: datetime | None) -> datetime:
        return aware_utc(self._clock() if now is None else now)

    def _transition(
        self,
        request_id: str,
        expected: State,
        target: State,
        *,
        actor: str | Callable[[FixRequest], str],
        action: Action,
        now: datetime,
        values: Mapping[str, Any],
        detail: Mapping[str, Any] | None = None,
        unexpired: bool = False,
        reset: tuple[str, ...] = (),
    ) -> Outcome:
        rid = normalize_request_id(request_id)
        conditions = [FixRequest.id == rid, FixRequest.state == expected]
        if unexpired:
            conditions.append(FixRequest.expires_at > now)
        statement = (
            update(FixRequest)
            .where(*conditions)
            .values(state=target, version=FixRequest.version + 1, **values)
            .returning(FixRequest)
        )

        def move(session: Session) -> Outcome:
            request = session.scalars(statement, execution_options=_DML).one_or_none()
            if request is None:
                return _refusal(session, rid, now)
            who = actor if isinstance(actor, str) else actor(request)
            session.add(_audit(request, who, action, expected, dict(detail or {}), now))
            if reset:  # the row is ours until commit: no condition needed
                cleared = (
                    update(FixRequest).where(FixRequest.id == rid).values(dict.fromkeys(reset))
                )
                request = session.scalars(
                    cleared.returning(FixRequest), execution_options=_DML
                ).one()
            return Done(request)

        return self.db.transaction(move)


# ORM UPDATE … RETURNING: skip matching objects in the session, load the returned rows.
_DML = {"synchronize_session": False, "populate_existing": True}


def _decider(request: FixRequest) -> str:
    return request.decided_by or SYSTEM_ACTOR


def _reverter(request: FixRequest) -> str:
    return request.reverted_by or SYSTEM_ACTOR


def _audit(
    request: FixRequest,
    actor: str,
    action: Action,
    from_state: State | None,
    detail: dict[str, Any],
    now: datetime,
) -> AuditEntry:
    return AuditEntry(
        at=now,
        team_id=request.team_id,
        request_id=request.id,
        actor=actor,
        action=action.value,
        from_state=from_state.value if from_state else None,
        to_state=State(request.state).value,
        detail=detail,
    )


def _expire(session: Session, now: datetime, *conditions: Any) -> list[FixRequest]:
    statement = (
        update(FixRequest)
        .where(FixRequest.state == State.PENDING, FixRequest.expires_at <= now, *conditions)
        .values(state=State.EXPIRED, version=FixRequest.version + 1)
        .returning(FixRequest)
    )
    expired = list(session.scalars(statement, execution_options=_DML))
    for request in expired:
        detail = {"expires_at": request.expires_at.isoformat()}
        session.add(_audit(request, SYSTEM_ACTOR, Action.EXPIRED, State.PENDING, detail, now))
    return expired


def _refusal(session: Session, request_id: str, now: datetime) -> Refused:
    """Why the UPDATE matched nothing; a pending request past its time expires here."""
    expired = _expire(session, now, FixRequest.id == request_id)
    if expired:
        return Refused(Refusal.EXPIRED, expired[0])
    request = session.get(FixRequest, request_id)
    if request is None:
        return Refused(Refusal.NOT_FOUND, None)
    return Refused(Refusal.for_state(request.state), request)
