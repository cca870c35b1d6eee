"""Claim figures: when a claim was first settled (backfilled from the timeline); indexes for the figures.

``ix_claims_reported_at`` includes every column the figures read, so a period is an index-only scan;
``ix_survey_reviews_reshoot`` holds only the re-shoot requests.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("claims", sa.Column("settled_at", sa.DateTime(timezone=True)))
    # claims paid before this column existed: the first payment step of their timeline
    op.execute(
        """
        UPDATE claims SET settled_at = paid.at
        FROM (SELECT claim_id, min(at) AS at FROM claim_steps WHERE code = 'paid' GROUP BY claim_id) AS paid
        WHERE claims.id = paid.claim_id
        """
    )
    op.create_index(
        "ix_claims_reported_at",
        "claims",
        ["reported_at"],
        postgresql_include=["status", "handling", "settled_at", "on_site_reasons", "id"],
    )
    op.create_index(
        "ix_survey_reviews_reshoot",
        "survey_reviews",
        ["claim_id"],
        postgresql_where=sa.text("outcome = 'reshoot'"),
    )


def downgrade() -> None:
    op.drop_index("ix_survey_reviews_reshoot", table_name="survey_reviews")
    op.drop_index("ix_claims_reported_at", table_name="claims")
    op.drop_column("claims", "settled_at")
