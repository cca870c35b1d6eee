"""Service points: where merchants serve members, managed by ops and merchant admins, found by members."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from cheyou_kit.auth import OPERATORS, Principal
from cheyou_kit.pagination import Slice, decode_cursor, encode_cursor
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.merchants import service as merchants
from merchant_svc.merchants.errors import IllegalMerchantStatus
from merchant_svc.merchants.models import Category, MerchantStatus
from merchant_svc.service_points import repository
from merchant_svc.service_points.coordinates import box_around, in_china, wgs84_to_gcj02
from merchant_svc.service_points.errors import LocationOutsideChina, MayNotManagePoints, ServicePointNotFound
from merchant_svc.service_points.hours import SHANGHAI, minute_of_week, week_intervals
from merchant_svc.service_points.models import ServicePoint, ServicePointStatus
from merchant_svc.service_points.repository import band_of
from merchant_svc.service_points.schemas import (
    CoordSys,
    DayHours,
    NearbyServicePoint,
    Offer,
    PublicServicePoint,
    ServicePointCreate,
    ServicePointUpdate,
)
from merchant_svc.users import service as users
from merchant_svc.users.models import MerchantRole

MAX_RADIUS_M = 50_000


async def ensure_may_manage(session: AsyncSession, principal: Principal) -> None:
    """Ops, or a merchant_admin of the merchant (a key from before merchant users acts as the merchant)."""
    if principal.role in OPERATORS:
        return
    actor = await users.actor_of(session, principal)
    if actor.role is not None and actor.role != MerchantRole.MERCHANT_ADMIN:
        raise MayNotManagePoints(f"a {actor.role} may not manage service points; a merchant_admin may")


def to_gcj02(lat: float, lng: float, coordsys: CoordSys) -> tuple[float, float]:
    """The location in GCJ-02; 422 ``location-outside-china`` for one abroad (the datum exists in China)."""
    if not in_china(lat, lng):
        raise LocationOutsideChina(
            f"lat, lng: ({lat}, {lng}) is not in China; service points and searches are in China only",
            field="lat",
        )
    return wgs84_to_gcj02(lat, lng) if coordsys == "wgs84" else (lat, lng)


def _hours(days: Iterable[DayHours]) -> list[tuple[int, int]]:
    return week_intervals((d.day, d.opens, d.closes) for d in days)


async def create(session: AsyncSession, merchant_id: uuid.UUID, data: ServicePointCreate) -> ServicePoint:
    merchant = await merchants.get(session, merchant_id)
    if merchant.status == MerchantStatus.TERMINATED:
        raise IllegalMerchantStatus("a terminated merchant gets no service points")
    lat, lng = to_gcj02(data.lat, data.lng, data.coordsys)
    point = ServicePoint(
        id=uuid.uuid4(),
        merchant_id=merchant.id,
        name=data.name,
        category=data.category or Category(merchant.category),
        address=data.address,
        city_code=data.city_code,
        phone=data.phone,
        lat=lat,
        lng=lng,
        lat_band=band_of(lat),
        services=sorted(set(data.services)),
        hours=[d.model_dump() for d in data.hours],
        offers=[o.model_dump(mode="json") for o in data.offers],
        status=ServicePointStatus.ACTIVE,
    )
    await repository.add(session, point)
    await repository.set_intervals(session, point.id, _hours(data.hours))
    await session.refresh(point)
    return point


async def get(session: AsyncSession, merchant_id: uuid.UUID, point_id: uuid.UUID) -> ServicePoint:
    """One of the merchant's points; 404 for another merchant's."""
    point = await repository.get(session, point_id)
    if point is None or point.merchant_id != merchant_id:
        raise ServicePointNotFound(f"service point {point_id} is not known")
    return point


async def update(
    session: AsyncSession, merchant_id: uuid.UUID, point_id: uuid.UUID, data: ServicePointUpdate
) -> ServicePoint:
    point = await get(session, merchant_id, point_id)
    if data.lat is not None and data.lng is not None:
        point.lat, point.lng = to_gcj02(data.lat, data.lng, data.coordsys)
        point.lat_band = band_of(point.lat)
    for name in ("name", "category", "address", "city_code", "phone", "status", "status_reason"):
        if name in data.model_fields_set:
            setattr(point, name, getattr(data, name))
    if data.services is not None:
        point.services = sorted(set(data.services))
    if data.offers is not None:
        point.offers = [o.model_dump(mode="json") for o in data.offers]
    if data.hours is not None:
        point.hours = [d.model_dump() for d in data.hours]
        await repository.set_intervals(session, point.id, _hours(data.hours))
    await session.flush()
    await session.refresh(point)
    return point


async def page_of_merchant(
    session: AsyncSession,
    merchant_id: uuid.UUID,
    status: ServicePointStatus | None,
    cursor: str | None,
    limit: int,
) -> Slice[ServicePoint]:
    await merchants.get(session, merchant_id)
    return await repository.page_of_merchant(session, merchant_id, status, cursor, limit)


def current_offers(offers: Iterable[dict[str, object]], today: date) -> list[Offer]:
    """The offers valid today (Asia/Shanghai)."""
    found = []
    for raw in offers:
        offer = Offer.model_validate(raw)
        if (offer.valid_from is None or offer.valid_from <= today) and (
            offer.valid_until is None or offer.valid_until >= today
        ):
            found.append(offer)
    return found


def _public(point: ServicePoint, merchant_name: str, open_now: bool, now: datetime) -> PublicServicePoint:
    return PublicServicePoint(
        id=point.id,
        merchant_id=point.merchant_id,
        merchant_name=merchant_name,
        name=point.name,
        category=Category(point.category),
        address=point.address,
        city_code=point.city_code,
        phone=point.phone,
        lat=point.lat,
        lng=point.lng,
        services=point.services,
        hours=[DayHours.model_validate(h) for h in point.hours],
        open_now=open_now,
        offers=current_offers(point.offers, now.astimezone(SHANGHAI).date()),
    )


async def public(session: AsyncSession, point_id: uuid.UUID, now: datetime) -> PublicServicePoint:
    """A point a member may see: active, of an active merchant (404 otherwise)."""
    found = await repository.public(session, point_id, minute_of_week(now))
    if found is None:
        raise ServicePointNotFound(f"service point {point_id} is not known")
    return _public(*found, now)


@dataclass(frozen=True)
class NearbyQuery:
    lat: float
    lng: float
    coordsys: CoordSys
    radius_m: int
    category: Category | None
    service: str | None
    open_now: bool


@dataclass(frozen=True)
class NearbyPage:
    items: list[NearbyServicePoint]
    next_cursor: str | None


async def nearby(
    session: AsyncSession, query: NearbyQuery, cursor: str | None, limit: int, now: datetime
) -> NearbyPage:
    """Points within the radius, nearest first; a page goes on from the last one's (distance, id)."""
    lat, lng = to_gcj02(query.lat, query.lng, query.coordsys)
    after = decode_cursor(cursor, float, uuid.UUID)
    rows = await repository.nearby(
        session,
        lat=lat,
        lng=lng,
        radius_m=query.radius_m,
        box=box_around(lat, lng, query.radius_m),
        minute_of_week=minute_of_week(now),
        category=query.category,
        service=query.service,
        open_now=query.open_now,
        after=(after[0], after[1]) if after else None,
        limit=limit,
    )
    items = [
        NearbyServicePoint(
            **_public(row.point, row.merchant_name, row.open_now, now).model_dump(),
            distance_m=round(row.distance_m),
        )
        for row in rows[:limit]
    ]
    last = rows[limit - 1] if len(rows) > limit else None
    return NearbyPage(
        items=items, next_cursor=encode_cursor(last.distance_m, last.point.id) if last else None
    )


async def preferred_point(
    session: AsyncSession, chosen_id: str | None, service: str, merchant_ids: list[uuid.UUID]
) -> ServicePoint | None:
    """Where an order should be served: the member's chosen point when its merchant may take the order
    and the point offers the service; else the capable point of those merchants nearest the chosen one.
    ``None``: no point was chosen (or it is unknown), or none of them has a capable point."""
    if chosen_id is None:
        return None
    try:
        chosen = await repository.get(session, uuid.UUID(chosen_id))
    except ValueError:
        return None
    if chosen is None:
        return None
    if (
        chosen.merchant_id in merchant_ids
        and chosen.status == ServicePointStatus.ACTIVE
        and service in chosen.services
    ):
        return chosen
    return await repository.nearest_capable(
        session, lat=chosen.lat, lng=chosen.lng, service=service, merchant_ids=merchant_ids
    )
