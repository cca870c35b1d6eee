"""Seed data: the first version of the tier rules and the demo managers' profiles.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RULES = {
    "premium_weight": 1.0,
    "per_year_fen": 20_000,
    "max_years": 10,
    "per_extra_line_fen": 50_000,
    "per_renewal_fen": 30_000,
    "max_renewals": 5,
    "per_claim_fen": 50_000,
    "claims_window_days": 365,
    "thresholds_fen": {"three_star": 600_000, "four_star": 1_200_000, "five_star": 2_500_000},
    "grace_days": 30,
}

MANAGERS = [
    {
        "staff_id": "manager1",
        "display_name": "林晓",
        "team": "福州营业一部",
        "unit_code": "FZ01",
        "staff_number": "FZ010001",
        "phone": "0591-87001001",
        "invite_code": "MK7Q2Z9A",
    },
    {
        "staff_id": "manager2",
        "display_name": "陈航",
        "team": "福州营业一部",
        "unit_code": "FZ01",
        "staff_number": "FZ010002",
        "phone": "0591-87001002",
        "invite_code": "MH4W8T3C",
    },
]


def upgrade() -> None:
    rules = sa.table(
        "tier_rules",
        sa.column("version", sa.Integer),
        sa.column("rules", JSONB),
        sa.column("note", sa.Text),
        sa.column("created_by", sa.String),
    )
    op.bulk_insert(
        rules, [{"version": 1, "rules": RULES, "note": "initial rules", "created_by": "migration"}]
    )
    managers = sa.table(
        "manager_profiles",
        *(sa.column(name, sa.String) for name in MANAGERS[0]),
    )
    op.bulk_insert(managers, MANAGERS)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM manager_profiles WHERE staff_id IN ('manager1', 'manager2')"))
    op.execute(sa.text("DELETE FROM tier_rules WHERE version = 1"))
