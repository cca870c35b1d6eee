"""Invitation outreach (issue 21, 1): the invitations of imported lists with their consent basis and
personal token; managers' work generated (issue 21, 4): task priority, context and closing time, and
the audit of managers' corrections of a customer's contact details and vehicles. New tables only get
indexes here: an index on an existing table must be built concurrently (not done yet, see the README).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-20
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("manager_id", sa.String(length=64), nullable=True),
        sa.Column("consent_basis", sa.String(length=16), nullable=False),
        sa.Column("consent_ref", sa.String(length=64), nullable=True),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opted_out_via", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("member_id"),
        sa.UniqueConstraint("token_sha256"),
    )
    op.create_index("ix_invitations_import_id", "invitations", ["import_id"])
    op.create_index("ix_invitations_manager_id", "invitations", ["manager_id"])
    op.add_column(
        "manager_tasks", sa.Column("priority", sa.String(length=8), server_default="normal", nullable=False)
    )
    op.add_column(
        "manager_tasks",
        sa.Column("context", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
    )
    op.add_column("manager_tasks", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "member_corrections",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("fields", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proof", sa.String(length=32), nullable=True),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_member_corrections_member_id", "member_corrections", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_member_corrections_member_id", table_name="member_corrections")
    op.drop_table("member_corrections")
    op.drop_column("manager_tasks", "closed_at")
    op.drop_column("manager_tasks", "context")
    op.drop_column("manager_tasks", "priority")
    op.drop_index("ix_invitations_manager_id", table_name="invitations")
    op.drop_index("ix_invitations_import_id", table_name="invitations")
    op.drop_table("invitations")
