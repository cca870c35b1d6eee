"""Injury-mediation appointments: slots per site; one claim, one slot; no slot booked twice."""

from __future__ import annotations

import uuid
from datetime import datetime

from cheyou_events.catalogue.claims import AppointmentBooked, AppointmentCancelled, AppointmentRescheduled
from cheyou_kit.auth import Principal, Role
from cheyou_kit.pagination import Slice
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.appointments import repository
from claims_svc.appointments.errors import (
    AppointmentCancelledAlready,
    AppointmentNotFound,
    ClaimAlreadyBooked,
    ClaimClosedForAppointments,
    NotAnInjuryClaim,
    SlotBooked,
    SlotExists,
    SlotInThePast,
    SlotNotFound,
)
from claims_svc.appointments.models import Appointment, AppointmentSlot
from claims_svc.appointments.schemas import SlotCreate
from claims_svc.claims import service as claims
from claims_svc.claims import timeline
from claims_svc.claims.lifecycle import OPEN
from claims_svc.claims.models import Claim


async def create_slot(session: AsyncSession, data: SlotCreate) -> AppointmentSlot:
    slot = AppointmentSlot(id=uuid.uuid4(), **data.model_dump())
    try:
        async with session.begin_nested():
            repository.add(session, slot)
    except IntegrityError:
        raise SlotExists(field="starts_at") from None
    return slot


async def free_slots(
    session: AsyncSession,
    *,
    site_code: str | None,
    now: datetime,
    cursor: str | None,
    limit: int,
) -> Slice[AppointmentSlot]:
    return await repository.free_slots(
        session, site_code=site_code, after_time=now, cursor=cursor, limit=limit
    )


async def get_visible(
    session: AsyncSession, appointment_id: uuid.UUID, principal: Principal, *, for_update: bool = False
) -> tuple[Appointment, AppointmentSlot]:
    appointment = await repository.appointment(session, appointment_id, for_update=for_update)
    if appointment is None or (
        principal.role == Role.MEMBER and appointment.member_id != principal.member_id
    ):
        raise AppointmentNotFound()
    slot = await repository.slot(session, appointment.slot_id)
    assert slot is not None
    return appointment, slot


async def _bookable_slot(session: AsyncSession, slot_id: uuid.UUID, now: datetime) -> AppointmentSlot:
    slot = await repository.slot(session, slot_id)
    if slot is None:
        raise SlotNotFound(field="slot_id")
    if slot.starts_at <= now:
        raise SlotInThePast(field="slot_id")
    return slot


async def book(
    session: AsyncSession, claim: Claim, slot_id: uuid.UUID, *, now: datetime
) -> tuple[Appointment, AppointmentSlot]:
    if not claim.injury_or_death:
        raise NotAnInjuryClaim(field="claim_id")
    if claim.status not in OPEN:
        raise ClaimClosedForAppointments(claim_status=claim.status)
    slot = await _bookable_slot(session, slot_id, now)
    appointment = Appointment(
        id=uuid.uuid4(),
        claim_id=claim.id,
        member_id=claim.member_id,
        slot_id=slot.id,
        status="booked",
        booked_at=now,
    )
    try:
        async with session.begin_nested():
            repository.add(session, appointment)
    except IntegrityError as exc:
        if "uq_appointments_booked_claim" in str(exc.orig):
            raise ClaimAlreadyBooked(field="claim_id") from None
        raise SlotBooked(field="slot_id") from None
    claims.record_step(
        session,
        claim,
        "appointment_booked",
        f"已预约人伤调解：{slot.site_name}（{slot.site_address}），{timeline.when(slot.starts_at)}。",
        now,
    )
    await claims.emit(
        session,
        AppointmentBooked(
            claim_id=str(claim.id),
            member_id=str(claim.member_id),
            appointment_id=str(appointment.id),
            site_code=slot.site_code,
            site_name=slot.site_name,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            booked_at=now,
        ),
    )
    return appointment, slot


async def reschedule(
    session: AsyncSession, claim: Claim, appointment: Appointment, slot_id: uuid.UUID, *, now: datetime
) -> AppointmentSlot:
    if appointment.status != "booked":
        raise AppointmentCancelledAlready()
    previous = await repository.slot(session, appointment.slot_id)
    assert previous is not None
    slot = await _bookable_slot(session, slot_id, now)
    try:
        async with session.begin_nested():
            appointment.slot_id = slot.id
    except IntegrityError:
        appointment.slot_id = previous.id
        raise SlotBooked(field="slot_id") from None
    claims.record_step(
        session,
        claim,
        "appointment_rescheduled",
        f"人伤调解已改约到：{slot.site_name}，{timeline.when(slot.starts_at)}。",
        now,
    )
    await claims.emit(
        session,
        AppointmentRescheduled(
            claim_id=str(claim.id),
            member_id=str(claim.member_id),
            appointment_id=str(appointment.id),
            site_code=slot.site_code,
            site_name=slot.site_name,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            previous_starts_at=previous.starts_at,
            rescheduled_at=now,
        ),
    )
    return slot


async def cancel(session: AsyncSession, claim: Claim, appointment: Appointment, *, now: datetime) -> None:
    if appointment.status != "booked":
        raise AppointmentCancelledAlready()
    slot = await repository.slot(session, appointment.slot_id)
    assert slot is not None
    appointment.status = "cancelled"
    appointment.cancelled_at = now
    claims.record_step(
        session,
        claim,
        "appointment_cancelled",
        f"已取消 {timeline.when(slot.starts_at)} 的人伤调解预约。",
        now,
    )
    await claims.emit(
        session,
        AppointmentCancelled(
            claim_id=str(claim.id),
            member_id=str(claim.member_id),
            appointment_id=str(appointment.id),
            starts_at=slot.starts_at,
            cancelled_at=now,
        ),
    )


async def cancel_all(session: AsyncSession, claim: Claim, *, now: datetime) -> None:
    """The claim ends (withdrawn): its booked slots are freed."""
    for appointment in await repository.booked_of_claim(session, claim.id):
        await cancel(session, claim, appointment, now=now)
