from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.audience.models import Recipient
from notify_svc.reminders.models import InspectionRule, Policy, TrafficViolation, Vehicle, WeatherAlert


async def upsert_policy(session: AsyncSession, values: dict[str, Any]) -> None:
    """Insert or update a policy unless a newer change is already recorded."""
    statement = insert(Policy).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Policy.policy_no],
            set_={k: statement.excluded[k] for k in values if k not in ("policy_no", "renewed_by")},
            where=Policy.changed_at <= statement.excluded.changed_at,
        )
    )


async def mark_renewed(session: AsyncSession, policy_no: str, renewed_by: str) -> None:
    await session.execute(update(Policy).where(Policy.policy_no == policy_no).values(renewed_by=renewed_by))


async def policies_ending(
    session: AsyncSession, first: date, last: date, after: tuple[date, str] | None, limit: int
) -> Sequence[Policy]:
    """Active, not yet renewed policies ending between ``first`` and ``last``, keyset by (ends_on, no)."""
    statement = (
        select(Policy)
        .where(
            Policy.status == "active",
            Policy.renewed_by.is_(None),
            Policy.ends_on.between(first, last),
        )
        .order_by(Policy.ends_on, Policy.policy_no)
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(tuple_(Policy.ends_on, Policy.policy_no) > tuple_(*after))
    return (await session.scalars(statement)).all()


async def replace_vehicles(
    session: AsyncSession, member_id: str, rows: Sequence[dict[str, Any]], at: datetime
) -> None:
    """Make the member's vehicles exactly ``rows`` (the event carries the full list)."""
    plates = [row["plate"] for row in rows]
    await session.execute(delete(Vehicle).where(Vehicle.member_id == member_id, Vehicle.plate.not_in(plates)))
    if not rows:
        return
    # Rows as parameters (not ``.values(rows)``): the statement's SQL is compiled once and cached.
    await session.execute(
        _UPSERT_VEHICLE, [{**row, "member_id": member_id, "changed_at": at} for row in rows]
    )


_UPSERT_VEHICLE = insert(Vehicle).on_conflict_do_update(
    index_elements=[Vehicle.member_id, Vehicle.plate],
    set_={name: insert(Vehicle).excluded[name] for name in ("registered_on", "kind", "changed_at")},
)


async def vehicles_chunk(
    session: AsyncSession, after: tuple[str, str] | None, limit: int
) -> Sequence[Vehicle]:
    """Vehicles with a registration date, keyset by (member_id, plate)."""
    statement = (
        select(Vehicle)
        .where(Vehicle.registered_on.is_not(None))
        .order_by(Vehicle.member_id, Vehicle.plate)
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(tuple_(Vehicle.member_id, Vehicle.plate) > tuple_(*after))
    return (await session.scalars(statement)).all()


async def owners_of(session: AsyncSession, plates: Sequence[str]) -> Sequence[tuple[str, str]]:
    """(plate, member_id) for every member with one of ``plates``."""
    if not plates:
        return []
    rows = await session.execute(select(Vehicle.plate, Vehicle.member_id).where(Vehicle.plate.in_(plates)))
    return [(plate, member_id) for plate, member_id in rows.all()]


async def rules(session: AsyncSession, kind: str | None = None) -> Sequence[InspectionRule]:
    statement = select(InspectionRule).order_by(InspectionRule.kind, InspectionRule.from_age_years)
    if kind is not None:
        statement = statement.where(InspectionRule.kind == kind)
    return (await session.scalars(statement)).all()


async def replace_rules(session: AsyncSession, kind: str, rows: Sequence[dict[str, Any]]) -> None:
    await session.execute(delete(InspectionRule).where(InspectionRule.kind == kind))
    if rows:
        await session.execute(insert(InspectionRule), [{**row, "kind": kind} for row in rows])


async def add_violation(session: AsyncSession, values: dict[str, Any]) -> bool:
    result = await session.execute(
        insert(TrafficViolation)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[TrafficViolation.violation_id])
        .returning(TrafficViolation.violation_id)
    )
    return result.first() is not None


async def violations_since(
    session: AsyncSession, since: datetime, after: str | None, limit: int
) -> Sequence[TrafficViolation]:
    statement = (
        select(TrafficViolation)
        .where(TrafficViolation.recorded_at >= since)
        .order_by(TrafficViolation.violation_id)
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(TrafficViolation.violation_id > after)
    return (await session.scalars(statement)).all()


async def add_alert(session: AsyncSession, values: dict[str, Any]) -> bool:
    result = await session.execute(
        insert(WeatherAlert)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[WeatherAlert.alert_id])
        .returning(WeatherAlert.alert_id)
    )
    return result.first() is not None


async def restart_alert(session: AsyncSession, alert_id: str) -> None:
    """Fan a finished alert out again from the start (a replayed feed item)."""
    await session.execute(
        update(WeatherAlert)
        .where(WeatherAlert.alert_id == alert_id, WeatherAlert.status == "done")
        .values(status="expanding", cursor_region=None, cursor_member=None, reached=0, completed_at=None)
    )


async def get_alert(session: AsyncSession, alert_id: str) -> WeatherAlert | None:
    return await session.get(WeatherAlert, alert_id)


async def expanding_alerts(session: AsyncSession, limit: int) -> Sequence[WeatherAlert]:
    """Alerts still being fanned out, locked so one replica advances each."""
    statement = (
        select(WeatherAlert)
        .where(WeatherAlert.status == "expanding")
        .order_by(WeatherAlert.issued_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(statement)).all()


async def region_chunk(
    session: AsyncSession, prefix: str, after: tuple[str, str] | None, limit: int
) -> Sequence[tuple[str, str]]:
    """(region_code, member_id) of members with a vehicle whose region code starts with ``prefix``, keyset
    ordered (a weather alert is for car owners: a member without a vehicle is not told)."""
    statement = (
        select(Recipient.region_code, Recipient.member_id)
        .where(_in_region_with_vehicle(prefix))
        .order_by(Recipient.region_code, Recipient.member_id)
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(tuple_(Recipient.region_code, Recipient.member_id) > tuple_(*after))
    rows = await session.execute(statement)
    return [(str(region), member_id) for region, member_id in rows.all()]


def _in_region_with_vehicle(prefix: str) -> ColumnElement[bool]:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    has_vehicle = exists(select(Vehicle.plate).where(Vehicle.member_id == Recipient.member_id))
    return and_(Recipient.region_code.like(f"{escaped}%", escape="\\"), has_vehicle)


async def region_car_owners(session: AsyncSession, prefix: str, cap: int) -> int:
    """How many members with a vehicle live in the region, counted up to ``cap``."""
    capped = select(Recipient.member_id).where(_in_region_with_vehicle(prefix)).limit(cap).subquery()
    return int(await session.scalar(select(func.count()).select_from(capped)) or 0)


async def plate_owner_count(session: AsyncSession, plate: str) -> int:
    return int(await session.scalar(select(func.count()).where(Vehicle.plate == plate)) or 0)
