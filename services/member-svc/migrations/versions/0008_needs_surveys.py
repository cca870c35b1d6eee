"""Needs surveys (征集令) and the member's needs their answers fill.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A constant default: Postgres 11+ adds the column without rewriting the table.
    op.add_column(
        "members",
        sa.Column("needs", postgresql.ARRAY(sa.String(32)), server_default="{}", nullable=False),
    )
    op.create_table(
        "needs_surveys",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("title", sa.String(64), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("questions", postgresql.JSONB(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "needs_survey_answers",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("survey_id", sa.Uuid(), sa.ForeignKey("needs_surveys.id"), nullable=False),
        sa.Column("member_id", sa.Uuid(), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("survey_id", "member_id", name="uq_needs_survey_answers_member"),
    )
    op.create_index("ix_needs_survey_answers_member_id", "needs_survey_answers", ["member_id"])
    op.create_table(
        "needs_survey_answer_items",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("answer_id", sa.Uuid(), sa.ForeignKey("needs_survey_answers.id"), nullable=False),
        sa.Column("survey_id", sa.Uuid(), nullable=False),
        sa.Column("question_code", sa.String(32), nullable=False),
        sa.Column("option_code", sa.String(32), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
    )
    op.create_index("ix_needs_survey_answer_items_answer_id", "needs_survey_answer_items", ["answer_id"])
    op.create_index(
        "ix_needs_survey_answer_items_question",
        "needs_survey_answer_items",
        ["survey_id", "question_code", "option_code"],
    )


def downgrade() -> None:
    op.drop_table("needs_survey_answer_items")
    op.drop_table("needs_survey_answers")
    op.drop_table("needs_surveys")
    op.drop_column("members", "needs")
