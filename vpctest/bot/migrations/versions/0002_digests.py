"""Digest subscriptions, their claimed slots, and the history of verdicts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-05-10

A slot is claimed by inserting its (subscription_id, slot_at) row: the unique
constraint lets exactly one replica win it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLOT_STATES = ("claimed", "posted", "failed", "skipped")


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _time() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _bigint() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("expression", sa.String(128), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("gateway_id", sa.String(128)),
        sa.Column("only_changes", sa.Boolean(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("removed_at", _time()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_subscriptions")),
    )
    op.create_index(
        op.f("ix_digest_subscriptions_team_id_removed_at"),
        "digest_subscriptions",
        ["team_id", "removed_at"],
    )

    op.create_table(
        "digest_slots",
        sa.Column("id", _bigint(), autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.String(16), nullable=False),
        sa.Column("slot_at", _time(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=False),
        sa.Column("claimed_at", _time(), nullable=False),
        sa.Column("finished_at", _time()),
        sa.Column("posted_ts", sa.String(32)),
        sa.Column("error", sa.Text()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_slots")),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["digest_subscriptions.id"],
            name=op.f("fk_digest_slots_subscription_id_digest_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "subscription_id", "slot_at", name=op.f("uq_digest_slots_subscription_slot")
        ),
        sa.CheckConstraint(
            "state IN ({})".format(", ".join(f"'{s}'" for s in SLOT_STATES)),
            name=op.f("ck_digest_slots_state"),
        ),
    )
    op.create_index(
        op.f("ix_digest_slots_state_claimed_at"), "digest_slots", ["state", "claimed_at"]
    )

    op.create_table(
        "verdict_history",
        sa.Column("id", _bigint(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(192), nullable=False),
        sa.Column("gateway_id", sa.String(128), nullable=False),
        sa.Column("vpc_access_id", sa.String(128), nullable=False),
        sa.Column("vpc_access_name", sa.String(256)),
        sa.Column("at", _time(), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("root_causes", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verdict_history")),
    )
    op.create_index(
        op.f("ix_verdict_history_latest"),
        "verdict_history",
        ["scope", "gateway_id", "vpc_access_id", "at"],
    )
    op.create_index(op.f("ix_verdict_history_at"), "verdict_history", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_verdict_history_at"), table_name="verdict_history")
    op.drop_index(op.f("ix_verdict_history_latest"), table_name="verdict_history")
    op.drop_table("verdict_history")
    op.drop_index(op.f("ix_digest_slots_state_claimed_at"), table_name="digest_slots")
    op.drop_table("digest_slots")
    op.drop_index(
        op.f("ix_digest_subscriptions_team_id_removed_at"), table_name="digest_subscriptions"
    )
    op.drop_table("digest_subscriptions")
