from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated

from cheyou_kit.db import SessionDep
from fastapi import APIRouter, Header

from notify_svc.config import SettingsDep
from notify_svc.outreach import service
from notify_svc.outreach.errors import BadReplyToken
from notify_svc.outreach.schemas import RepliesAnswer, SmsReply, Unsubscribe, Unsubscribed

router = APIRouter(tags=["outreach"])


@router.post("/sms-replies", response_model=RepliesAnswer)
async def accept_sms_replies(
    replies: list[SmsReply],
    session: SessionDep,
    settings: SettingsDep,
    x_receipt_token: Annotated[str | None, Header()] = None,
) -> RepliesAnswer:
    """Upstream replies pushed by the SMS provider (the receipts' shared token, in a header): a reply TD
    (退订, T, N…) stops every invitation and marketing or reminder text to that number."""
    expected = settings.sms_receipt_token
    if not hmac.compare_digest((x_receipt_token or "").encode(), expected.encode()):
        raise BadReplyToken("unknown receipt token")
    await service.record_replies(session, settings, [r.model_dump() for r in replies], datetime.now(UTC))
    return RepliesAnswer()


@router.post("/unsubscriptions", response_model=Unsubscribed)
async def unsubscribe(data: Unsubscribe, session: SessionDep) -> Unsubscribed:
    """The unsubscribe link of an invitation (no sign-in: the token is the key): no more invitation
    messages, no more marketing texts to the number."""
    await service.unsubscribe(session, data.token, datetime.now(UTC))
    return Unsubscribed()
