"""Members' phones, projected from member-svc: whose phone a member signs in with."""

from __future__ import annotations

import logging
import uuid

from cheyou_events import sealing
from cheyou_events.catalogue.member import MemberContactChanged
from cheyou_events.fieldcrypt import DecryptionError
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc import pii
from claims_svc.config import Settings
from claims_svc.contacts import repository

log = logging.getLogger(__name__)


async def record_contact(session: AsyncSession, event: MemberContactChanged, settings: Settings) -> None:
    member_id = uuid.UUID(event.member_id)
    phone = event.phone
    if event.phone_sealed:
        try:
            phone = sealing.unseal(event.phone_sealed, partition_key=event.member_id, field="phone")
        except DecryptionError:
            # not a poison pill worth a DLQ entry: without the phone the member simply cannot be recognised
            log.warning("member.contact_changed of %s: the phone does not unseal", event.member_id)
            phone = None
    cipher = pii.cipher_for(settings.pii_key.get_secret_value())
    sealed = cipher.encrypt_member_phone(member_id, phone) if phone else None
    await repository.upsert(session, member_id, sealed, event.changed_at)


async def phone_of(session: AsyncSession, member_id: uuid.UUID, settings: Settings) -> str | None:
    """The member's phone in clear, or None when member-svc has not said (or the member has none)."""
    contact = await repository.get(session, member_id)
    if contact is None or contact.phone_encrypted is None:
        return None
    cipher = pii.cipher_for(settings.pii_key.get_secret_value())
    return cipher.decrypt_member_phone(member_id, contact.phone_encrypted)
