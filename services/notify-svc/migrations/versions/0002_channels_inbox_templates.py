"""Channels: the audience projection's contact and segment columns, messages and their delivery log,
the inbox, templates (with the built-in approved ones) and preferences.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# code, category, variables, inbox title, inbox/SMS body, WeChat keyword fields, SMS parameters
BUILT_IN: list[tuple[str, str, dict[str, str], str, str, dict[str, str], dict[str, str]]] = [
    (
        "entitlements_changed",
        "service",
        {"tier_name": "string", "privileges": "string", "count": "int"},
        "会员权益已更新",
        "您当前为{tier_name}，可享{count}项权益：{privileges}。",
        {"thing1": "{tier_name}", "thing2": "{privileges}", "number3": "{count}"},
        {"tier": "{tier_name}", "count": "{count}"},
    ),
    (
        "order_status",
        "service",
        {"order_id": "string", "status_text": "string"},
        "服务订单{status_text}",
        "您的服务订单{order_id}{status_text}。",
        {"character_string1": "{order_id}", "phrase2": "{status_text}"},
        {"order": "{order_id}", "status": "{status_text}"},
    ),
    (
        "claim_step",
        "service",
        {"claim_id": "string", "step_text": "string"},
        "理赔进度：{step_text}",
        "您的理赔案件{claim_id}进度更新：{step_text}。",
        {"character_string1": "{claim_id}", "thing2": "{step_text}"},
        {"claim": "{claim_id}", "step": "{step_text}"},
    ),
    (
        "points_credited",
        "service",
        {"points": "int", "balance": "int"},
        "积分到账",
        "您获得{points}积分，当前积分余额{balance}。",
        {"number1": "{points}", "number2": "{balance}"},
        {"points": "{points}", "balance": "{balance}"},
    ),
    (
        "points_expiring",
        "reminder",
        {"points": "int", "expires_on": "date"},
        "积分即将过期",
        "您有{points}积分将于{expires_on}过期，请及时使用。",
        {"number1": "{points}", "date2": "{expires_on}"},
        {"points": "{points}", "date": "{expires_on}"},
    ),
    (
        "activity_signed_up",
        "service",
        {"activity_id": "string", "party_size": "int"},
        "活动报名成功",
        "您已成功报名活动{activity_id}，共{party_size}人。",
        {"thing1": "{activity_id}", "number2": "{party_size}"},
        {"activity": "{activity_id}", "size": "{party_size}"},
    ),
    (
        "verification_outcome",
        "service",
        {"outcome_text": "string", "reason": "string"},
        "会员认证{outcome_text}",
        "您的会员认证{outcome_text}。{reason}",
        {"phrase1": "{outcome_text}", "thing2": "{reason}"},
        {"outcome": "{outcome_text}"},
    ),
    (
        "renewal_reminder",
        "reminder",
        {"policy_no": "string", "ends_on": "date", "days": "int"},
        "保单续保提醒",
        "您的保单{policy_no}将于{ends_on}到期（还有{days}天），请及时续保。",
        {"character_string1": "{policy_no}", "date2": "{ends_on}", "number3": "{days}"},
        {"policy": "{policy_no}", "date": "{ends_on}", "days": "{days}"},
    ),
    (
        "inspection_reminder",
        "reminder",
        {"plate": "string", "due_on": "date"},
        "车辆年检提醒",
        "您的车辆{plate}应于{due_on}前完成年检。",
        {"car_number1": "{plate}", "date2": "{due_on}"},
        {"plate": "{plate}", "date": "{due_on}"},
    ),
    (
        "violation_reminder",
        "reminder",
        {"plate": "string", "detail": "string"},
        "交通违章提醒",
        "您的车辆{plate}有新的违章记录：{detail}。",
        {"car_number1": "{plate}", "thing2": "{detail}"},
        {"plate": "{plate}", "detail": "{detail}"},
    ),
    (
        "weather_alert",
        "reminder",
        {"region": "string", "alert": "string"},
        "天气预警",
        "{region}：{alert}。请注意行车安全。",
        {"thing1": "{region}", "thing2": "{alert}"},
        {"region": "{region}", "alert": "{alert}"},
    ),
    (
        "campaign_generic",
        "marketing",
        {"title": "string", "content": "string"},
        "{title}",
        "{content}",
        {"thing1": "{title}", "thing2": "{content}"},
        {"title": "{title}"},
    ),
    (
        "publication",
        "service",
        {"title": "string", "summary": "string"},
        "{title}",
        "{summary}",
        {"thing1": "{title}", "thing2": "{summary}"},
        {"title": "{title}"},
    ),
]


def upgrade() -> None:
    op.add_column("recipients", sa.Column("openid", sa.String(64)))
    op.add_column("recipients", sa.Column("phone_encrypted", sa.LargeBinary()))
    op.add_column("recipients", sa.Column("gender", sa.String(8)))
    op.add_column("recipients", sa.Column("birth_year", sa.SmallInteger()))
    op.add_column("recipients", sa.Column("region_code", sa.String(12)))
    op.add_column(
        "recipients",
        sa.Column("interests", postgresql.ARRAY(sa.String(32)), nullable=False, server_default="{}"),
    )
    op.add_column("recipients", sa.Column("manager_id", sa.String(64)))
    op.add_column(
        "recipients", sa.Column("activity_signups", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("recipients", sa.Column("last_activity_at", sa.DateTime(timezone=True)))
    op.create_index("ix_recipients_tier", "recipients", ["tier"])

    templates = op.create_table(
        "templates",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("variables", postgresql.JSONB(), nullable=False),
        sa.Column("title", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("wechat_template_id", sa.String(64)),
        sa.Column("wechat_fields", postgresql.JSONB(), nullable=False),
        sa.Column("sms_template_code", sa.String(32)),
        sa.Column("sms_params", postgresql.JSONB(), nullable=False),
        sa.Column("link", sa.String(256)),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("approved_by", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("code", "channel", "version", name="uq_templates_code_channel_version"),
    )
    now = datetime(2026, 11, 25, tzinfo=UTC)
    rows = []
    for code, category, variables, title, body, wechat_fields, sms_params in BUILT_IN:
        for channel in ("inbox", "wechat", "sms"):
            rows.append(
                {
                    "id": uuid.uuid5(uuid.NAMESPACE_URL, f"cheyou:notify:template:{code}:{channel}"),
                    "code": code,
                    "channel": channel,
                    "version": 1,
                    "locale": "zh-CN",
                    "category": category,
                    "variables": variables,
                    "title": title,
                    "body": body,
                    "wechat_template_id": f"TPL_{code.upper()}" if channel == "wechat" else None,
                    "wechat_fields": wechat_fields if channel == "wechat" else {},
                    "sms_template_code": f"SMS_{code.upper()}" if channel == "sms" else None,
                    "sms_params": sms_params if channel == "sms" else {},
                    "link": None,
                    "status": "approved",
                    "created_by": "system",
                    "approved_by": "system",
                    "created_at": now,
                    "approved_at": now,
                }
            )
    op.bulk_insert(templates, rows)

    op.create_table(
        "messages",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("fact_id", sa.String(160), nullable=False),
        sa.Column("template_code", sa.String(64), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("fallbacks", postgresql.JSONB(), nullable=False),
        sa.Column("fallback_from", sa.String(8)),
        sa.Column("campaign_id", sa.Uuid()),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(64)),
        sa.Column("error", sa.String(128)),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("member_id", "fact_id", "channel", name="uq_messages_member_fact_channel"),
    )
    op.create_index("ix_messages_member_id", "messages", ["member_id"])
    op.create_index("ix_messages_campaign_status", "messages", ["campaign_id", "status"])
    op.create_index(
        "ix_messages_due",
        "messages",
        ["not_before"],
        postgresql_where=sa.text("status IN ('pending', 'unknown', 'sending')"),
    )
    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.Uuid(), sa.ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("provider_id", sa.String(64)),
        sa.Column("error", sa.String(128)),
        sa.Column("fallback_to", sa.String(8)),
        sa.Column("detail", sa.Text()),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_delivery_attempts_message_id", "delivery_attempts", ["message_id"])

    op.create_table(
        "inbox_items",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("fact_id", sa.String(160), nullable=False),
        sa.Column("template_code", sa.String(64), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("title", sa.String(128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(256)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True)),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.Column("archived_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("member_id", "fact_id", name="uq_inbox_member_fact"),
    )
    op.create_index(
        "ix_inbox_member_created",
        "inbox_items",
        ["member_id", sa.text("created_at DESC"), sa.text("id DESC")],
    )
    op.create_index(
        "ix_inbox_unread",
        "inbox_items",
        ["member_id"],
        postgresql_where=sa.text("read_at IS NULL AND archived_at IS NULL"),
    )

    op.create_table(
        "preferences",
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("category", sa.String(16), primary_key=True),
        sa.Column("channel", sa.String(8), primary_key=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("preferences")
    op.drop_table("inbox_items")
    op.drop_table("delivery_attempts")
    op.drop_table("messages")
    op.drop_table("templates")
    op.drop_index("ix_recipients_tier", table_name="recipients")
    for column in (
        "last_activity_at",
        "activity_signups",
        "manager_id",
        "interests",
        "region_code",
        "birth_year",
        "gender",
        "phone_encrypted",
        "openid",
    ):
        op.drop_column("recipients", column)
