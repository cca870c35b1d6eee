from __future__ import annotations

from datetime import date

from cheyou_events.catalogue.fields import Tier
from pydantic import BaseModel

from privilege_svc.entitlements.service import EntitlementView
from privilege_svc.privileges.schemas import Period, TermsMode


class EntitlementRead(BaseModel):
    privilege_code: str
    name: str
    category: str
    bookable: bool
    required_fields: list[str]
    mode: TermsMode
    discount_pct: int | None
    list_price_fen: int
    price_fen: int
    points_price: int
    quota: int | None
    """Uses per period; null is unlimited."""
    used: int
    remaining: int | None
    period: Period
    period_start: date
    period_end: date | None

    @classmethod
    def of(cls, view: EntitlementView) -> EntitlementRead:
        return cls(
            privilege_code=view.privilege.code,
            name=view.privilege.name,
            category=view.privilege.category,
            bookable=view.privilege.bookable,
            required_fields=view.privilege.required_fields,
            mode=view.terms.mode,
            discount_pct=view.terms.discount_pct,
            list_price_fen=view.privilege.list_price_fen,
            price_fen=view.price_fen,
            points_price=view.terms.points_price,
            quota=view.terms.quota,
            used=view.used,
            remaining=view.remaining,
            period=view.terms.period,
            period_start=view.period_start,
            period_end=view.period_end,
        )


class EntitlementsRead(BaseModel):
    member_id: str
    tier: Tier
    items: list[EntitlementRead]
    next_cursor: str | None = None
