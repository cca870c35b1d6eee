"""Service points: where merchants serve members (GCJ-02), their opening hours as minutes of the week,
and the point an order is served at.

The nearby search needs no extension: a partial btree on (0.1° latitude band, longitude) over active
points prefilters a search circle's box, the haversine distance orders what it lets through.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_points",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("merchant_id", sa.Uuid(), sa.ForeignKey("merchants.id"), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("city_code", sa.String(16), nullable=False),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("lat_band", sa.Integer(), nullable=False),
        sa.Column("services", postgresql.ARRAY(sa.String(64)), nullable=False),
        sa.Column("hours", postgresql.JSONB(), nullable=False),
        sa.Column("offers", postgresql.JSONB(), server_default="[]", nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index(
        "ix_service_points_nearby",
        "service_points",
        ["lat_band", "lng"],
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index("ix_service_points_merchant", "service_points", ["merchant_id", "created_at", "id"])
    op.create_table(
        "service_point_open_intervals",
        sa.Column(
            "point_id",
            sa.Uuid(),
            sa.ForeignKey("service_points.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("starts_min", sa.Integer(), primary_key=True),
        sa.Column("ends_min", sa.Integer(), nullable=False),
    )
    op.add_column("fulfilments", sa.Column("service_point_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column("fulfilments", "service_point_id")
    op.drop_table("service_point_open_intervals")
    op.drop_index("ix_service_points_merchant", table_name="service_points")
    op.drop_index("ix_service_points_nearby", table_name="service_points")
    op.drop_table("service_points")
