from __future__ import annotations

import uuid
from datetime import UTC, datetime

from cheyou_kit.auth import PrincipalDep
from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import CursorQuery, LimitQuery, Page
from fastapi import APIRouter, status

from claims_svc.appointments import service
from claims_svc.appointments.models import Appointment, AppointmentSlot
from claims_svc.appointments.schemas import (
    AppointmentCreate,
    AppointmentRead,
    AppointmentUpdate,
    SlotCreate,
    SlotRead,
)
from claims_svc.auth import AdjusterDep, MemberDep
from claims_svc.claims import service as claims

slots_router = APIRouter(prefix="/appointment-slots", tags=["appointments"])
router = APIRouter(prefix="/appointments", tags=["appointments"])


def _read(appointment: Appointment, slot: AppointmentSlot) -> AppointmentRead:
    return AppointmentRead(
        id=appointment.id,
        claim_id=appointment.claim_id,
        status=appointment.status,
        booked_at=appointment.booked_at,
        cancelled_at=appointment.cancelled_at,
        slot=SlotRead.model_validate(slot),
    )


@slots_router.post("", response_model=SlotRead, status_code=status.HTTP_201_CREATED)
async def create_slot(body: SlotCreate, session: SessionDep, _: AdjusterDep) -> SlotRead:
    """Open a bookable slot at a mediation site (claims operations)."""
    return SlotRead.model_validate(await service.create_slot(session, body))


@slots_router.get("", response_model=Page[SlotRead])
async def list_free_slots(
    session: SessionDep,
    _: PrincipalDep,
    site_code: str | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 20,
) -> Page[SlotRead]:
    """Slots still free, soonest first, optionally at one site."""
    slots = await service.free_slots(
        session, site_code=site_code, now=datetime.now(UTC), cursor=cursor, limit=limit
    )
    return slots.page(SlotRead.model_validate)


@router.post("", response_model=AppointmentRead, status_code=status.HTTP_201_CREATED)
async def book_appointment(
    body: AppointmentCreate, session: SessionDep, principal: MemberDep
) -> AppointmentRead:
    """Book an injury-mediation slot for one of the member's claims."""
    claim = await claims.get_visible(session, body.claim_id, principal, for_update=True)
    appointment, slot = await service.book(session, claim, body.slot_id, now=datetime.now(UTC))
    return _read(appointment, slot)


@router.get("/{appointment_id}", response_model=AppointmentRead)
async def get_appointment(
    appointment_id: uuid.UUID, session: SessionDep, principal: MemberDep
) -> AppointmentRead:
    """One of the member's appointments."""
    return _read(*await service.get_visible(session, appointment_id, principal))


@router.patch("/{appointment_id}", response_model=AppointmentRead)
async def reschedule_appointment(
    appointment_id: uuid.UUID, body: AppointmentUpdate, session: SessionDep, principal: MemberDep
) -> AppointmentRead:
    """Move the appointment to another free slot."""
    appointment, _ = await service.get_visible(session, appointment_id, principal, for_update=True)
    claim = await claims.get_visible(session, appointment.claim_id, principal, for_update=True)
    slot = await service.reschedule(session, claim, appointment, body.slot_id, now=datetime.now(UTC))
    return _read(appointment, slot)


@router.post("/{appointment_id}/cancellation", response_model=AppointmentRead)
async def cancel_appointment(
    appointment_id: uuid.UUID, session: SessionDep, principal: MemberDep
) -> AppointmentRead:
    """Cancel the appointment; the slot is free again."""
    appointment, slot = await service.get_visible(session, appointment_id, principal, for_update=True)
    claim = await claims.get_visible(session, appointment.claim_id, principal, for_update=True)
    await service.cancel(session, claim, appointment, now=datetime.now(UTC))
    return _read(appointment, slot)
