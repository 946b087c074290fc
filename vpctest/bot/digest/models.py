"""The digest tables: subscriptions, their claimed slots, and the history of verdicts.

Migration 0002 owns the schema; these classes mirror it on the bot's `Base`. Every
timestamp is aware UTC in Python (`UtcDateTime`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vpctest.bot.digest.schedule import Schedule
from vpctest.bot.store.models import Base, JsonType, UtcDateTime


class SlotState(StrEnum):
    """Where one scheduled slot of one subscription stands."""

    CLAIMED = "claimed"  # a replica won the slot and is running it
    POSTED = "posted"
    FAILED = "failed"
    SKIPPED = "skipped"  # missed beyond grace, or nothing to post (--only-changes)


class DigestSubscription(Base):
    """A channel's digest: what to diagnose, when, and where to post it."""

    __tablename__ = "digest_subscriptions"
    __table_args__ = (Index("ix_digest_subscriptions_team_id_removed_at", "team_id", "removed_at"),)

    id: Mapped[str] = mapped_column(String(16), primary_key=True)  # DG-XXXX
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # daily | weekdays | hourly | cron
    expression: Mapped[str] = mapped_column(String(128))  # 5-field crontab, Sunday = 0
    timezone: Mapped[str] = mapped_column(String(64))  # IANA name
    gateway_id: Mapped[str | None] = mapped_column(String(128))  # None: every gateway
    only_changes: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @property
    def schedule(self) -> Schedule:
        return Schedule.stored(self.kind, self.expression, self.timezone)

    @property
    def scope(self) -> str:
        """The verdict-history key: the workspace, narrowed to one gateway if set."""
        return f"{self.team_id}/{self.gateway_id or '*'}"

    def __repr__(self) -> str:
        return f"<DigestSubscription {self.id} {self.channel_id} {self.kind}>"


class DigestSlot(Base):
    """One scheduled run of one subscription; the row's existence is the claim."""

    __tablename__ = "digest_slots"
    __table_args__ = (
        UniqueConstraint("subscription_id", "slot_at", name="uq_digest_slots_subscription_slot"),
        CheckConstraint(f"state IN ({', '.join(repr(s.value) for s in SlotState)})", name="state"),
        Index("ix_digest_slots_state_claimed_at", "state", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    subscription_id: Mapped[str] = mapped_column(
        String(16), ForeignKey("digest_subscriptions.id", ondelete="CASCADE")
    )
    slot_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16))
    claimed_by: Mapped[str] = mapped_column(String(64))  # the replica id
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    posted_ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)  # why it failed or was skipped
    attempts: Mapped[int] = mapped_column(Integer)  # claims, the first and any reclaims

    def __repr__(self) -> str:
        return f"<DigestSlot {self.subscription_id} {self.slot_at:%Y-%m-%d %H:%M} {self.state}>"


class VerdictRecord(Base):
    """One authorization's verdict at one digest run; pruned after the retention."""

    __tablename__ = "verdict_history"
    __table_args__ = (
        Index("ix_verdict_history_latest", "scope", "gateway_id", "vpc_access_id", "at"),
        Index("ix_verdict_history_at", "at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    scope: Mapped[str] = mapped_column(String(192))  # DigestSubscription.scope
    gateway_id: Mapped[str] = mapped_column(String(128))
    vpc_access_id: Mapped[str] = mapped_column(String(128))
    vpc_access_name: Mapped[str | None] = mapped_column(String(256))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    verdict: Mapped[str] = mapped_column(String(16))  # pass | fail | unknown
    root_causes: Mapped[list[Any]] = mapped_column(JsonType)  # check ids

    def __repr__(self) -> str:
        return f"<VerdictRecord {self.vpc_access_id} {self.at:%Y-%m-%d %H:%M} {self.verdict}>"
