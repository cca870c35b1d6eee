"""Owner's-secretary reminders (policies, vehicles, inspection rules, violations, weather alerts), central
publishing (publications, shares), the cause of a message, a campaign's fact, audience indexes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Mainland rules (kind, from age, to age, every n months, action). Private cars: inspection-free for six
# years (apply for the label every two years), then yearly, every six months after fifteen years.
INSPECTION_RULES: list[tuple[str, int, int | None, int, str]] = [
    ("household_car", 0, 6, 24, "label"),
    ("household_car", 6, 15, 12, "inspection"),
    ("household_car", 15, None, 6, "inspection"),
    ("commercial_vehicle", 0, 5, 12, "inspection"),
    ("commercial_vehicle", 5, None, 6, "inspection"),
    ("motorcycle", 0, 6, 24, "label"),
    ("motorcycle", 6, None, 12, "inspection"),
]


# Templates added by this revision (code, version, category, variables, title, body, WeChat fields, SMS
# parameters): the inspection reminder says what is due (label or on-site inspection); value-added news
# and articles are marketing (opt-out, quiet hours), underwriting and claims news stays a service message.
TEMPLATES: list[tuple[str, int, str, dict[str, str], str, str, dict[str, str], dict[str, str]]] = [
    (
        "inspection_reminder",
        2,
        "reminder",
        {"plate": "string", "due_on": "date", "action_text": "string"},
        "车辆年检提醒",
        "您的车辆{plate}应于{due_on}前完成年检（{action_text}）。",
        {"car_number1": "{plate}", "date2": "{due_on}", "phrase3": "{action_text}"},
        {"plate": "{plate}", "date": "{due_on}", "action": "{action_text}"},
    ),
    (
        "publication_marketing",
        1,
        "marketing",
        {"title": "string", "summary": "string"},
        "{title}",
        "{summary}",
        {"thing1": "{title}", "thing2": "{summary}"},
        {"title": "{title}"},
    ),
]


def _template_rows(now: datetime) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for code, version, category, variables, title, body, wechat_fields, sms_params in TEMPLATES:
        for channel in ("inbox", "wechat", "sms"):
            rows.append(
                {
                    "id": uuid.uuid5(
                        uuid.NAMESPACE_URL, f"cheyou:notify:template:{code}:{channel}:v{version}"
                    ),
                    "code": code,
                    "channel": channel,
                    "version": version,
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
    return rows


def upgrade() -> None:
    op.add_column("messages", sa.Column("cause_event_id", sa.Uuid()))
    op.add_column("campaigns", sa.Column("fact_key", sa.String(160)))
    op.create_index(
        "ix_recipients_region_member",
        "recipients",
        ["region_code", "member_id"],
        postgresql_ops={"region_code": "varchar_pattern_ops"},
    )
    op.create_index("ix_recipients_manager_id", "recipients", ["manager_id"])

    op.create_table(
        "policies",
        sa.Column("policy_no", sa.String(64), primary_key=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("line", sa.String(16), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("plate", sa.String(16)),
        sa.Column("renewed_by", sa.String(64)),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_policies_member_id", "policies", ["member_id"])
    op.create_index(
        "ix_policies_due",
        "policies",
        ["ends_on", "policy_no"],
        postgresql_where=sa.text("status = 'active' AND renewed_by IS NULL"),
    )

    op.create_table(
        "vehicles",
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("plate", sa.String(16), primary_key=True),
        sa.Column("registered_on", sa.Date()),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_vehicles_plate", "vehicles", ["plate"])

    rules = op.create_table(
        "inspection_rules",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("from_age_years", sa.Integer(), nullable=False),
        sa.Column("to_age_years", sa.Integer()),
        sa.Column("interval_months", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kind", "from_age_years", name="uq_inspection_rules_kind_age"),
    )
    now = datetime(2026, 11, 25, tzinfo=UTC)
    op.bulk_insert(
        rules,
        [
            {
                "kind": kind,
                "from_age_years": start,
                "to_age_years": end,
                "interval_months": months,
                "action": action,
                "updated_by": "system",
                "updated_at": now,
            }
            for kind, start, end, months, action in INSPECTION_RULES
        ],
    )

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
    op.bulk_insert(templates, _template_rows(now))

    op.create_table(
        "traffic_violations",
        sa.Column("violation_id", sa.String(64), primary_key=True),
        sa.Column("plate", sa.String(16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(128), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("fine_fen", sa.Integer(), nullable=False),
        sa.Column("penalty_points", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_traffic_violations_plate", "traffic_violations", ["plate"])
    op.create_index("ix_traffic_violations_recorded_at", "traffic_violations", ["recorded_at"])

    op.create_table(
        "weather_alerts",
        sa.Column("alert_id", sa.String(64), primary_key=True),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("region_prefix", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True)),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("cursor_region", sa.String(12)),
        sa.Column("cursor_member", sa.String(64)),
        sa.Column("reached", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        "ix_weather_alerts_expanding",
        "weather_alerts",
        ["issued_at"],
        postgresql_where=sa.text("status = 'expanding'"),
    )

    op.create_table(
        "publications",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("category", sa.String(24), nullable=False),
        sa.Column("title", sa.String(64), nullable=False),
        sa.Column("summary", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("channels", postgresql.JSONB(), nullable=False),
        sa.Column("campaign_id", sa.Uuid()),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(64)),
        sa.Column("approved_at", sa.DateTime(timezone=True)),
        sa.Column("published_by", sa.String(64)),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_publications_kind_status", "publications", ["kind", "status", "published_at"])
    op.create_table(
        "publication_shares",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "publication_id",
            sa.Uuid(),
            sa.ForeignKey("publications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("manager_id", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("publication_id", "member_id", name="uq_shares_publication_member"),
    )
    op.create_index("ix_publication_shares_manager_id", "publication_shares", ["manager_id"])


def downgrade() -> None:
    op.execute(
        "DELETE FROM templates WHERE created_by = 'system' AND "
        "((code = 'inspection_reminder' AND version = 2) OR code = 'publication_marketing')"
    )
    op.drop_table("publication_shares")
    op.drop_table("publications")
    op.drop_table("weather_alerts")
    op.drop_table("traffic_violations")
    op.drop_table("inspection_rules")
    op.drop_table("vehicles")
    op.drop_table("policies")
    op.drop_index("ix_recipients_manager_id", table_name="recipients")
    op.drop_index("ix_recipients_region_member", table_name="recipients")
    op.drop_column("campaigns", "fact_key")
    op.drop_column("messages", "cause_event_id")
