"""Service orders and complaints.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_orders",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("privilege_code", sa.String(64), sa.ForeignKey("privileges.code"), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("terms_id", sa.Integer(), sa.ForeignKey("privilege_terms.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("price_fen", sa.Integer(), nullable=False),
        sa.Column("points_held", sa.Integer(), nullable=False),
        sa.Column("hold_entry_id", sa.Uuid(), sa.ForeignKey("points_entries.id"), nullable=True),
        sa.Column("quota_period_start", sa.Date(), nullable=False),
        sa.Column("city_code", sa.String(16), nullable=False),
        sa.Column("appointment_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pickup_address", sa.String(200), nullable=True),
        sa.Column("destination_address", sa.String(200), nullable=True),
        sa.Column("vehicle_plate", sa.String(16), nullable=True),
        sa.Column("flight_no", sa.String(16), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("merchant_id", sa.String(64), nullable=True),
        sa.Column("last_rejection", sa.Text(), nullable=True),
        sa.Column("service_record_id", sa.String(64), nullable=True),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("request_fingerprint", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("rating_stars", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("member_id", "idempotency_key", name="uq_service_orders_idempotency"),
    )
    op.create_index("ix_service_orders_member", "service_orders", ["member_id", "created_at", "id"])
    op.create_index(
        "ix_service_orders_completed", "service_orders", ["completed_at", "privilege_code", "tier"]
    )
    op.create_table(
        "order_complaints",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("order_id", sa.Uuid(), sa.ForeignKey("service_orders.id"), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("merchant_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_order_complaints_order_id", "order_complaints", ["order_id"])


def downgrade() -> None:
    op.drop_index("ix_order_complaints_order_id", table_name="order_complaints")
    op.drop_table("order_complaints")
    op.drop_index("ix_service_orders_completed", table_name="service_orders")
    op.drop_index("ix_service_orders_member", table_name="service_orders")
    op.drop_table("service_orders")
