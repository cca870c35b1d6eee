"""The tier-downgrade warning template (``member.tier_downgrade_scheduled``), approved and built in.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = "tier_downgrade_warning"
CATEGORY = "reminder"
VARIABLES = {"from_tier": "string", "to_tier": "string", "effective_on": "date", "keep_text": "string"}
TITLE = "会员等级调整提醒"
BODY = "您的{from_tier}等级将于{effective_on}调整为{to_tier}。{keep_text}。"
# WeChat 2023 rules: no first/remark line, keyword fields only, each at most 20 characters.
WECHAT_FIELDS = {
    "thing1": "{from_tier}",
    "thing2": "{to_tier}",
    "date3": "{effective_on}",
    "thing4": "{keep_text}",
}
SMS_PARAMS = {"from": "{from_tier}", "to": "{to_tier}", "date": "{effective_on}", "keep": "{keep_text}"}


def upgrade() -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    templates = sa.table(
        "templates",
        *(
            sa.column(name, kind)
            for name, kind in [
                ("id", sa.Uuid()),
                ("code", sa.String()),
                ("channel", sa.String()),
                ("version", sa.Integer()),
                ("locale", sa.String()),
                ("category", sa.String()),
                ("variables", postgresql.JSONB()),
                ("title", sa.String()),
                ("body", sa.Text()),
                ("wechat_template_id", sa.String()),
                ("wechat_fields", postgresql.JSONB()),
                ("sms_template_code", sa.String()),
                ("sms_params", postgresql.JSONB()),
                ("link", sa.String()),
                ("status", sa.String()),
                ("created_by", sa.String()),
                ("approved_by", sa.String()),
                ("created_at", sa.DateTime(timezone=True)),
                ("approved_at", sa.DateTime(timezone=True)),
            ]
        ),
    )
    op.bulk_insert(
        templates,
        [
            {
                "id": uuid.uuid5(uuid.NAMESPACE_URL, f"cheyou:notify:template:{CODE}:{channel}:v1"),
                "code": CODE,
                "channel": channel,
                "version": 1,
                "locale": "zh-CN",
                "category": CATEGORY,
                "variables": VARIABLES,
                "title": TITLE,
                "body": BODY,
                "wechat_template_id": f"TPL_{CODE.upper()}" if channel == "wechat" else None,
                "wechat_fields": WECHAT_FIELDS if channel == "wechat" else {},
                "sms_template_code": f"SMS_{CODE.upper()}" if channel == "sms" else None,
                "sms_params": SMS_PARAMS if channel == "sms" else {},
                "link": None,
                "status": "approved",
                "created_by": "system",
                "approved_by": "system",
                "created_at": now,
                "approved_at": now,
            }
            for channel in ("inbox", "wechat", "sms")
        ],
    )


def downgrade() -> None:
    op.execute(f"DELETE FROM templates WHERE created_by = 'system' AND code = '{CODE}'")
