from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated

from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery
from fastapi import APIRouter, Header, Query

from notify_svc.auth import OpsDep
from notify_svc.config import SettingsDep
from notify_svc.delivery import service
from notify_svc.delivery.errors import BadReceiptToken
from notify_svc.delivery.schemas import AttemptRead, MessagePage, MessageRead, ReceiptAnswer, SmsReceipt

router = APIRouter(tags=["delivery"])


@router.post("/sms-receipts", response_model=ReceiptAnswer)
async def accept_sms_receipts(
    receipts: list[SmsReceipt],
    session: SessionDep,
    settings: SettingsDep,
    x_receipt_token: Annotated[str | None, Header()] = None,
) -> ReceiptAnswer:
    """Delivery receipts pushed by the SMS provider (authenticated by the shared receipt token)."""
    # The token comes in a header only: a query string ends up in access logs and traces.
    expected = settings.sms_receipt_token
    given = x_receipt_token or ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise BadReceiptToken("unknown receipt token")
    await service.record_receipts(session, [r.model_dump() for r in receipts], datetime.now(UTC))
    return ReceiptAnswer()


@router.get("/audience/{member_id}/messages", response_model=MessagePage)
async def member_messages(
    member_id: str,
    session: SessionDep,
    _: OpsDep,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> MessagePage:
    """A member's messages with their delivery log: channel tried, provider id, status, error, fallback."""
    found, attempts = await service.messages_of(session, member_id, cursor, limit)
    return found.page(
        lambda m: MessageRead.model_validate(m).model_copy(
            update={"log": [AttemptRead.model_validate(a) for a in attempts if a.message_id == m.id]}
        )
    )
