"""Merchant users (API keys belong to one); merchants' contacts encrypted; order history; missed accept
windows; points-mall coupons.

The contacts are encrypted here, row by row, with the key the service runs with (``MERCHANT_PII_KEY``):
run the migration in the service's environment.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from merchant_svc.config import Settings
from merchant_svc.pii import cipher_for

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


CONTACT_FIELDS = ("contact_name", "contact_phone")


def _encrypt_contacts() -> None:
    cipher = cipher_for(Settings().pii_key)
    for field in CONTACT_FIELDS:
        op.add_column("merchants", sa.Column(f"{field}_cipher", sa.LargeBinary(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, contact_name, contact_phone FROM merchants")).all()
    for row in rows:
        values = {
            f"{field}_cipher": cipher.encrypt("merchant", row.id, field, value) if value else None
            for field, value in zip(CONTACT_FIELDS, (row.contact_name, row.contact_phone), strict=True)
        }
        connection.execute(
            sa.text(
                "UPDATE merchants SET contact_name_cipher = :contact_name_cipher, "
                "contact_phone_cipher = :contact_phone_cipher WHERE id = :id"
            ),
            {**values, "id": row.id},
        )
    for field in CONTACT_FIELDS:
        op.drop_column("merchants", field)


def _decrypt_contacts() -> None:
    cipher = cipher_for(Settings().pii_key)
    op.add_column("merchants", sa.Column("contact_name", sa.String(length=80), nullable=True))
    op.add_column("merchants", sa.Column("contact_phone", sa.String(length=32), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, contact_name_cipher, contact_phone_cipher FROM merchants")
    ).all()
    for row in rows:
        values = {
            field: cipher.decrypt("merchant", row.id, field, blob) if blob else None
            for field, blob in zip(
                CONTACT_FIELDS, (row.contact_name_cipher, row.contact_phone_cipher), strict=True
            )
        }
        connection.execute(
            sa.text(
                "UPDATE merchants SET contact_name = :contact_name, contact_phone = :contact_phone WHERE id = :id"
            ),
            {**values, "id": row.id},
        )
    for field in CONTACT_FIELDS:
        op.drop_column("merchants", f"{field}_cipher")


def upgrade() -> None:
    _encrypt_contacts()
    op.create_table(
        "merchant_users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("name_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("phone_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_merchant_users_merchant_id"), "merchant_users", ["merchant_id"], unique=False)
    # Keys issued before merchant users keep working without a user (NULL); new keys always name one.
    op.add_column("merchant_api_keys", sa.Column("merchant_user_id", sa.Uuid(), nullable=True))
    op.create_index(
        op.f("ix_merchant_api_keys_merchant_user_id"), "merchant_api_keys", ["merchant_user_id"], unique=False
    )
    op.create_foreign_key(
        "merchant_api_keys_merchant_user_id_fkey",
        "merchant_api_keys",
        "merchant_users",
        ["merchant_user_id"],
        ["id"],
    )

    op.add_column(
        "fulfilments",
        sa.Column("expired_for", sa.ARRAY(sa.Uuid()), server_default="{}", nullable=False),
    )
    op.create_index(
        "ix_fulfilments_status_accept_due", "fulfilments", ["status", "accept_due_at"], unique=False
    )
    op.create_table(
        "fulfilment_history",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=True),
        sa.Column("merchant_user_id", sa.Uuid(), nullable=True),
        sa.Column("api_key_id", sa.Uuid(), nullable=True),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["fulfilments.order_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_fulfilment_history_order_id"), "fulfilment_history", ["order_id"], unique=False)

    op.create_table(
        "sla_misses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "merchant_id", "kind"),
    )
    op.create_index(op.f("ix_sla_misses_merchant_id"), "sla_misses", ["merchant_id"], unique=False)

    op.create_table(
        "coupon_mall_redemptions",
        sa.Column("redemption_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("coupon_id", sa.Uuid(), nullable=True),
        sa.Column("refused", sa.String(length=32), nullable=True),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["coupon_id"], ["coupons.id"]),
        sa.PrimaryKeyConstraint("redemption_id"),
    )
    op.create_index(
        op.f("ix_coupon_mall_redemptions_member_id"), "coupon_mall_redemptions", ["member_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_coupon_mall_redemptions_member_id"), table_name="coupon_mall_redemptions")
    op.drop_table("coupon_mall_redemptions")
    op.drop_index(op.f("ix_sla_misses_merchant_id"), table_name="sla_misses")
    op.drop_table("sla_misses")
    op.drop_index(op.f("ix_fulfilment_history_order_id"), table_name="fulfilment_history")
    op.drop_table("fulfilment_history")
    op.drop_index("ix_fulfilments_status_accept_due", table_name="fulfilments")
    op.drop_column("fulfilments", "expired_for")
    op.drop_constraint("merchant_api_keys_merchant_user_id_fkey", "merchant_api_keys", type_="foreignkey")
    op.drop_index(op.f("ix_merchant_api_keys_merchant_user_id"), table_name="merchant_api_keys")
    op.drop_column("merchant_api_keys", "merchant_user_id")
    op.drop_index(op.f("ix_merchant_users_merchant_id"), table_name="merchant_users")
    op.drop_table("merchant_users")
    _decrypt_contacts()
