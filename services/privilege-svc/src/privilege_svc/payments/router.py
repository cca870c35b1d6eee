from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from cheyou_kit.auth import PrincipalDep
from cheyou_kit.db import SessionDep
from fastapi import APIRouter, Query, Request, Response, status

from privilege_svc.auth import Operator, acting_member
from privilege_svc.payments import flows, reconciliation, service
from privilege_svc.payments.dependencies import ClientIpDep, WechatPayDep
from privilege_svc.payments.errors import ReconciliationNotFound
from privilege_svc.payments.schemas import (
    BridgeParameters,
    DifferenceRead,
    PaymentAttemptCreate,
    PaymentRead,
    PaymentStarted,
    ReconcileRequest,
    ReconciliationRead,
    RefundRead,
)

router = APIRouter(prefix="/payments", tags=["payments"])

NOTIFICATION_PATH = "/wechatpay/notifications"


@router.post(NOTIFICATION_PATH, status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def wechatpay_notification(request: Request, session: SessionDep, client: WechatPayDep) -> Response:
    """WeChat Pay's notifications (no sign-in: the signature is checked on the raw body, the resource
    decrypted with the APIv3 key); 204 when applied, a 4xx ``{"code": "FAIL", "message"}`` when refused."""
    body = await request.body()
    await flows.on_notification(session, client, dict(request.headers), body, now=datetime.now(UTC))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("", response_model=PaymentStarted, status_code=status.HTTP_201_CREATED)
async def start_payment(
    body: PaymentAttemptCreate,
    session: SessionDep,
    principal: PrincipalDep,
    client: WechatPayDep,
    client_ip: ClientIpDep,
) -> PaymentStarted:
    """Pay for one's own order or points + cash redemption that awaits payment."""
    payment = await flows.start_payment(
        session, client, acting_member(principal), body, client_ip=client_ip, now=datetime.now(UTC)
    )
    bridge = service.bridge_parameters(client, payment)
    return PaymentStarted(
        payment_id=payment.id,
        channel="jsapi" if payment.channel == "jsapi" else "h5",
        amount_fen=payment.amount_fen,
        expires_at=payment.expires_at,
        bridge=BridgeParameters(**bridge) if bridge else None,
        h5_url=payment.h5_url,
    )


@router.post("/reconciliations", response_model=ReconciliationRead)
async def reconcile(
    body: ReconcileRequest, session: SessionDep, principal: Operator, client: WechatPayDep
) -> ReconciliationRead:
    """Ops: reconcile a day against WeChat Pay's bills now (again, if it was)."""
    run = await reconciliation.reconcile(
        session, client, body.bill_date, run_by=principal.actor_id, now=datetime.now(UTC)
    )
    found = await reconciliation.get(session, run.bill_date)
    assert found is not None
    return ReconciliationRead.model_validate(found[0]).model_copy(
        update={"items": [DifferenceRead.model_validate(d) for d in found[1]]}
    )


@router.get("/reconciliations", response_model=list[ReconciliationRead])
async def list_reconciliations(
    session: SessionDep,
    principal: Operator,  # noqa: ARG001 - ops only
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: date | None = None,
) -> list[ReconciliationRead]:
    """Ops: the days reconciled (newest first; the last 31 days unless told)."""
    end = to or datetime.now(UTC).date()
    start = from_ or end - timedelta(days=31)
    return [
        ReconciliationRead.model_validate(run) for run in await reconciliation.list_runs(session, start, end)
    ]


@router.get("/reconciliations/{bill_date}", response_model=ReconciliationRead)
async def get_reconciliation(
    bill_date: date,
    session: SessionDep,
    principal: Operator,  # noqa: ARG001 - ops only
) -> ReconciliationRead:
    """Ops: one day's run with every difference."""
    found = await reconciliation.get(session, bill_date)
    if found is None:
        raise ReconciliationNotFound(f"{bill_date} was not reconciled")
    return ReconciliationRead.model_validate(found[0]).model_copy(
        update={"items": [DifferenceRead.model_validate(d) for d in found[1]]}
    )


@router.get("/{payment_id}", response_model=PaymentRead)
async def get_payment(payment_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> PaymentRead:
    """One payment with its refunds (its member, or staff)."""
    payment = await service.get_visible(session, payment_id, principal)
    refunds = await service.refunds_of(session, payment.id)
    return PaymentRead.model_validate(payment).model_copy(
        update={"refunds": [RefundRead.model_validate(r) for r in refunds]}
    )
