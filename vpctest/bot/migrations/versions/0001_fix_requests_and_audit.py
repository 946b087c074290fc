"""Fix requests and the append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2026-05-09

Names are given in full (op.f) so they do not depend on the models' naming convention.
The audit log refuses UPDATE and DELETE at the database, not only in the code: a
trigger raises on either (and on TRUNCATE on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = (
    "pending",
    "applying",
    "applied",
    "apply_failed",
    "denied",
    "expired",
    "reverting",
    "reverted",
)
APPEND_ONLY = "audit_log is append-only"


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _time() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fix_requests",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("requester_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("result_ts", sa.String(32)),
        sa.Column("vpc_access_id", sa.String(128), nullable=False),
        sa.Column("vpc_access_name", sa.String(256)),
        sa.Column("gateway_id", sa.String(128), nullable=False),
        sa.Column("check_id", sa.String(64), nullable=False),
        sa.Column("fix", _json(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("expires_at", _time(), nullable=False),
        sa.Column("decided_by", sa.String(32)),
        sa.Column("decided_at", _time()),
        sa.Column("decision_reason", sa.Text()),
        sa.Column("approval_channel_id", sa.String(32)),
        sa.Column("approval_ts", sa.String(32)),
        sa.Column("applied", _json()),
        sa.Column("error", sa.Text()),
        sa.Column("verdict_after", sa.String(16)),
        sa.Column("reverted_by", sa.String(32)),
        sa.Column("reverted_at", _time()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fix_requests")),
        sa.CheckConstraint(
            "state IN ({})".format(", ".join(f"'{s}'" for s in STATES)),
            name=op.f("ck_fix_requests_state"),
        ),
    )
    op.create_index(
        op.f("ix_fix_requests_state_expires_at"), "fix_requests", ["state", "expires_at"]
    )

    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", _time(), nullable=False),
        sa.Column("team_id", sa.String(32)),
        sa.Column("request_id", sa.String(16)),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_state", sa.String(16)),
        sa.Column("to_state", sa.String(16)),
        sa.Column("detail", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_team_id_id"), "audit_log", ["team_id", "id"])
    op.create_index(op.f("ix_audit_log_request_id"), "audit_log", ["request_id"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{APPEND_ONLY}: % refused', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{operation.lower()} BEFORE {operation} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}: {operation} refused'); END"
            )


def downgrade() -> None:
    op.drop_table("audit_log")  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_log_append_only()")
    op.drop_index(op.f("ix_fix_requests_state_expires_at"), table_name="fix_requests")
    op.drop_table("fix_requests")
