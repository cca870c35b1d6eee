"""The liability assistant: the standard scenario list (seeded) and each claim's assessment.

Scenarios and legal references follow the traffic police's fast-handling list (Road Traffic Safety Law,
"Law"; its Implementing Regulations, "Regs"): each makes its party fully liable when the other has none.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCENARIOS = [
    ("rear_end", "同车道行驶，追撞前车尾部", "《道路交通安全法》第四十三条", False),
    (
        "lane_change",
        "变更车道或借道通行时，未让正常行驶的车辆先行",
        "《道路交通安全法实施条例》第四十四条",
        False,
    ),
    (
        "uncontrolled_junction",
        "通过没有交通信号灯控制的路口时，未按规定让行",
        "《道路交通安全法实施条例》第五十二条",
        False,
    ),
    ("turning_not_yielding", "转弯的车辆未让直行的车辆先行", "《道路交通安全法实施条例》第五十二条", False),
    ("signal_violation", "违反交通信号灯通行（闯红灯）", "《道路交通安全法》第三十八条", False),
    ("wrong_way", "逆向行驶", "《道路交通安全法》第三十五条", False),
    ("illegal_u_turn", "在禁止掉头的地点掉头或掉头时未让行", "《道路交通安全法实施条例》第四十九条", False),
    ("reversing", "倒车、溜车或车辆失控", "《道路交通安全法实施条例》第五十条", False),
    ("door_opening", "开关车门妨碍其他车辆通行", "《道路交通安全法实施条例》第六十三条", False),
    ("parking", "驶入驶出停车位，或在车道内违法停车", "《道路交通安全法实施条例》第六十三条", False),
    (
        "single_vehicle",
        "单方事故（撞击护栏、建筑物等）",
        "《道路交通事故处理程序规定》第十三条（转人工处理）",
        True,
    ),
    ("other", "以上都不是的其他情形", "转人工认定责任", True),
]


def upgrade() -> None:
    scenarios = op.create_table(
        "liability_scenarios",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("legal_reference", sa.String(80), nullable=False),
        sa.Column("manual", sa.Boolean, nullable=False),
        sa.Column("sort_order", sa.Integer, nullable=False, unique=True),
    )
    op.bulk_insert(
        scenarios,
        [
            {"code": code, "label": label, "legal_reference": ref, "manual": manual, "sort_order": i}
            for i, (code, label, ref, manual) in enumerate(SCENARIOS, start=1)
        ],
    )
    op.create_table(
        "liability_assessments",
        sa.Column("claim_id", sa.Uuid, sa.ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("member_scenarios", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("other_scenarios", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("member_liability", sa.String(16), nullable=False),
        sa.Column("other_liability", sa.String(16), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("member_confirmed_at", sa.DateTime(timezone=True)),
        sa.Column("other_confirmed_at", sa.DateTime(timezone=True)),
        sa.Column("disputed_by", sa.String(16)),
        sa.Column("disputed_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("liability_assessments")
    op.drop_table("liability_scenarios")
