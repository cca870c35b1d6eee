"""Owner's secretary (车主秘书): the projections reminders are made from, and one chunk of each job.

Every reminder is a fact with a stable id (``renewal:{policy}:{ends_on}:{offset}``,
``inspection:{plate}:{due_on}:{offset}``, ``violation:{id}``, ``weather:{alert}``), so running a job
twice — or two replicas at once — queues nothing twice. A reminder window is ``(next smaller offset,
offset]`` days before the date: a job that missed a day still reminds, a policy first seen 20 days before
its end gets the 30-day reminder (saying 20 days), and each window fires once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cheyou_events.catalogue.feeds import TrafficViolationRecorded, WeatherAlertIssued
from cheyou_events.catalogue.member import MemberPolicyChanged, MemberVehiclesChanged
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.config import Settings
from notify_svc.delivery import service as delivery
from notify_svc.delivery.service import Notice, Planned
from notify_svc.reminders import repository
from notify_svc.reminders.inspection import Rule, next_due
from notify_svc.reminders.models import InspectionRule, Policy, TrafficViolation, Vehicle, WeatherAlert

ACTION_TEXT = {"label": "免检领标", "inspection": "上线检测"}
WEATHER_KIND = {
    "typhoon": "台风",
    "rainstorm": "暴雨",
    "freezing": "道路结冰",
    "snow": "暴雪",
    "heat": "高温",
    "fog": "大雾",
    "gale": "大风",
    "other": "气象",
}
WEATHER_LEVEL = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}
URGENT_LEVELS = frozenset({"orange", "red"})
# Orange and red alerts may also go by SMS when WeChat fails; blue and yellow stay on WeChat + inbox.
URGENT_CHANNELS = ("wechat", "sms", "inbox")
ROUTINE_CHANNELS = ("wechat", "inbox")


def window(days_left: int, offsets: Sequence[int]) -> int | None:
    """The reminder offset whose window ``days_left`` falls in (the smallest offset ≥ it), if any."""
    fitting = [o for o in offsets if days_left <= o]
    return min(fitting) if days_left >= 1 and fitting else None


def local_today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


# --- projections -------------------------------------------------------------------------------


async def record_policy(session: AsyncSession, event: MemberPolicyChanged) -> None:
    await repository.upsert_policy(
        session,
        {
            "policy_no": event.policy_no,
            "member_id": event.member_id,
            "line": event.line,
            "status": event.status,
            "starts_on": event.starts_on,
            "ends_on": event.ends_on,
            "plate": event.plate,
            "changed_at": event.changed_at,
        },
    )
    if event.change == "renewed" and event.previous_policy_no:
        await repository.mark_renewed(session, event.previous_policy_no, event.policy_no)


async def record_vehicles(session: AsyncSession, event: MemberVehiclesChanged) -> None:
    rows = [
        {"plate": v.plate.upper(), "registered_on": v.registered_on, "kind": v.kind} for v in event.vehicles
    ]
    await repository.replace_vehicles(session, event.member_id, rows, event.changed_at)


async def inspection_rules(session: AsyncSession) -> dict[str, list[Rule]]:
    by_kind: dict[str, list[Rule]] = {}
    for row in await repository.rules(session):
        by_kind.setdefault(row.kind, []).append(
            Rule(row.from_age_years, row.to_age_years, row.interval_months, row.action)
        )
    return by_kind


# --- renewal and inspection reminders (scheduled jobs, one chunk at a time) ------------------------


async def renewal_chunk(
    session: AsyncSession, settings: Settings, today: date, after: tuple[date, str] | None, now: datetime
) -> tuple[tuple[date, str] | None, int, Planned]:
    """Remind the owners of one chunk of policies ending soon. Returns (next position, policies, planned)."""
    offsets, limit = settings.renewal_reminder_days, settings.reminder_chunk
    policies: Sequence[Policy] = await repository.policies_ending(
        session, today + timedelta(days=1), today + timedelta(days=max(offsets)), after, limit
    )
    notices = []
    for policy in policies:
        days = (policy.ends_on - today).days
        offset = window(days, offsets)
        if offset is None:
            continue
        notices.append(
            Notice(
                member_id=policy.member_id,
                template_code="renewal_reminder",
                fact_id=f"renewal:{policy.policy_no}:{policy.ends_on.isoformat()}:{offset}",
                variables={"policy_no": policy.policy_no, "ends_on": policy.ends_on, "days": days},
                hold_in_quiet_hours=True,
            )
        )
    planned = await delivery.notify_many(session, notices, now, settings)
    position = (policies[-1].ends_on, policies[-1].policy_no) if len(policies) == limit else None
    return position, len(policies), planned


async def inspection_chunk(
    session: AsyncSession,
    settings: Settings,
    today: date,
    rules: Mapping[str, Sequence[Rule]],
    after: tuple[str, str] | None,
    now: datetime,
) -> tuple[tuple[str, str] | None, int, Planned]:
    """Remind the owners of one chunk of vehicles whose inspection falls due within the offsets."""
    offsets, limit = settings.inspection_reminder_days, settings.reminder_chunk
    vehicles: Sequence[Vehicle] = await repository.vehicles_chunk(session, after, limit)
    notices = []
    for vehicle in vehicles:
        if vehicle.registered_on is None or vehicle.kind not in rules:
            continue
        due = next_due(vehicle.registered_on, rules[vehicle.kind], today)
        if due is None:
            continue
        offset = window((due.on - today).days, offsets)
        if offset is None:
            continue
        notices.append(
            Notice(
                member_id=vehicle.member_id,
                template_code="inspection_reminder",
                fact_id=f"inspection:{vehicle.plate}:{due.on.isoformat()}:{offset}",
                variables={
                    "plate": vehicle.plate,
                    "due_on": due.on,
                    "action_text": ACTION_TEXT.get(due.action, due.action),
                },
                hold_in_quiet_hours=True,
            )
        )
    planned = await delivery.notify_many(session, notices, now, settings)
    position = (vehicles[-1].member_id, vehicles[-1].plate) if len(vehicles) == limit else None
    return position, len(vehicles), planned


# --- traffic violations ---------------------------------------------------------------------------


def _violation_detail(violation: TrafficViolation | TrafficViolationRecorded, timezone: str) -> str:
    when = violation.occurred_at.astimezone(ZoneInfo(timezone))
    fine = f"{violation.fine_fen / 100:.0f}"
    return (
        f"{when.month}月{when.day}日在{violation.location}{violation.description}，"
        f"罚款{fine}元，记{violation.penalty_points}分"
    )


async def remind_violations(
    session: AsyncSession, settings: Settings, violations: Sequence[TrafficViolation], now: datetime
) -> Planned:
    """Tell every member who has the plate of a violation (found through the vehicles projection)."""
    owners = await repository.owners_of(session, sorted({v.plate for v in violations}))
    by_plate: dict[str, list[str]] = {}
    for plate, member_id in owners:
        by_plate.setdefault(plate, []).append(member_id)
    notices = [
        Notice(
            member_id=member_id,
            template_code="violation_reminder",
            fact_id=f"violation:{violation.violation_id}",
            variables={"plate": violation.plate, "detail": _violation_detail(violation, settings.timezone)},
            hold_in_quiet_hours=True,
        )
        for violation in violations
        for member_id in by_plate.get(violation.plate, [])
    ]
    return await delivery.notify_many(session, notices, now, settings)


async def record_violation(
    session: AsyncSession, settings: Settings, event: TrafficViolationRecorded, now: datetime
) -> Planned:
    """Keep the violation (a vehicle projected later is caught by the sweep) and remind its owners now."""
    violation = TrafficViolation(
        violation_id=event.violation_id,
        plate=event.plate.upper(),
        occurred_at=event.occurred_at,
        location=event.location,
        description=event.description,
        fine_fen=event.fine_fen,
        penalty_points=event.penalty_points,
        recorded_at=event.recorded_at,
    )
    await repository.add_violation(
        session, {c.name: getattr(violation, c.name) for c in TrafficViolation.__table__.columns}
    )
    return await remind_violations(session, settings, [violation], now)


async def violation_chunk(
    session: AsyncSession, settings: Settings, after: str | None, now: datetime
) -> tuple[str | None, int, Planned]:
    """The sweep: remind owners of recent violations who were not known when the violation came in."""
    since, limit = now - timedelta(days=settings.violation_sweep_days), settings.reminder_chunk
    violations = await repository.violations_since(session, since, after, limit)
    planned = await remind_violations(session, settings, violations, now)
    position = violations[-1].violation_id if len(violations) == limit else None
    return position, len(violations), planned


# --- weather alerts -------------------------------------------------------------------------------


def region_prefix(region_code: str) -> str:
    """GB/T 2260 codes nest by pairs of digits: ``350000`` (province) → ``35``, ``350100`` → ``3501``."""
    code = region_code.strip()
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


async def record_alert(session: AsyncSession, event: WeatherAlertIssued, now: datetime) -> None:
    """Accept an alert for fan-out; the scheduler reaches its region's members in chunks.

    The same alert again (a feed item replayed, as a new event) is fanned out again from the start while
    it lasts: members who came meanwhile are told, the others already have the fact and are skipped."""
    ended = event.ends_at is not None and event.ends_at <= now
    added = await repository.add_alert(
        session,
        {
            "alert_id": event.alert_id,
            "region_code": event.region_code,
            "region_prefix": region_prefix(event.region_code),
            "kind": event.kind,
            "level": event.level,
            "headline": event.headline,
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
            "issued_at": event.issued_at,
            "status": "done" if ended else "expanding",
            "reached": 0,
            "completed_at": now if ended else None,
        },
    )
    if not added and not ended:
        await repository.restart_alert(session, event.alert_id)


async def advance_alert(session: AsyncSession, settings: Settings, alert: WeatherAlert, now: datetime) -> int:
    """Tell the next chunk of the region's members about a (locked) alert; returns how many."""
    if alert.ends_at is not None and alert.ends_at <= now:
        alert.status, alert.completed_at = "done", now  # over before everyone was reached: stop
        return 0
    after = (
        (alert.cursor_region, alert.cursor_member) if alert.cursor_region and alert.cursor_member else None
    )
    limit = settings.reminder_chunk
    members = await repository.region_chunk(session, alert.region_prefix, after, limit)
    urgent = alert.level in URGENT_LEVELS
    label = f"{WEATHER_KIND.get(alert.kind, '气象')}{WEATHER_LEVEL.get(alert.level, '')}预警"
    notices = [
        Notice(
            member_id=member_id,
            template_code="weather_alert",
            fact_id=f"weather:{alert.alert_id}",
            variables={"region": label, "alert": alert.headline},
            channels=URGENT_CHANNELS if urgent else ROUTINE_CHANNELS,
            hold_in_quiet_hours=not urgent,
        )
        for _, member_id in members
    ]
    await delivery.notify_many(session, notices, now, settings)
    alert.reached += len(members)
    if members:
        alert.cursor_region, alert.cursor_member = members[-1]
    if len(members) < limit:
        alert.status, alert.completed_at = "done", now
    await session.flush()
    return len(members)


async def plate_owners(session: AsyncSession, plate: str) -> int:
    """How many members have the plate among their vehicles (0: the feed's plate is not ours)."""
    return await repository.plate_owner_count(session, plate.upper())


async def region_car_owners(session: AsyncSession, region_code: str, cap: int) -> int:
    """How many members a weather alert for the region would reach (those with a vehicle), up to ``cap``."""
    return await repository.region_car_owners(session, region_prefix(region_code), cap)


async def get_alert(session: AsyncSession, alert_id: str) -> WeatherAlert | None:
    return await repository.get_alert(session, alert_id)


# --- inspection rules (ops) -----------------------------------------------------------------------


async def list_rules(session: AsyncSession) -> Sequence[InspectionRule]:
    return await repository.rules(session)


async def replace_rules(
    session: AsyncSession, kind: str, rules: Sequence[Mapping[str, object]], author: str, now: datetime
) -> Sequence[InspectionRule]:
    """Replace a kind's rules; the next inspection run computes due dates with them."""
    await repository.replace_rules(
        session, kind, [{**rule, "updated_by": author, "updated_at": now} for rule in rules]
    )
    return await repository.rules(session, kind)
