from __future__ import annotations

import uuid
from datetime import datetime

from cheyou_kit.auth import PrincipalDep
from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, Response, status

from merchant_svc.auth import (
    MemberOrOpsDep,
    OpsDep,
    OpsOrMerchantDep,
    OpsOrServiceDep,
    ensure_coupon_holder,
    ensure_merchant_access,
    merchant_scope,
)
from merchant_svc.coupons import service
from merchant_svc.coupons.errors import MemberIdRequired
from merchant_svc.coupons.models import Coupon, CouponBatch
from merchant_svc.coupons.schemas import (
    BatchCreate,
    BatchRead,
    CouponRead,
    Issue,
    MallRedemptionRead,
    MemberCoupon,
    Reconciliation,
    Redeem,
)
from merchant_svc.users.auth import ActorDep

router = APIRouter(prefix="/coupons", tags=["coupons"])
merchant_api = APIRouter(prefix="/merchant-api/coupons", tags=["merchant API"])


def _member_coupon(coupon: Coupon, batch: CouponBatch) -> MemberCoupon:
    return MemberCoupon(
        **CouponRead.model_validate(coupon).model_dump(),
        title=batch.title,
        kind=batch.kind,
        amount_off_fen=batch.amount_off_fen,
        percent_off=batch.percent_off,
        service=batch.service,
        valid_from=batch.valid_from,
        valid_until=batch.valid_until,
    )


@router.get("", response_model=Page[MemberCoupon])
async def list_member_coupons(
    session: SessionDep,
    principal: MemberOrOpsDep,
    member_id: uuid.UUID | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[MemberCoupon]:
    """A member's coupons for the "Me" page (a member sees only their own, the default)."""
    if member_id is None:
        if principal.member_id is None:
            raise MemberIdRequired("member_id: ops name the member", field="member_id")
        member_id = principal.member_id
    ensure_coupon_holder(principal, member_id)
    rows = await service.of_member(session, str(member_id), cursor=cursor, limit=limit)
    return rows.page(lambda row: _member_coupon(*row))


@router.get("/mall-redemptions", response_model=Page[MallRedemptionRead])
async def list_mall_redemptions(
    session: SessionDep,
    _: OpsDep,
    refused_only: bool = False,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[MallRedemptionRead]:
    """Coupon rewards from the points mall as handled, oldest first, or only the refused (ops)."""
    rows = await service.mall_redemptions(session, refused_only=refused_only, cursor=cursor, limit=limit)
    return rows.page(MallRedemptionRead.model_validate)


@router.get("/batches", response_model=list[BatchRead])
async def list_batches(
    session: SessionDep, principal: OpsOrMerchantDep, merchant_id: uuid.UUID | None = None
) -> list[BatchRead]:
    """Coupon batches (a merchant sees only its own)."""
    batches = await service.batches_of(session, merchant_scope(principal, merchant_id))
    return [BatchRead.model_validate(b) for b in batches]


@router.post("/batches", status_code=status.HTTP_201_CREATED, response_model=BatchRead)
async def create_batch(data: BatchCreate, session: SessionDep, principal: OpsOrMerchantDep) -> BatchRead:
    """Publish an offer: amount off, percent off or a free service, with validity and quantity."""
    ensure_merchant_access(principal, data.merchant_id)
    return BatchRead.model_validate(await service.create_batch(session, data))


@router.get("/batches/{batch_id}", response_model=BatchRead)
async def get_batch(batch_id: uuid.UUID, session: SessionDep, principal: OpsOrMerchantDep) -> BatchRead:
    """One batch with how many were issued."""
    batch = await service.get_batch(session, batch_id)
    ensure_merchant_access(principal, batch.merchant_id, "coupon batch")
    return BatchRead.model_validate(batch)


@router.post(
    "/batches/{batch_id}/issue", status_code=status.HTTP_201_CREATED, response_model=list[CouponRead]
)
async def issue(
    batch_id: uuid.UUID,
    data: Issue,
    session: SessionDep,
    _: OpsOrServiceDep,
) -> list[CouponRead]:
    """Issue coupons to members (ops, or the points mall as role ``service``)."""
    coupons = await service.issue(session, batch_id, data.member_ids, data.source)
    return [CouponRead.model_validate(c) for c in coupons]


@router.get("/reconciliation", response_model=Reconciliation)
async def reconciliation(
    merchant_id: uuid.UUID, since: datetime, until: datetime, session: SessionDep, principal: OpsOrMerchantDep
) -> Reconciliation:
    """Issued and redeemed per batch, and face value redeemed, for a merchant and period."""
    ensure_merchant_access(principal, merchant_id)
    return await service.reconciliation(session, merchant_id, since, until)


@router.get("/{coupon_id}/qr", response_class=Response)
async def coupon_qr(coupon_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Response:
    """The coupon's code as a QR code (SVG) for the member to show."""
    coupon = await service.get(session, coupon_id)
    ensure_coupon_holder(principal, coupon.member_id)
    return Response(service.qr_svg(coupon), media_type="image/svg+xml")


@merchant_api.get("/{code}", response_model=MemberCoupon)
async def verify(code: str, session: SessionDep, actor: ActorDep) -> MemberCoupon:
    """What a code is worth and whether it is still unused (before redeeming)."""
    coupon, batch = await service.verify(session, actor.merchant_id, code)
    return _member_coupon(coupon, batch)


@merchant_api.post("/redeem", response_model=MemberCoupon)
async def redeem(data: Redeem, session: SessionDep, actor: ActorDep) -> MemberCoupon:
    """Redeem a code (typed or scanned from the QR) exactly once."""
    coupon, batch = await service.redeem(session, actor.merchant_id, data.code)
    return _member_coupon(coupon, batch)
