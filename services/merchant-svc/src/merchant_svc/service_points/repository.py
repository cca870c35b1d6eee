from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import ColumnElement, delete, exists, func, insert, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.merchants.models import Merchant, MerchantStatus
from merchant_svc.service_points.coordinates import EARTH_RADIUS_M, Box
from merchant_svc.service_points.models import (
    BANDS_PER_DEGREE,
    OpenInterval,
    ServicePoint,
    ServicePointStatus,
)


def band_of(lat: float) -> int:
    return math.floor(lat * BANDS_PER_DEGREE)


async def add(session: AsyncSession, point: ServicePoint) -> None:
    session.add(point)
    await session.flush()


async def get(session: AsyncSession, point_id: uuid.UUID, *, for_update: bool = False) -> ServicePoint | None:
    return await session.get(ServicePoint, point_id, with_for_update=for_update)


async def set_intervals(
    session: AsyncSession, point_id: uuid.UUID, intervals: Sequence[tuple[int, int]]
) -> None:
    await session.execute(delete(OpenInterval).where(OpenInterval.point_id == point_id))
    if intervals:
        await session.execute(
            insert(OpenInterval),
            [{"point_id": point_id, "starts_min": s, "ends_min": e} for s, e in intervals],
        )


async def intervals_of(
    session: AsyncSession, point_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[int, int]]]:
    query = select(OpenInterval).where(OpenInterval.point_id.in_(point_ids))
    found: dict[uuid.UUID, list[tuple[int, int]]] = {p: [] for p in point_ids}
    for row in await session.scalars(query):
        found[row.point_id].append((row.starts_min, row.ends_min))
    return found


async def page_of_merchant(
    session: AsyncSession, merchant_id: uuid.UUID, status: str | None, cursor: str | None, limit: int
) -> Slice[ServicePoint]:
    query = select(ServicePoint).where(ServicePoint.merchant_id == merchant_id)
    if status is not None:
        query = query.where(ServicePoint.status == status)
    return await paginate(session, query, cursor, limit, by=(ServicePoint.created_at, ServicePoint.id))


def _distance_m(lat: float, lng: float) -> ColumnElement[float]:
    """Haversine distance in metres from ``(lat, lng)`` to the row's point, in SQL."""
    d_lat = func.radians(ServicePoint.lat - lat) / 2
    d_lng = func.radians(ServicePoint.lng - lng) / 2
    h = func.power(func.sin(d_lat), 2) + math.cos(math.radians(lat)) * func.cos(
        func.radians(ServicePoint.lat)
    ) * func.power(func.sin(d_lng), 2)
    return 2 * EARTH_RADIUS_M * func.asin(func.least(literal(1.0), func.sqrt(h)))


def _open_at(minute_of_week: int) -> ColumnElement[bool]:
    return exists().where(
        OpenInterval.point_id == ServicePoint.id,
        OpenInterval.starts_min <= minute_of_week,
        OpenInterval.ends_min > minute_of_week,
    )


def _in_box(box: Box) -> list[ColumnElement[bool]]:
    """The index's prefilter: the latitude bands of the box, then the longitude range in each."""
    bands = list(range(band_of(box.south), band_of(box.north) + 1))
    return [
        ServicePoint.status == ServicePointStatus.ACTIVE,
        ServicePoint.lat_band.in_(bands),
        ServicePoint.lng.between(box.west, box.east),
        ServicePoint.lat.between(box.south, box.north),
    ]


@dataclass(frozen=True)
class Nearby:
    point: ServicePoint
    merchant_name: str
    distance_m: float
    open_now: bool


async def nearby(
    session: AsyncSession,
    *,
    lat: float,
    lng: float,
    radius_m: float,
    box: Box,
    minute_of_week: int,
    category: str | None,
    service: str | None,
    open_now: bool,
    after: tuple[float, uuid.UUID] | None,
    limit: int,
) -> list[Nearby]:
    """Active points of active merchants within ``radius_m``, nearest first (``limit + 1`` rows)."""
    distance = _distance_m(lat, lng)
    is_open = _open_at(minute_of_week)
    query = (
        select(ServicePoint, Merchant.name, distance, is_open)
        .join(Merchant, Merchant.id == ServicePoint.merchant_id)
        .where(*_in_box(box), Merchant.status == MerchantStatus.ACTIVE, distance <= radius_m)
    )
    if category is not None:
        query = query.where(ServicePoint.category == category)
    if service is not None:
        query = query.where(ServicePoint.services.any_() == service)
    if open_now:
        query = query.where(is_open)
    if after is not None:
        query = query.where(tuple_(distance, ServicePoint.id) > tuple_(literal(after[0]), literal(after[1])))
    query = query.order_by(distance, ServicePoint.id).limit(limit + 1)
    rows = (await session.execute(query)).all()
    return [Nearby(point, name, float(d), bool(o)) for point, name, d, o in rows]


async def public(
    session: AsyncSession, point_id: uuid.UUID, minute_of_week: int
) -> tuple[ServicePoint, str, bool] | None:
    """An active point of an active merchant, with the merchant's name and whether it is open."""
    query = (
        select(ServicePoint, Merchant.name, _open_at(minute_of_week))
        .join(Merchant, Merchant.id == ServicePoint.merchant_id)
        .where(
            ServicePoint.id == point_id,
            ServicePoint.status == ServicePointStatus.ACTIVE,
            Merchant.status == MerchantStatus.ACTIVE,
        )
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1], bool(row[2])) if row else None


async def nearest_capable(
    session: AsyncSession, *, lat: float, lng: float, service: str, merchant_ids: Sequence[uuid.UUID]
) -> ServicePoint | None:
    """The active point nearest ``(lat, lng)`` that offers ``service``, of one of ``merchant_ids``."""
    if not merchant_ids:
        return None
    query: Any = (
        select(ServicePoint)
        .where(
            ServicePoint.merchant_id.in_(merchant_ids),
            ServicePoint.status == ServicePointStatus.ACTIVE,
            ServicePoint.services.any_() == service,
        )
        .order_by(_distance_m(lat, lng), ServicePoint.id)
        .limit(1)
    )
    return (await session.scalars(query)).first()
