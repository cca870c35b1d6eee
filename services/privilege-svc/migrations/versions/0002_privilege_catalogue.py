"""The privilege catalogue and per-tier terms, seeded with every privilege of the club (DOMAIN.md §1).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIERS = ("prospective", "ordinary", "three_star", "four_star", "five_star")

# code, name, name_en, category, fulfilment, merchant category (merchant-svc's categories), list price
# (fen), required fields, bookable
PRIVILEGES = [
    (
        "annual_inspection_agency",
        "代办年检",
        "Annual inspection agency",
        "car_affairs",
        "merchant",
        "car_affairs",
        30000,
        ["appointment_at", "vehicle_plate", "pickup_address"],
        True,
    ),
    (
        "violation_agency",
        "代办违章",
        "Traffic-violation handling",
        "car_affairs",
        "merchant",
        "car_affairs",
        5000,
        ["vehicle_plate"],
        True,
    ),
    (
        "licence_agency",
        "代办驾管",
        "Driver-licence affairs",
        "car_affairs",
        "merchant",
        "car_affairs",
        10000,
        ["appointment_at"],
        True,
    ),
    (
        "green_label_agency",
        "代办绿标",
        "Green label agency",
        "car_affairs",
        "merchant",
        "car_affairs",
        5000,
        ["vehicle_plate"],
        True,
    ),
    (
        "express_licence_renewal",
        "速递换证",
        "Express licence renewal",
        "car_affairs",
        "merchant",
        "car_affairs",
        3000,
        ["pickup_address"],
        True,
    ),
    (
        "inspection_driving",
        "年检代驾",
        "Annual-inspection driving",
        "designated_driving",
        "merchant",
        "designated_driving",
        15000,
        ["appointment_at", "pickup_address", "vehicle_plate"],
        True,
    ),
    (
        "after_drinking_driving",
        "酒后代驾",
        "After-drinking designated driving",
        "designated_driving",
        "merchant",
        "designated_driving",
        10000,
        ["pickup_address", "destination_address"],
        True,
    ),
    (
        "rescue_towing",
        "不限次拖车",
        "Roadside rescue: towing",
        "rescue",
        "merchant",
        "rescue",
        40000,
        ["pickup_address", "vehicle_plate"],
        True,
    ),
    (
        "rescue_jump_start",
        "搭电",
        "Roadside rescue: jump start",
        "rescue",
        "merchant",
        "rescue",
        15000,
        ["pickup_address", "vehicle_plate"],
        True,
    ),
    (
        "rescue_fuel_delivery",
        "送油",
        "Roadside rescue: fuel delivery",
        "rescue",
        "merchant",
        "rescue",
        15000,
        ["pickup_address", "vehicle_plate"],
        True,
    ),
    (
        "rescue_tyre",
        "充气换胎",
        "Roadside rescue: tyre inflation or change",
        "rescue",
        "merchant",
        "rescue",
        15000,
        ["pickup_address", "vehicle_plate"],
        True,
    ),
    (
        "car_wash",
        "洗车服务",
        "Car wash",
        "car_wash",
        "merchant",
        "car_wash",
        4000,
        ["appointment_at", "vehicle_plate"],
        True,
    ),
    ("fuel_discount", "加油优惠", "Fuel discount", "fuel", "in_house", None, 30000, ["vehicle_plate"], True),
    (
        "airport_vip",
        "机场贵宾",
        "Airport VIP lounge",
        "airport_vip",
        "merchant",
        "hotel_travel",
        30000,
        ["appointment_at", "flight_no"],
        True,
    ),
    (
        "hotel_booking",
        "酒店预订",
        "Hotel booking",
        "hotel",
        "merchant",
        "hotel_travel",
        40000,
        ["appointment_at"],
        True,
    ),
    (
        "merchant_discount",
        "商家优惠",
        "Alliance merchant discounts",
        "merchant_discount",
        "merchant",
        "retail",
        0,
        [],
        False,
    ),
    ("points_privilege", "积分特权", "Points privileges", "points", "in_house", None, 0, [], False),
    (
        "owners_secretary",
        "车主秘书",
        "Owner's secretary (weather, violation, inspection and renewal reminders)",
        "secretary",
        "in_house",
        None,
        0,
        [],
        False,
    ),
]

N = ("not_offered", None, None, None)  # not offered


def free(quota=None):
    return ("free", None, None, quota)


def discount(pct, quota=None):
    return ("discount", pct, None, quota)


def fixed(price_fen, quota=None):
    return ("fixed_price", None, price_fen, quota)


# per privilege: prospective, ordinary, three-star, four-star, five-star. Ordinary members get discounted
# car wash, fuel and inspection driving; star members free after-drinking driving (N a year), free airport
# VIP and free inspection driving; rescue is unlimited (the seed's own examples).
TERMS = {
    "annual_inspection_agency": (N, fixed(10000), free(1), free(1), free(2)),
    "violation_agency": (N, discount(50), free(6), free(12), free()),
    "licence_agency": (N, discount(30), free(2), free(2), free(2)),
    "green_label_agency": (N, discount(30), free(1), free(1), free(1)),
    "express_licence_renewal": (N, fixed(2000), free(1), free(1), free(2)),
    "inspection_driving": (N, discount(50, 1), free(1), free(1), free(2)),
    "after_drinking_driving": (N, N, free(2), free(4), free(6)),
    "rescue_towing": (N, free(), free(), free(), free()),
    "rescue_jump_start": (N, free(), free(), free(), free()),
    "rescue_fuel_delivery": (N, free(), free(), free(), free()),
    "rescue_tyre": (N, free(), free(), free(), free()),
    "car_wash": (N, discount(50), free(6), free(12), free(24)),
    "fuel_discount": (N, discount(3), discount(5), discount(8), discount(10)),
    "airport_vip": (N, N, free(2), free(4), free(6)),
    "hotel_booking": (N, discount(10), discount(15), discount(20), discount(25)),
    "merchant_discount": (discount(5), discount(10), discount(15), discount(15), discount(20)),
    "points_privilege": (N, free(), free(), free(), free()),
    "owners_secretary": (free(), free(), free(), free(), free()),
}

SEEDED_AT = datetime(2026, 11, 25, tzinfo=UTC)


def upgrade() -> None:
    privileges = op.create_table(
        "privileges",
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("name_en", sa.String(128), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("fulfilment", sa.String(16), nullable=False),
        sa.Column("merchant_category", sa.String(32), nullable=True),
        sa.Column("list_price_fen", sa.Integer(), nullable=False),
        sa.Column("required_fields", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("bookable", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
    )
    terms = op.create_table(
        "privilege_terms",
        sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True),
        sa.Column("privilege_code", sa.String(64), sa.ForeignKey("privileges.code"), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("discount_pct", sa.Integer(), nullable=True),
        sa.Column("price_fen", sa.Integer(), nullable=True),
        sa.Column("quota", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("points_price", sa.Integer(), server_default="0", nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("privilege_code", "tier", "version", name="uq_privilege_terms_version"),
        sa.CheckConstraint("quota IS NULL OR quota >= 0", name="ck_privilege_terms_quota"),
    )
    op.create_index(
        "ux_privilege_terms_current",
        "privilege_terms",
        ["privilege_code", "tier"],
        unique=True,
        postgresql_where=sa.text("superseded_at IS NULL"),
    )
    op.bulk_insert(
        privileges,
        [
            {
                "code": code,
                "name": name,
                "name_en": name_en,
                "category": category,
                "fulfilment": fulfilment,
                "merchant_category": merchant_category,
                "list_price_fen": list_price,
                "required_fields": required,
                "bookable": bookable,
                "sort_order": i,
            }
            for i, (
                code,
                name,
                name_en,
                category,
                fulfilment,
                merchant_category,
                list_price,
                required,
                bookable,
            ) in enumerate(PRIVILEGES)
        ],
    )
    op.bulk_insert(
        terms,
        [
            {
                "privilege_code": code,
                "tier": tier,
                "version": 1,
                "mode": mode,
                "discount_pct": pct,
                "price_fen": price,
                "quota": quota,
                "period": "year",
                "points_price": 0,
                "valid_from": None,
                "valid_until": None,
                "changed_by": "seed",
                "reason": "club terms of the 2014 case study",
                "created_at": SEEDED_AT,
                "superseded_at": None,
            }
            for code, per_tier in TERMS.items()
            for tier, (mode, pct, price, quota) in zip(TIERS, per_tier, strict=True)
        ],
    )
    op.add_column("member_tiers", sa.Column("year_starts_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("member_tiers", "year_starts_on")
    op.drop_index("ux_privilege_terms_current", table_name="privilege_terms")
    op.drop_table("privilege_terms")
    op.drop_table("privileges")
