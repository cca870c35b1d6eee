"""Merchant users' phones as a keyed hash too: merchant staff sign in by phone and SMS code.

The hash of every phone already stored is computed here, with the keys the service runs with
(``MERCHANT_PII_KEY`` to decrypt, ``MERCHANT_PII_HASH_KEY`` to hash): run the migration in the service's
environment. One user per phone number (a unique index).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from merchant_svc.config import Settings
from merchant_svc.pii import cipher_for, phone_index_for

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("merchant_users", sa.Column("phone_hash", sa.String(64), nullable=True))
    settings = Settings()
    cipher, index = cipher_for(settings.pii_key), phone_index_for(settings.pii_hash_key)
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT id, phone_cipher FROM merchant_users WHERE phone_cipher IS NOT NULL ORDER BY created_at"
        )
    ).all()
    seen: set[str] = set()
    for row in rows:
        digest = index.digest(cipher.decrypt("merchant-user", row.id, "phone", row.phone_cipher))
        if digest in seen:  # a number two users were given before it had to be unique: the first keeps it
            continue
        seen.add(digest)
        connection.execute(
            sa.text("UPDATE merchant_users SET phone_hash = :digest WHERE id = :id"),
            {"digest": digest, "id": row.id},
        )
    op.create_unique_constraint("uq_merchant_users_phone_hash", "merchant_users", ["phone_hash"])


def downgrade() -> None:
    op.drop_constraint("uq_merchant_users_phone_hash", "merchant_users", type_="unique")
    op.drop_column("merchant_users", "phone_hash")
