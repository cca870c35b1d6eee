"""Invitation outreach (issue 21, 1): invitees of imported lists, the SMS opt-out list (a reply TD, an
unsubscribe link), and the invitation and reminder templates (marketing), approved and built in.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-20
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VARIABLES = {"manager": "string", "join_link": "string", "unsubscribe_link": "string"}
# WeChat 2023 rules: keyword fields only, each at most 20 characters; the message opens the join link.
TEMPLATES = {
    "invitation": {
        "title": "车友俱乐部入会邀请",
        "body": "{manager}邀请您加入车友俱乐部，尊享免费道路救援、洗车加油优惠等会员特权。"
        "点击入会：{join_link} 退订回TD或点{unsubscribe_link}",
        "wechat_fields": {
            "thing1": "{manager}",
            "thing2": "车友俱乐部入会邀请",
            "thing3": "点击详情，一分钟入会",
        },
    },
    "invitation_reminder": {
        "title": "车友俱乐部入会邀请提醒",
        "body": "温馨提醒：{manager}邀请您加入车友俱乐部，邀请仍然有效。"
        "点击入会：{join_link} 退订回TD或点{unsubscribe_link}",
        "wechat_fields": {
            "thing1": "{manager}",
            "thing2": "入会邀请仍然有效",
            "thing3": "点击详情，一分钟入会",
        },
    },
}
SMS_PARAMS = {"manager": "{manager}", "link": "{join_link}", "unsubscribe": "{unsubscribe_link}"}


def upgrade() -> None:
    op.create_table(
        "invitees",
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("list_id", sa.String(length=64), nullable=False),
        sa.Column("manager_id", sa.String(length=64), nullable=True),
        sa.Column("manager_name", sa.String(length=64), nullable=True),
        sa.Column("consent_basis", sa.String(length=16), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=True),
        sa.Column("phone_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("token_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("join_url", sa.String(length=512), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("next_reminder_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opted_out_via", sa.String(length=16), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("member_id"),
        sa.UniqueConstraint("token_sha256"),
    )
    op.create_index("ix_invitees_list_id", "invitees", ["list_id"])
    op.create_index("ix_invitees_phone_hash", "invitees", ["phone_hash"])
    op.create_index(
        "ix_invitees_reminder_due",
        "invitees",
        ["next_reminder_at"],
        postgresql_where=sa.text("status = 'active' AND next_reminder_at IS NOT NULL"),
    )
    op.create_table(
        "sms_opt_outs",
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("phone_hash"),
    )
    now = datetime(2026, 12, 20, tzinfo=UTC)
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
                "id": uuid.uuid5(uuid.NAMESPACE_URL, f"cheyou:notify:template:{code}:{channel}:v1"),
                "code": code,
                "channel": channel,
                "version": 1,
                "locale": "zh-CN",
                "category": "marketing",
                "variables": VARIABLES,
                "title": words["title"],
                "body": words["body"],
                "wechat_template_id": f"TPL_{code.upper()}" if channel == "wechat" else None,
                "wechat_fields": words["wechat_fields"] if channel == "wechat" else {},
                "sms_template_code": f"SMS_{code.upper()}" if channel == "sms" else None,
                "sms_params": SMS_PARAMS if channel == "sms" else {},
                "link": None,
                "status": "approved",
                "created_by": "system",
                "approved_by": "system",
                "created_at": now,
                "approved_at": now,
            }
            for code, words in TEMPLATES.items()
            for channel in ("wechat", "sms")
        ],
    )


def downgrade() -> None:
    op.execute(
        "DELETE FROM templates WHERE created_by = 'system' AND code IN ('invitation', 'invitation_reminder')"
    )
    op.drop_table("sms_opt_outs")
    op.drop_index("ix_invitees_reminder_due", table_name="invitees")
    op.drop_index("ix_invitees_phone_hash", table_name="invitees")
    op.drop_index("ix_invitees_list_id", table_name="invitees")
    op.drop_table("invitees")
