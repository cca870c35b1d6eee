"""Payments with WeChat Pay: payments, refunds, notifications applied, daily reconciliations; priced orders
and points + cash redemptions await payment; the member's openid; the refund share after acceptance.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("service_orders", sa.Column("payment_due_at", TZ, nullable=True))
    op.add_column("service_orders", sa.Column("paid_at", TZ, nullable=True))
    op.add_column("rewards", sa.Column("cash_price_fen", sa.Integer(), server_default="0", nullable=False))
    op.add_column("redemptions", sa.Column("cash_fen", sa.Integer(), server_default="0", nullable=False))
    op.add_column("redemptions", sa.Column("payment_due_at", TZ, nullable=True))
    op.add_column("redemptions", sa.Column("paid_at", TZ, nullable=True))
    op.add_column(
        "privilege_terms",
        sa.Column("refund_after_acceptance_pct", sa.Integer(), server_default="100", nullable=False),
    )
    op.add_column("member_profiles", sa.Column("openid", sa.String(128), nullable=True))
    op.add_column("member_profiles", sa.Column("contact_changed_at", TZ, nullable=True))

    op.create_table(
        "payments",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("out_trade_no", sa.String(32), nullable=False, unique=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("order_id", sa.Uuid(), sa.ForeignKey("service_orders.id"), nullable=True),
        sa.Column("redemption_id", sa.Uuid(), sa.ForeignKey("redemptions.id"), nullable=True),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(127), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("prepay_id", sa.String(64), nullable=True),
        sa.Column("h5_url", sa.Text(), nullable=True),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("transaction_id", sa.String(32), nullable=True, unique=True),
        sa.Column("payer_openid", sa.String(128), nullable=True),
        sa.Column("paid_at", TZ, nullable=True),
        sa.Column("close_requested", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("close_reason", sa.String(16), nullable=True),
        sa.Column("closed_at", TZ, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.CheckConstraint("amount_fen > 0", name="ck_payments_amount"),
        sa.CheckConstraint("(order_id IS NULL) <> (redemption_id IS NULL)", name="ck_payments_one_payable"),
    )
    op.create_index("ix_payments_order", "payments", ["order_id"])
    op.create_index("ix_payments_redemption", "payments", ["redemption_id"])
    op.create_index("ix_payments_paid", "payments", ["paid_at"])
    op.create_index(
        "ix_payments_pending", "payments", ["status"], postgresql_where=sa.text("status = 'pending'")
    )

    op.create_table(
        "payment_refunds",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("out_refund_no", sa.String(64), nullable=False, unique=True),
        sa.Column("payment_id", sa.Uuid(), sa.ForeignKey("payments.id"), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("cause", sa.String(24), nullable=False),
        sa.Column("reason", sa.String(80), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("refund_id", sa.String(64), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("requested_at", TZ, nullable=False),
        sa.Column("accepted_at", TZ, nullable=True),
        sa.Column("settled_at", TZ, nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.CheckConstraint("amount_fen > 0", name="ck_payment_refunds_amount"),
    )
    op.create_index("ix_payment_refunds_payment", "payment_refunds", ["payment_id"])
    op.create_index(
        "ix_payment_refunds_open",
        "payment_refunds",
        ["status"],
        postgresql_where=sa.text("status IN ('pending', 'processing')"),
    )
    op.create_index("ix_payment_refunds_accepted", "payment_refunds", ["accepted_at"])

    op.create_table(
        "payment_notifications",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("event_type", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
    )
    op.create_table(
        "payment_reconciliations",
        sa.Column("bill_date", sa.Date(), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("trade_lines", sa.Integer(), nullable=False),
        sa.Column("refund_lines", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("differences", sa.Integer(), nullable=False),
        sa.Column("run_by", sa.String(64), nullable=False),
        sa.Column("reconciled_at", TZ, nullable=False),
    )
    op.create_table(
        "payment_reconciliation_differences",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "bill_date",
            sa.Date(),
            sa.ForeignKey("payment_reconciliations.bill_date", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("subject", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("out_trade_no", sa.String(64), nullable=False),
        sa.Column("out_refund_no", sa.String(64), nullable=True),
        sa.Column("ours_fen", sa.Integer(), nullable=True),
        sa.Column("theirs_fen", sa.Integer(), nullable=True),
    )
    op.create_index(
        "ix_payment_reconciliation_differences_day", "payment_reconciliation_differences", ["bill_date"]
    )


def downgrade() -> None:
    op.drop_table("payment_reconciliation_differences")
    op.drop_table("payment_reconciliations")
    op.drop_table("payment_notifications")
    op.drop_table("payment_refunds")
    op.drop_table("payments")
    op.drop_column("member_profiles", "contact_changed_at")
    op.drop_column("member_profiles", "openid")
    op.drop_column("privilege_terms", "refund_after_acceptance_pct")
    op.drop_column("redemptions", "paid_at")
    op.drop_column("redemptions", "payment_due_at")
    op.drop_column("redemptions", "cash_fen")
    op.drop_column("rewards", "cash_price_fen")
    op.drop_column("service_orders", "paid_at")
    op.drop_column("service_orders", "payment_due_at")
