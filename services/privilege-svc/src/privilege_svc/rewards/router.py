from __future__ import annotations

import uuid
from typing import Annotated

from cheyou_kit.auth import Principal, PrincipalDep
from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, Depends, Header, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.auth import Operator, acting_member, listed_member, member_or_staff_reader, viewing_member
from privilege_svc.config import SettingsDep
from privilege_svc.entitlements import service as entitlements
from privilege_svc.payments import service as payments
from privilege_svc.payments.dependencies import PaymentWindowDep
from privilege_svc.rewards import service
from privilege_svc.rewards.gate import StockGate
from privilege_svc.rewards.models import Redemption
from privilege_svc.rewards.schemas import (
    FlashSaleCreate,
    RedemptionCreate,
    RedemptionRead,
    RedemptionUpdate,
    RewardCreate,
    RewardRead,
)

router = APIRouter(prefix="/rewards", tags=["rewards"])
flash_sales_router = APIRouter(prefix="/flash-sales", tags=["flash-sales"])

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)]


async def stock_gate(request: Request, settings: SettingsDep) -> StockGate | None:
    """The flash-sale gate (``main.create_app`` runs it), unless ``PRIVILEGE_FLASH_SALE_GATE`` is off."""
    if not settings.flash_sale_gate:
        return None
    gate: StockGate = request.app.state.stock_gate
    return gate


GateDep = Annotated[StockGate | None, Depends(stock_gate)]


async def _page(
    session: AsyncSession, principal: Principal, flash_sale: bool | None, cursor: str | None, limit: int
) -> Page[RewardRead]:
    member_id = member_or_staff_reader(principal)
    tier = None if member_id is None else (await entitlements.member_tier(session, member_id)).value
    rows = await service.list_rewards(
        session,
        tier=tier,
        flash_sale=flash_sale,
        cursor=cursor,
        limit=limit,
    )
    return rows.page(RewardRead.model_validate)


async def _read(session: AsyncSession, redemptions: list[Redemption]) -> list[RedemptionRead]:
    """Redemptions as members read them; a points + cash one with where its money stands."""
    summaries = await payments.summaries(
        session, redemption_ids=[r.id for r in redemptions if r.cash_fen > 0]
    )
    return [
        RedemptionRead.model_validate(r).model_copy(update={"payment": summaries.get(r.id)})
        for r in redemptions
    ]


@router.post("", response_model=RewardRead, status_code=status.HTTP_201_CREATED)
async def create_reward(body: RewardCreate, session: SessionDep, principal: Operator) -> RewardRead:
    """Ops: put goods, a service or a merchant coupon in the mall."""
    return RewardRead.model_validate(
        await service.create(session, body, flash_sale=False, created_by=principal.actor_id)
    )


@router.get("", response_model=Page[RewardRead])
async def list_rewards(
    session: SessionDep, principal: PrincipalDep, cursor: CursorQuery = None, limit: LimitQuery = 50
) -> Page[RewardRead]:
    """The mall: for a member, what their tier can redeem now; for staff, everything."""
    return await _page(session, principal, None, cursor, limit)


@router.get("/redemptions", response_model=Page[RedemptionRead])
async def list_redemptions(
    session: SessionDep,
    principal: PrincipalDep,
    member_id: str | None = None,
    reward_id: uuid.UUID | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[RedemptionRead]:
    """Redemptions, newest first: a member's own, or (staff) anyone's."""
    rows = await service.list_redemptions(
        session, listed_member(principal, member_id), reward_id, cursor, limit
    )
    return Page(items=await _read(session, list(rows.rows)), next_cursor=rows.next_cursor)


@router.get("/redemptions/{redemption_id}", response_model=RedemptionRead)
async def get_redemption(
    redemption_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> RedemptionRead:
    """One redemption (its member, or staff): a points + cash one shows whether it is paid."""
    redemption = await service.get_visible_redemption(session, redemption_id, principal)
    return (await _read(session, [redemption]))[0]


@router.patch("/redemptions/{redemption_id}", response_model=RedemptionRead)
async def update_redemption(
    redemption_id: uuid.UUID, body: RedemptionUpdate, session: SessionDep, principal: Operator, gate: GateDep
) -> RedemptionRead:
    """Ops: mark goods shipped or delivered, or cancel (points and stock go back)."""
    redemption = await service.get_redemption(session, redemption_id, for_update=True)
    updated = await service.update_redemption(session, redemption, body, actor=principal.actor_id)
    reward = await service.get(session, redemption.reward_id)
    if body.status == "cancelled" and reward.flash_sale and gate is not None:
        await gate.release(reward.id)
    return (await _read(session, [updated]))[0]


@router.get("/{reward_id}", response_model=RewardRead)
async def get_reward(reward_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> RewardRead:
    """One reward (a member sees only what their tier can redeem)."""
    return RewardRead.model_validate(await service.get_offered(session, reward_id, viewing_member(principal)))


@router.post("/{reward_id}/redemptions", response_model=RedemptionRead, status_code=status.HTTP_201_CREATED)
async def redeem(
    reward_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    window: PaymentWindowDep,
    body: RedemptionCreate | None = None,
    idempotency_key: IdempotencyKey = None,
) -> RedemptionRead:
    """Redeem points for a reward of the mall (a flash sale's own route adds the stock gate); a points +
    cash reward holds the points and the unit until its cash is paid (``POST /payments``)."""
    redemption = await service.redeem(
        session,
        reward_id,
        acting_member(principal),
        body or RedemptionCreate(),
        idempotency_key=idempotency_key,
        payment_window=window,
    )
    return (await _read(session, [redemption]))[0]


@flash_sales_router.post("", response_model=RewardRead, status_code=status.HTTP_201_CREATED)
async def create_flash_sale(body: FlashSaleCreate, session: SessionDep, principal: Operator) -> RewardRead:
    """Ops: a flash sale (秒杀): limited stock opening at one instant."""
    return RewardRead.model_validate(
        await service.create(session, body, flash_sale=True, created_by=principal.actor_id)
    )


@flash_sales_router.get("", response_model=Page[RewardRead])
async def list_flash_sales(
    session: SessionDep, principal: PrincipalDep, cursor: CursorQuery = None, limit: LimitQuery = 50
) -> Page[RewardRead]:
    """Flash sales, current and upcoming (for a member: those their tier can join)."""
    return await _page(session, principal, True, cursor, limit)


@flash_sales_router.post(
    "/{reward_id}/redemptions", response_model=RedemptionRead, status_code=status.HTTP_201_CREATED
)
async def redeem_flash_sale(
    reward_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    gate: GateDep,
    body: RedemptionCreate | None = None,
    idempotency_key: IdempotencyKey = None,
) -> RedemptionRead:
    """Take part in a flash sale: at most the stock succeeds, whatever the burst."""
    member_id = acting_member(principal)
    redemption = await service.redeem_through_gate(
        session, gate, reward_id, member_id, body or RedemptionCreate(), idempotency_key=idempotency_key
    )
    return (await _read(session, [redemption]))[0]
