from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, Query, status

from merchant_svc.auth import FinderDep, OpsOrMerchantDep, ensure_merchant_access
from merchant_svc.merchants.models import Category
from merchant_svc.service_points import service
from merchant_svc.service_points.models import ServicePointStatus
from merchant_svc.service_points.schemas import (
    CoordSys,
    NearbyServicePoint,
    PublicServicePoint,
    ServicePointCreate,
    ServicePointRead,
    ServicePointUpdate,
)

router = APIRouter(prefix="/service-points", tags=["service-points"])
merchants_router = APIRouter(prefix="/merchants", tags=["service-points"])

POINT = "service point"


@router.get("/nearby", response_model=Page[NearbyServicePoint])
async def find_nearby(
    session: SessionDep,
    _: FinderDep,
    lat: Annotated[float, Query(ge=-90, le=90, allow_inf_nan=False, description="Where I am: latitude.")],
    lng: Annotated[float, Query(ge=-180, le=180, allow_inf_nan=False, description="Longitude.")],
    coordsys: Annotated[
        CoordSys, Query(description="The datum of lat/lng: wgs84 (GPS, the browser) or gcj02 (WeChat).")
    ] = "gcj02",
    radius_m: Annotated[int, Query(ge=100, le=service.MAX_RADIUS_M)] = 5_000,
    category: Category | None = None,
    service_code: Annotated[
        str | None,
        Query(alias="service", pattern=r"^[a-z][a-z0-9_.]{0,63}$", description="A privilege code."),
    ] = None,
    open_now: bool = False,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[NearbyServicePoint]:
    """Service points near a location in China, nearest first (abroad: 422); the location is not kept."""
    query = service.NearbyQuery(lat, lng, coordsys, radius_m, category, service_code, open_now)
    found = await service.nearby(session, query, cursor, limit, datetime.now(UTC))
    return Page(items=found.items, next_cursor=found.next_cursor)


@router.get("/{point_id}", response_model=PublicServicePoint)
async def get_public_point(point_id: uuid.UUID, session: SessionDep, _: FinderDep) -> PublicServicePoint:
    """One open-for-business service point (an active point of an active merchant)."""
    return await service.public(session, point_id, datetime.now(UTC))


@merchants_router.get("/{merchant_id}/service-points", response_model=Page[ServicePointRead])
async def list_points(
    merchant_id: uuid.UUID,
    session: SessionDep,
    principal: OpsOrMerchantDep,
    status: ServicePointStatus | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[ServicePointRead]:
    """A merchant's service points, oldest first (ops, or the merchant)."""
    ensure_merchant_access(principal, merchant_id)
    found = await service.page_of_merchant(session, merchant_id, status, cursor, limit)
    return found.page(ServicePointRead.model_validate)


@merchants_router.post(
    "/{merchant_id}/service-points", status_code=status.HTTP_201_CREATED, response_model=ServicePointRead
)
async def create_point(
    merchant_id: uuid.UUID, data: ServicePointCreate, session: SessionDep, principal: OpsOrMerchantDep
) -> ServicePointRead:
    """Open a service point (ops, or the merchant's admin); coordinates in China only."""
    ensure_merchant_access(principal, merchant_id)
    await service.ensure_may_manage(session, principal)
    return ServicePointRead.model_validate(await service.create(session, merchant_id, data))


@merchants_router.get("/{merchant_id}/service-points/{point_id}", response_model=ServicePointRead)
async def get_point(
    merchant_id: uuid.UUID, point_id: uuid.UUID, session: SessionDep, principal: OpsOrMerchantDep
) -> ServicePointRead:
    """One of the merchant's service points."""
    ensure_merchant_access(principal, merchant_id, POINT)
    return ServicePointRead.model_validate(await service.get(session, merchant_id, point_id))


@merchants_router.patch("/{merchant_id}/service-points/{point_id}", response_model=ServicePointRead)
async def update_point(
    merchant_id: uuid.UUID,
    point_id: uuid.UUID,
    data: ServicePointUpdate,
    session: SessionDep,
    principal: OpsOrMerchantDep,
) -> ServicePointRead:
    """Change a point: place, hours, services, offers, or close it (``status: closed``)."""
    ensure_merchant_access(principal, merchant_id, POINT)
    await service.ensure_may_manage(session, principal)
    return ServicePointRead.model_validate(await service.update(session, merchant_id, point_id, data))
