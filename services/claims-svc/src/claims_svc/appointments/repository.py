from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.appointments.models import Appointment, AppointmentSlot


def add(session: AsyncSession, row: Appointment | AppointmentSlot) -> None:
    session.add(row)


async def slot(session: AsyncSession, slot_id: uuid.UUID) -> AppointmentSlot | None:
    return await session.get(AppointmentSlot, slot_id)


async def free_slots(
    session: AsyncSession,
    *,
    site_code: str | None,
    after_time: datetime,
    cursor: str | None,
    limit: int,
) -> Slice[AppointmentSlot]:
    booked = exists().where(Appointment.slot_id == AppointmentSlot.id, Appointment.status == "booked")
    statement = select(AppointmentSlot).where(AppointmentSlot.starts_at > after_time, ~booked)
    if site_code is not None:
        statement = statement.where(AppointmentSlot.site_code == site_code)
    return await paginate(
        session, statement, cursor, limit, by=(AppointmentSlot.starts_at, AppointmentSlot.id)
    )


async def appointment(
    session: AsyncSession, appointment_id: uuid.UUID, *, for_update: bool = False
) -> Appointment | None:
    statement = select(Appointment).where(Appointment.id == appointment_id)
    if for_update:
        statement = statement.with_for_update()
    result = await session.scalars(statement.execution_options(populate_existing=for_update))
    return result.first()


async def booked_of_claim(session: AsyncSession, claim_id: uuid.UUID) -> Sequence[Appointment]:
    result = await session.scalars(
        select(Appointment).where(Appointment.claim_id == claim_id, Appointment.status == "booked")
    )
    return result.all()
