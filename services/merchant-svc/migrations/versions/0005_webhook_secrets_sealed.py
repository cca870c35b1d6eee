"""Webhook signing secrets sealed with the field cipher (security issue 17, Low).

Each ``whsec_…`` stored in clear is sealed here, bound to its endpoint, with the key the service runs
with (``MERCHANT_PII_KEY``, its first key): run the migration in the service's environment. The service
reads both forms (``webhooks/secret_store.py``), so instances still running the previous release and rows
not yet sealed keep signing during the rollout. The column becomes ``text`` (a sealed value is longer).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from merchant_svc.config import Settings
from merchant_svc.pii import cipher_for
from merchant_svc.webhooks.secret_store import CLEAR_PREFIX, seal, unseal

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("webhook_secrets", "secret", type_=sa.Text(), existing_type=sa.String(100))
    cipher = cipher_for(Settings().pii_key)
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, endpoint_id, secret FROM webhook_secrets WHERE secret LIKE :clear"),
        {"clear": f"{CLEAR_PREFIX}%"},
    ).all()
    for row in rows:
        connection.execute(
            sa.text("UPDATE webhook_secrets SET secret = :sealed WHERE id = :id AND secret = :clear"),
            {"sealed": seal(cipher, row.endpoint_id, row.secret), "id": row.id, "clear": row.secret},
        )


def downgrade() -> None:
    cipher = cipher_for(Settings().pii_key)
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, endpoint_id, secret FROM webhook_secrets WHERE secret NOT LIKE :clear"),
        {"clear": f"{CLEAR_PREFIX}%"},
    ).all()
    for row in rows:
        connection.execute(
            sa.text("UPDATE webhook_secrets SET secret = :clear WHERE id = :id"),
            {"clear": unseal(cipher, row.endpoint_id, row.secret), "id": row.id},
        )
    op.alter_column("webhook_secrets", "secret", type_=sa.String(100), existing_type=sa.Text())
