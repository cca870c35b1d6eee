"""Claims (the report, routing, state, timeline), the claim-number sequence, vehicle fields of the cover
projection, and the photo survey (queue, reviews, photos).

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
    op.add_column("policy_cover", sa.Column("plate", sa.String(32)))
    op.add_column("policy_cover", sa.Column("vin", sa.String(17)))
    op.add_column("policy_cover", sa.Column("holder_id_hash", sa.String(64)))
    op.create_index("ix_policy_cover_plate", "policy_cover", ["plate"])

    op.execute(sa.schema.CreateSequence(sa.Sequence("claim_no_seq")))
    op.create_table(
        "claims",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("claim_no", sa.String(32), nullable=False, unique=True),
        sa.Column("member_id", sa.Uuid, nullable=False),
        sa.Column("policy_no", sa.String(64), nullable=False),
        sa.Column("plate", sa.String(32)),
        sa.Column("vin", sa.String(17)),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("handling", sa.String(16), nullable=False),
        sa.Column("on_site_reasons", postgresql.ARRAY(sa.String(40)), nullable=False),
        sa.Column("duplicate_of", sa.Uuid),
        sa.Column("accident_type", sa.String(16), nullable=False),
        sa.Column("loss_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("city_code", sa.String(16), nullable=False),
        sa.Column("loss_cause", sa.String(32)),
        sa.Column("weather", sa.String(16)),
        sa.Column("description", sa.Text),
        sa.Column("injury_or_death", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("vehicles_drivable", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("police_called", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("third_party_property", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("drink_driving_suspected", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("driver_licence_valid", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("plate_missing", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("other_party_left", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("estimated_loss_fen", sa.BigInteger),
        sa.Column("catastrophe_code", sa.String(32)),
        sa.Column("other_party", postgresql.JSONB),
        sa.Column("driver", postgresql.JSONB),
        sa.Column("liability", sa.String(16)),
        sa.Column("confirmed_loss_fen", sa.BigInteger),
        sa.Column("approved_amount_fen", sa.BigInteger),
        sa.Column("paid_amount_fen", sa.BigInteger),
        sa.Column("withdrawal_reason", sa.Text),
        sa.Column("withdrawal_requested_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_claims_member_reported", "claims", ["member_id", "reported_at", "id"])
    op.create_index("ix_claims_policy_loss", "claims", ["policy_no", "loss_at"])
    op.create_index("ix_claims_plate_loss", "claims", ["plate", "loss_at"])
    op.create_index("ix_claims_status", "claims", ["status"])
    op.create_index("ix_claims_catastrophe_code", "claims", ["catastrophe_code"])

    op.create_table(
        "claim_steps",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("claim_id", sa.Uuid, sa.ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_claim_steps_claim", "claim_steps", ["claim_id", "id"])

    op.create_table(
        "survey_tasks",
        sa.Column("claim_id", sa.Uuid, sa.ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("member_id", sa.Uuid, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("surveyor_id", sa.String(64)),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expected_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True)),
        sa.Column("reshoot_slots", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("reshoot_note", sa.Text),
    )
    op.create_index("ix_survey_tasks_queue", "survey_tasks", ["status", "queued_at"])
    op.create_index("ix_survey_tasks_surveyor_id", "survey_tasks", ["surveyor_id"])

    op.create_table(
        "survey_reviews",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("claim_id", sa.Uuid, sa.ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("surveyor_id", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("amount_fen", sa.BigInteger),
        sa.Column("slots", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queue_seconds", sa.Float, nullable=False),
        sa.Column("handling_seconds", sa.Float, nullable=False),
    )
    op.create_index("ix_survey_reviews_claim_id", "survey_reviews", ["claim_id"])

    op.create_table(
        "survey_photos",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("claim_id", sa.Uuid, sa.ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("slot", sa.String(32), nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("storage_key", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True)),
        sa.Column("gps_latitude", sa.Float),
        sa.Column("gps_longitude", sa.Float),
        sa.Column("flags", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        "uq_survey_photos_current_slot",
        "survey_photos",
        ["claim_id", "slot"],
        unique=True,
        postgresql_where=sa.text("replaced_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("survey_photos")
    op.drop_table("survey_reviews")
    op.drop_table("survey_tasks")
    op.drop_table("claim_steps")
    op.drop_table("claims")
    op.execute(sa.schema.DropSequence(sa.Sequence("claim_no_seq")))
    op.drop_index("ix_policy_cover_plate", "policy_cover")
    op.drop_column("policy_cover", "holder_id_hash")
    op.drop_column("policy_cover", "vin")
    op.drop_column("policy_cover", "plate")
