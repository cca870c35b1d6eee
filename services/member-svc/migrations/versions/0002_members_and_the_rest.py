"""Members, verification, policy links to members, tiers, managers, visits, invitation imports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitation_imports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("existing", sa.Integer(), nullable=False),
        sa.Column("invalid", sa.Integer(), nullable=False),
        sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_invitation_imports_sha256"), "invitation_imports", ["sha256"], unique=False)
    op.create_table(
        "manager_assignments",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("manager_id", sa.String(length=64), nullable=False),
        sa.Column("previous_manager_id", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("assigned_by", sa.String(length=64), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_manager_assignments_manager_id"), "manager_assignments", ["manager_id"], unique=False
    )
    op.create_index(
        op.f("ix_manager_assignments_member_id"), "manager_assignments", ["member_id"], unique=False
    )
    op.create_table(
        "manager_profiles",
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("staff_number", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("service_rating", sa.Numeric(precision=3, scale=2), server_default="5.00", nullable=False),
        sa.Column("invite_code", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("staff_id"),
        sa.UniqueConstraint("invite_code"),
        sa.UniqueConstraint("staff_number"),
    )
    op.create_index(op.f("ix_manager_profiles_team"), "manager_profiles", ["team"], unique=False)
    op.create_index(op.f("ix_manager_profiles_unit_code"), "manager_profiles", ["unit_code"], unique=False)
    op.create_table(
        "manager_tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("manager_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("source_ref", sa.String(length=64), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "source_ref"),
    )
    op.create_index(op.f("ix_manager_tasks_manager_id"), "manager_tasks", ["manager_id"], unique=False)
    op.create_table(
        "members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.String(length=16), server_default="prospective", nullable=False),
        sa.Column("contribution_fen", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("downgrade_due_on", sa.Date(), nullable=True),
        sa.Column("tier_floor", sa.String(length=16), nullable=True),
        sa.Column("tier_floor_expires_on", sa.Date(), nullable=True),
        sa.Column("name_enc", sa.LargeBinary(), nullable=False),
        sa.Column("id_number_enc", sa.LargeBinary(), nullable=False),
        sa.Column("phone_enc", sa.LargeBinary(), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("name_masked", sa.String(length=64), nullable=False),
        sa.Column("id_number_masked", sa.String(length=18), nullable=False),
        sa.Column("phone_masked", sa.String(length=11), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=True),
        sa.Column("gender", sa.String(length=8), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("interests", postgresql.ARRAY(sa.String(length=32)), server_default="{}", nullable=False),
        sa.Column("join_channel", sa.String(length=16), nullable=False),
        sa.Column("invited_by_manager_id", sa.String(length=64), nullable=True),
        sa.Column("join_unit", sa.String(length=64), nullable=True),
        sa.Column("manager_id", sa.String(length=64), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id_hash"),
        sa.UniqueConstraint("openid"),
        sa.UniqueConstraint("phone_hash"),
    )
    op.create_index(op.f("ix_members_manager_id"), "members", ["manager_id"], unique=False)
    op.create_index(op.f("ix_members_region_code"), "members", ["region_code"], unique=False)
    op.create_table(
        "pii_reads",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("fields", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_pii_reads_member_id"), "pii_reads", ["member_id"], unique=False)
    op.create_table(
        "settled_claims",
        sa.Column("claim_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("claim_id"),
    )
    op.create_index(op.f("ix_settled_claims_member_id"), "settled_claims", ["member_id"], unique=False)
    op.create_table(
        "tier_evaluation_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rules_version", sa.Integer(), nullable=False),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        sa.Column("chunk_size", sa.Integer(), nullable=False),
        sa.Column("last_member_id", sa.Uuid(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("changed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "tier_floors",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_tier_floors_member_id"), "tier_floors", ["member_id"], unique=False)
    op.create_table(
        "tier_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("from_tier", sa.String(length=16), nullable=False),
        sa.Column("to_tier", sa.String(length=16), nullable=False),
        sa.Column("contribution_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("rules_version", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_tier_history_member_id"), "tier_history", ["member_id"], unique=False)
    op.create_table(
        "tier_rules",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rules", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )
    op.create_table(
        "visits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("manager_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_visits_manager_id"), "visits", ["manager_id"], unique=False)
    op.create_index(op.f("ix_visits_member_id"), "visits", ["member_id"], unique=False)
    op.create_index(op.f("ix_visits_visited_at"), "visits", ["visited_at"], unique=False)
    op.create_table(
        "vehicles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("plate", sa.String(length=8), nullable=False),
        sa.Column("vin", sa.String(length=17), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "plate"),
    )
    op.create_index(op.f("ix_vehicles_member_id"), "vehicles", ["member_id"], unique=False)
    op.create_table(
        "verification_tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("fix_fields", postgresql.ARRAY(sa.String(length=32)), server_default="{}", nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id"),
    )
    op.create_index(
        op.f("ix_verification_tasks_decided_at"), "verification_tasks", ["decided_at"], unique=False
    )
    op.create_index(
        "ix_verification_tasks_queue",
        "verification_tasks",
        ["status", "not_before", "created_at"],
        unique=False,
    )
    op.create_table(
        "verification_callbacks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("reviewer_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("called_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["verification_tasks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_verification_callbacks_called_at"), "verification_callbacks", ["called_at"], unique=False
    )
    op.create_index(
        op.f("ix_verification_callbacks_task_id"), "verification_callbacks", ["task_id"], unique=False
    )
    op.add_column("policies", sa.Column("holder_id_hash", sa.String(length=64), nullable=True))
    op.add_column("policies", sa.Column("member_id", sa.Uuid(), nullable=True))
    op.add_column("policies", sa.Column("plate", sa.String(length=16), nullable=True))
    op.add_column("policies", sa.Column("vin", sa.String(length=17), nullable=True))
    op.add_column("policies", sa.Column("channel", sa.String(length=32), nullable=True))
    op.add_column("policies", sa.Column("selling_unit", sa.String(length=64), nullable=True))
    op.add_column("policies", sa.Column("selling_manager_id", sa.String(length=64), nullable=True))
    op.add_column("policies", sa.Column("issued_on", sa.Date(), nullable=True))
    op.create_index(op.f("ix_policies_holder_id_hash"), "policies", ["holder_id_hash"], unique=False)
    op.create_index(op.f("ix_policies_member_id"), "policies", ["member_id"], unique=False)
    op.create_index("ix_policies_unit_issued", "policies", ["selling_unit", "issued_on"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_policies_unit_issued", table_name="policies")
    op.drop_index(op.f("ix_policies_member_id"), table_name="policies")
    op.drop_index(op.f("ix_policies_holder_id_hash"), table_name="policies")
    op.drop_column("policies", "issued_on")
    op.drop_column("policies", "selling_manager_id")
    op.drop_column("policies", "selling_unit")
    op.drop_column("policies", "channel")
    op.drop_column("policies", "vin")
    op.drop_column("policies", "plate")
    op.drop_column("policies", "member_id")
    op.drop_column("policies", "holder_id_hash")
    op.drop_index(op.f("ix_verification_callbacks_task_id"), table_name="verification_callbacks")
    op.drop_index(op.f("ix_verification_callbacks_called_at"), table_name="verification_callbacks")
    op.drop_table("verification_callbacks")
    op.drop_index("ix_verification_tasks_queue", table_name="verification_tasks")
    op.drop_index(op.f("ix_verification_tasks_decided_at"), table_name="verification_tasks")
    op.drop_table("verification_tasks")
    op.drop_index(op.f("ix_vehicles_member_id"), table_name="vehicles")
    op.drop_table("vehicles")
    op.drop_index(op.f("ix_visits_visited_at"), table_name="visits")
    op.drop_index(op.f("ix_visits_member_id"), table_name="visits")
    op.drop_index(op.f("ix_visits_manager_id"), table_name="visits")
    op.drop_table("visits")
    op.drop_table("tier_rules")
    op.drop_index(op.f("ix_tier_history_member_id"), table_name="tier_history")
    op.drop_table("tier_history")
    op.drop_index(op.f("ix_tier_floors_member_id"), table_name="tier_floors")
    op.drop_table("tier_floors")
    op.drop_table("tier_evaluation_runs")
    op.drop_index(op.f("ix_settled_claims_member_id"), table_name="settled_claims")
    op.drop_table("settled_claims")
    op.drop_index(op.f("ix_pii_reads_member_id"), table_name="pii_reads")
    op.drop_table("pii_reads")
    op.drop_index(op.f("ix_members_region_code"), table_name="members")
    op.drop_index(op.f("ix_members_manager_id"), table_name="members")
    op.drop_table("members")
    op.drop_index(op.f("ix_manager_tasks_manager_id"), table_name="manager_tasks")
    op.drop_table("manager_tasks")
    op.drop_index(op.f("ix_manager_profiles_unit_code"), table_name="manager_profiles")
    op.drop_index(op.f("ix_manager_profiles_team"), table_name="manager_profiles")
    op.drop_table("manager_profiles")
    op.drop_index(op.f("ix_manager_assignments_member_id"), table_name="manager_assignments")
    op.drop_index(op.f("ix_manager_assignments_manager_id"), table_name="manager_assignments")
    op.drop_table("manager_assignments")
    op.drop_index(op.f("ix_invitation_imports_sha256"), table_name="invitation_imports")
    op.drop_table("invitation_imports")
