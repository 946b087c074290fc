"""The tables: fix requests and their append-only audit log.

The migrations in bot/migrations own the schema; these classes mirror it for the ORM
(and for `alembic revision --autogenerate`). Every timestamp is timezone-aware UTC in
Python, whatever the backend stores.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from vpctest.diagnostics.fixes import AppliedFix, Fix, FixError

# Named constraints, so later migrations (SQLite batch mode included) can refer to them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class State(StrEnum):
    """Where a fix request stands. Only service.py moves a request between these."""

    PENDING = "pending"  # waiting for an approver
    APPLYING = "applying"  # an approver approved; the fix is being applied
    APPLIED = "applied"
    APPLY_FAILED = "apply_failed"
    DENIED = "denied"
    EXPIRED = "expired"  # nobody decided before expires_at
    REVERTING = "reverting"  # an approver asked to revert; the revert is running
    REVERTED = "reverted"


class Action(StrEnum):
    """What an audit row records; `Store.record` also accepts other words."""

    REQUESTED = "requested"
    APPROVED = "approved"
    APPLIED = "applied"
    APPLY_FAILED = "apply_failed"
    DENIED = "denied"
    EXPIRED = "expired"
    REVERT_STARTED = "revert_started"
    REVERTED = "reverted"
    REVERT_FAILED = "revert_failed"


SYSTEM_ACTOR = "system"  # the actor of transitions no person made (expiry)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that goes in and comes out as aware UTC.

    SQLite keeps no zone, so it stores naive UTC text (which still compares in time
    order); PostgreSQL stores timestamptz. A naive datetime is refused: its zone is a
    guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: give a timezone-aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JsonType = JSON().with_variant(JSONB(), "postgresql")
StateType = SqlEnum(
    State,
    native_enum=False,
    create_constraint=False,  # the migration declares the CHECK constraint
    length=16,
    values_callable=lambda states: [s.value for s in states],
    validate_strings=True,
)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class FixRequest(Base):
    """A request to apply one check's fix, from Slack, decided by an approver.

    Objects handed out by the Store are detached snapshots: changing one changes
    nothing in the database.
    """

    __tablename__ = "fix_requests"
    __table_args__ = (
        CheckConstraint(f"state IN ({', '.join(repr(s.value) for s in State)})", name="state"),
        Index("ix_fix_requests_state_expires_at", "state", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(16), primary_key=True)  # FR-XXXXXX, see ids.py
    team_id: Mapped[str] = mapped_column(String(32))
    requester_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))  # where the result message is
    result_ts: Mapped[str | None] = mapped_column(String(32))
    vpc_access_id: Mapped[str] = mapped_column(String(128))
    vpc_access_name: Mapped[str | None] = mapped_column(String(256))
    gateway_id: Mapped[str] = mapped_column(String(128))
    check_id: Mapped[str] = mapped_column(String(64))
    fix_json: Mapped[dict[str, Any]] = mapped_column("fix", JsonType)  # Fix.to_json()
    reason: Mapped[str | None] = mapped_column(Text)  # the requester's
    state: Mapped[State] = mapped_column(StateType)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)  # the denier's
    approval_channel_id: Mapped[str | None] = mapped_column(String(32))
    approval_ts: Mapped[str | None] = mapped_column(String(32))
    applied: Mapped[dict[str, Any] | None] = mapped_column(JsonType)  # AppliedFix.to_json()
    error: Mapped[str | None] = mapped_column(Text)
    verdict_after: Mapped[str | None] = mapped_column(String(16))
    reverted_by: Mapped[str | None] = mapped_column(String(32))
    reverted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer)  # +1 on every change

    @property
    def fix(self) -> Fix:
        """The fix asked for; FixError naming the request when its stored form is unreadable
        (e.g. of a kind this version does not know)."""
        try:
            return Fix.from_json(self.fix_json)
        except FixError as exc:
            raise FixError(f"fix request {self.id}: its stored fix cannot be read: {exc}") from exc

    @property
    def applied_fix(self) -> AppliedFix | None:
        """What applying added, as `Fix.revert` takes it."""
        if not self.applied:
            return None
        try:
            return AppliedFix.from_json(self.applied)
        except FixError as exc:
            raise FixError(
                f"fix request {self.id}: its stored record cannot be read: {exc}"
            ) from exc

    def __repr__(self) -> str:
        return f"<FixRequest {self.id} {self.state} v{self.version}>"


class AuditEntry(Base):
    """One request, decision or transition; rows are only ever inserted.

    `request_id` is deliberately not a foreign key: the log also records events about
    requests that do not exist (a forged button value) and must outlive any cleanup.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_team_id_id", "team_id", "id"),
        Index("ix_audit_log_request_id", "request_id"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    team_id: Mapped[str | None] = mapped_column(String(32))
    request_id: Mapped[str | None] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.request_id} {self.actor} {self.action}>"


class SlackDelivery(Base):
    """A request Slack delivered, under the key Slack repeats when it delivers it again
    (bot/deliveries.py); the first replica to insert the key handles the request."""

    __tablename__ = "slack_deliveries"
    __table_args__ = (Index("ix_slack_deliveries_seen_at", "seen_at"),)

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
