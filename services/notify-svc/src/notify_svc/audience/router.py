from __future__ import annotations

from cheyou_kit.db import SessionDep
from cheyou_kit.errors import NotFound
from cheyou_kit.masking import mask_phone
from fastapi import APIRouter

from notify_svc.audience import service
from notify_svc.audience.schemas import RecipientRead
from notify_svc.auth import OpsDep
from notify_svc.config import SettingsDep

router = APIRouter(prefix="/audience", tags=["audience"])


@router.get("/{member_id}", response_model=RecipientRead)
async def get_recipient(
    member_id: str, session: SessionDep, settings: SettingsDep, _: OpsDep
) -> RecipientRead:
    """A member as notify-svc sees them for targeting (ops)."""
    recipient = await service.get(session, member_id)
    if recipient is None:
        raise NotFound(f"member {member_id} is not known")
    phone = service.phone_of(recipient, settings.pii_cipher)
    return RecipientRead.model_validate(recipient).model_copy(
        update={
            "has_openid": recipient.openid is not None,
            "phone_masked": mask_phone(phone) if phone else None,
        }
    )
