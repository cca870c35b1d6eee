"""Merchants, contracts and API keys; dispatch columns; webhooks; service records, accountability; coupons.

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
        "accountability_cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.String(length=64), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("penalty_fen", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("complaint_id"),
    )
    op.create_index(
        op.f("ix_accountability_cases_merchant_id"), "accountability_cases", ["merchant_id"], unique=False
    )
    op.create_table(
        "merchants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("contact_name", sa.String(length=80), nullable=True),
        sa.Column("contact_phone", sa.String(length=32), nullable=True),
        sa.Column("city_codes", sa.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("score", sa.Float(), server_default="80", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index(op.f("ix_merchants_status"), "merchants", ["status"], unique=False)
    op.create_table(
        "service_records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("privilege_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accept_sla_met", sa.Boolean(), nullable=False),
        sa.Column("complete_sla_met", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("photos", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("stars", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id"),
    )
    op.create_index(op.f("ix_service_records_merchant_id"), "service_records", ["merchant_id"], unique=False)
    op.create_table(
        "webhook_messages",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_webhook_messages_merchant_id"), "webhook_messages", ["merchant_id"], unique=False
    )
    op.create_index(op.f("ix_webhook_messages_order_id"), "webhook_messages", ["order_id"], unique=False)
    op.create_table(
        "accountability_notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["accountability_cases.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_accountability_notes_case_id"), "accountability_notes", ["case_id"], unique=False
    )
    op.create_table(
        "coupon_batches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_off_fen", sa.BigInteger(), nullable=True),
        sa.Column("percent_off", sa.Integer(), nullable=True),
        sa.Column("service", sa.String(length=120), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("issued_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("per_member_limit", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_coupon_batches_merchant_id"), "coupon_batches", ["merchant_id"], unique=False)
    op.create_table(
        "merchant_api_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_index(
        op.f("ix_merchant_api_keys_merchant_id"), "merchant_api_keys", ["merchant_id"], unique=False
    )
    op.create_table(
        "merchant_contracts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("privilege_ids", sa.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("city_codes", sa.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("unit_price_fen", sa.BigInteger(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("accept_within_minutes", sa.Integer(), nullable=False),
        sa.Column("complete_within_minutes", sa.Integer(), nullable=False),
        sa.Column("max_open_orders", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_merchant_contracts_merchant_id"), "merchant_contracts", ["merchant_id"], unique=False
    )
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("event_types", sa.ARRAY(sa.String(length=64)), server_default="{}", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("max_in_flight", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_webhook_endpoints_merchant_id"), "webhook_endpoints", ["merchant_id"], unique=False
    )
    op.create_table(
        "coupons",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["coupon_batches.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index(op.f("ix_coupons_batch_id"), "coupons", ["batch_id"], unique=False)
    op.create_index(op.f("ix_coupons_member_id"), "coupons", ["member_id"], unique=False)
    op.create_index(op.f("ix_coupons_merchant_id"), "coupons", ["merchant_id"], unique=False)
    op.create_index(op.f("ix_coupons_redeemed_at"), "coupons", ["redeemed_at"], unique=False)
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.String(length=40), nullable=False),
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["webhook_messages.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id", "endpoint_id"),
    )
    op.create_index(
        "ix_webhook_deliveries_due",
        "webhook_deliveries",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_webhook_deliveries_endpoint_status", "webhook_deliveries", ["endpoint_id", "status"], unique=False
    )
    op.create_table(
        "webhook_secrets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_webhook_secrets_endpoint_id"), "webhook_secrets", ["endpoint_id"], unique=False)
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.String(length=40), nullable=False),
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("attempt_no", sa.Integer(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("response_excerpt", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_deliveries.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_webhook_attempts_delivery_id"), "webhook_attempts", ["delivery_id"], unique=False
    )
    op.create_index(op.f("ix_webhook_attempts_message_id"), "webhook_attempts", ["message_id"], unique=False)
    op.add_column(
        "fulfilments",
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
    )
    op.add_column("fulfilments", sa.Column("merchant_id", sa.Uuid(), nullable=True))
    op.add_column("fulfilments", sa.Column("contract_id", sa.Uuid(), nullable=True))
    op.add_column("fulfilments", sa.Column("unit_price_fen", sa.BigInteger(), nullable=True))
    op.add_column(
        "fulfilments", sa.Column("rejected_by", sa.ARRAY(sa.Uuid()), server_default="{}", nullable=False)
    )
    op.add_column("fulfilments", sa.Column("reason", sa.Text(), nullable=True))
    op.add_column(
        "fulfilments", sa.Column("evidence", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.add_column("fulfilments", sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("fulfilments", sa.Column("accept_due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("fulfilments", sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("fulfilments", sa.Column("complete_due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("fulfilments", sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("fulfilments", sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("fulfilments", sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("fulfilments", sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("fulfilments", sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "fulfilments",
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )
    op.create_index("ix_fulfilments_merchant_status", "fulfilments", ["merchant_id", "status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_fulfilments_merchant_status", table_name="fulfilments")
    op.drop_column("fulfilments", "updated_at")
    op.drop_column("fulfilments", "cancelled_at")
    op.drop_column("fulfilments", "failed_at")
    op.drop_column("fulfilments", "completed_at")
    op.drop_column("fulfilments", "started_at")
    op.drop_column("fulfilments", "arrived_at")
    op.drop_column("fulfilments", "complete_due_at")
    op.drop_column("fulfilments", "accepted_at")
    op.drop_column("fulfilments", "accept_due_at")
    op.drop_column("fulfilments", "dispatched_at")
    op.drop_column("fulfilments", "evidence")
    op.drop_column("fulfilments", "reason")
    op.drop_column("fulfilments", "rejected_by")
    op.drop_column("fulfilments", "unit_price_fen")
    op.drop_column("fulfilments", "contract_id")
    op.drop_column("fulfilments", "merchant_id")
    op.drop_column("fulfilments", "details")
    op.drop_index(op.f("ix_webhook_attempts_message_id"), table_name="webhook_attempts")
    op.drop_index(op.f("ix_webhook_attempts_delivery_id"), table_name="webhook_attempts")
    op.drop_table("webhook_attempts")
    op.drop_index(op.f("ix_webhook_secrets_endpoint_id"), table_name="webhook_secrets")
    op.drop_table("webhook_secrets")
    op.drop_index("ix_webhook_deliveries_endpoint_status", table_name="webhook_deliveries")
    op.drop_index(
        "ix_webhook_deliveries_due",
        table_name="webhook_deliveries",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_table("webhook_deliveries")
    op.drop_index(op.f("ix_coupons_redeemed_at"), table_name="coupons")
    op.drop_index(op.f("ix_coupons_merchant_id"), table_name="coupons")
    op.drop_index(op.f("ix_coupons_member_id"), table_name="coupons")
    op.drop_index(op.f("ix_coupons_batch_id"), table_name="coupons")
    op.drop_table("coupons")
    op.drop_index(op.f("ix_webhook_endpoints_merchant_id"), table_name="webhook_endpoints")
    op.drop_table("webhook_endpoints")
    op.drop_index(op.f("ix_merchant_contracts_merchant_id"), table_name="merchant_contracts")
    op.drop_table("merchant_contracts")
    op.drop_index(op.f("ix_merchant_api_keys_merchant_id"), table_name="merchant_api_keys")
    op.drop_table("merchant_api_keys")
    op.drop_index(op.f("ix_coupon_batches_merchant_id"), table_name="coupon_batches")
    op.drop_table("coupon_batches")
    op.drop_index(op.f("ix_accountability_notes_case_id"), table_name="accountability_notes")
    op.drop_table("accountability_notes")
    op.drop_index(op.f("ix_webhook_messages_order_id"), table_name="webhook_messages")
    op.drop_index(op.f("ix_webhook_messages_merchant_id"), table_name="webhook_messages")
    op.drop_table("webhook_messages")
    op.drop_index(op.f("ix_service_records_merchant_id"), table_name="service_records")
    op.drop_table("service_records")
    op.drop_index(op.f("ix_merchants_status"), table_name="merchants")
    op.drop_table("merchants")
    op.drop_index(op.f("ix_accountability_cases_merchant_id"), table_name="accountability_cases")
    op.drop_table("accountability_cases")
