"""The outside feeds (feeds/): items by provider id, signed pushes seen, pull cursors; the violation and
weather templates with their links (booking the violation-handling agency, reporting a claim).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

import json
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The next version of each (code, channel): ops may have written versions of their own meanwhile.
# ``{link}`` in a text is the template's link made absolute (NOTIFY_PUBLIC_BASE_URL).
TEMPLATES = [
    {
        "code": "violation_reminder",
        "variables": {"plate": "string", "detail": "string"},
        "title": "交通违章提醒",
        "body": "您的车辆{plate}有新的违章记录：{detail}。可预约代办违章。",
        "wechat_fields": {"car_number1": "{plate}", "thing2": "{detail}"},
        "sms_params": {"plate": "{plate}", "detail": "{detail}", "link": "{link}"},
        "link": "/h5/privileges/violation_agency/book",
    },
    {
        "code": "weather_alert",
        "variables": {"region": "string", "alert": "string"},
        "title": "天气预警",
        "body": "{region}：{alert}。请注意行车安全，如遇出险可一键报案。",
        "wechat_fields": {"thing1": "{region}", "thing2": "{alert}"},
        "sms_params": {"region": "{region}", "alert": "{alert}", "link": "{link}"},
        "link": "/h5/claims/new",
    },
]


def _template_id(code: object, channel: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"cheyou:notify:template:{code}:{channel}:feeds-link")


def upgrade() -> None:
    op.create_table(
        "feed_items",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("provider_item_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(16), nullable=False),
        sa.Column("via", sa.String(8), nullable=False),
        sa.Column("delivery_id", sa.String(64)),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(32)),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Uuid()),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replays", sa.Integer(), nullable=False),
        sa.Column("replayed_by", sa.String(64)),
        sa.UniqueConstraint("provider", "provider_item_id", name="uq_feed_items_provider_item"),
    )
    op.create_index("ix_feed_items_received", "feed_items", ["received_at", "id"])
    op.create_index("ix_feed_items_provider_received", "feed_items", ["provider", "received_at", "id"])
    op.create_table(
        "feed_deliveries",
        sa.Column("provider", sa.String(16), primary_key=True),
        sa.Column("delivery_id", sa.String(64), primary_key=True),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_feed_deliveries_received", "feed_deliveries", ["provider", "received_at"])
    op.create_table(
        "feed_cursors",
        sa.Column("provider", sa.String(16), primary_key=True),
        sa.Column("cursor", sa.Text()),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_poll_at", sa.DateTime(timezone=True)),
        sa.Column("last_polled_at", sa.DateTime(timezone=True)),
        sa.Column("last_success_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.String(256)),
        sa.Column("items_pulled", sa.Integer(), nullable=False),
    )

    insert = sa.text(
        """
        INSERT INTO templates (id, code, channel, version, locale, category, variables, title, body,
            wechat_template_id, wechat_fields, sms_template_code, sms_params, link, status, created_by,
            approved_by, created_at, approved_at)
        SELECT CAST(:id AS UUID), CAST(:code AS VARCHAR), CAST(:channel AS VARCHAR),
            COALESCE(MAX(version), 0) + 1, 'zh-CN', 'reminder', CAST(:variables AS JSONB),
            CAST(:title AS VARCHAR), CAST(:body AS TEXT), CAST(:wechat_template_id AS VARCHAR),
            CAST(:wechat_fields AS JSONB), CAST(:sms_template_code AS VARCHAR), CAST(:sms_params AS JSONB),
            CAST(:link AS VARCHAR), 'approved', 'system', 'system', now(), now()
        FROM templates WHERE code = CAST(:code AS VARCHAR) AND channel = CAST(:channel AS VARCHAR)
        """
    )
    for template in TEMPLATES:
        code = template["code"]
        for channel in ("inbox", "wechat", "sms"):
            op.get_bind().execute(
                insert,
                {
                    "id": _template_id(code, channel),
                    "code": code,
                    "channel": channel,
                    "variables": json.dumps(template["variables"]),
                    "title": template["title"],
                    "body": template["body"],
                    "wechat_template_id": f"TPL_{str(code).upper()}" if channel == "wechat" else None,
                    "wechat_fields": json.dumps(template["wechat_fields"] if channel == "wechat" else {}),
                    "sms_template_code": f"SMS_{str(code).upper()}" if channel == "sms" else None,
                    "sms_params": json.dumps(template["sms_params"] if channel == "sms" else {}),
                    "link": template["link"],
                },
            )


def downgrade() -> None:
    ids = ", ".join(
        f"'{_template_id(t['code'], channel)}'" for t in TEMPLATES for channel in ("inbox", "wechat", "sms")
    )
    op.execute(f"DELETE FROM templates WHERE id IN ({ids})")
    op.drop_table("feed_cursors")
    op.drop_index("ix_feed_deliveries_received", table_name="feed_deliveries")
    op.drop_table("feed_deliveries")
    op.drop_index("ix_feed_items_provider_received", table_name="feed_items")
    op.drop_index("ix_feed_items_received", table_name="feed_items")
    op.drop_table("feed_items")
