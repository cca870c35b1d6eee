"""Kafka entry point for member-svc's ``member.contact_changed``."""

from __future__ import annotations

from cheyou_events import Handler
from cheyou_events.catalogue.member import MemberContactChanged
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.config import Settings
from claims_svc.contacts import service


def on_member_contact_changed(settings: Settings) -> Handler:
    """The handler, bound to the settings whose key encrypts the phone."""

    async def handle(session: AsyncSession, event: Envelope[MemberContactChanged]) -> None:
        await service.record_contact(session, event.data, settings)

    return handle
