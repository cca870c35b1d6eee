"""The points ledger. Every change locks the member's account row first, so one member's changes run one
after another while different members' run in parallel; every change writes its event in the same
transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

from cheyou_events import Envelope, add_event
from cheyou_events.catalogue.privilege import PointsCredited, PointsDebited, PointsExpiring, PointsReason
from cheyou_kit.pagination import Slice
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.entitlements import service as entitlements
from privilege_svc.eventing import publish
from privilege_svc.points import repository
from privilege_svc.points.errors import EntryNotFound, InsufficientPoints, NotADebit, RuleNotFound
from privilege_svc.points.models import EarningRule, PointsAllocation, PointsEntry, PointsLot
from privilege_svc.points.schemas import AdjustmentCreate, RuleUpdate

DEFAULT_VALIDITY_DAYS = 730
"""Points expire two years after they were earned unless a rule says otherwise."""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


async def credit(
    session: AsyncSession,
    member_id: str,
    points: int,
    reason: PointsReason,
    *,
    source_key: str | None = None,
    rule_code: str | None = None,
    reference_id: str | None = None,
    validity_days: int = DEFAULT_VALIDITY_DAYS,
    qualifying: bool = False,
    actor: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> PointsEntry | None:
    """Add a lot of ``points``; None when ``source_key`` was already credited (idempotent per source)."""
    now = _now(now)
    await repository.lock_account(session, member_id)
    if source_key is not None and await repository.entry_by_source(session, source_key) is not None:
        return None
    entry = PointsEntry(
        id=uuid.uuid4(),
        member_id=member_id,
        direction="credit",
        points=points,
        reason=reason,
        rule_code=rule_code,
        source_key=source_key,
        reference_id=reference_id,
        qualifying=qualifying,
        actor=actor,
        note=note,
        created_at=now,
    )
    expires_at = now + timedelta(days=validity_days)
    balance = await repository.record_credit(session, _columns(entry), uuid.uuid4(), expires_at)
    entry.balance_after = balance
    await publish(
        session,
        PointsCredited(
            member_id=member_id,
            entry_id=str(entry.id),
            points=points,
            balance_after=balance,
            reason=reason,
            reference_id=reference_id,
            expires_at=expires_at,
            credited_at=now,
        ),
    )
    return entry


async def debit(
    session: AsyncSession,
    member_id: str,
    points: int,
    reason: PointsReason,
    *,
    source_key: str | None = None,
    reference_id: str | None = None,
    actor: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
    account_locked: bool = False,
    events: list[Envelope[Any]] | None = None,
) -> PointsEntry:
    """Take ``points`` from the lots that expire first, recording which lots paid; never below zero.

    ``source_key`` is recorded (unique); debits are keyed by what they pay for (an order, a redemption),
    which the caller has just created, so there is no earlier debit to look for. With ``events`` the
    ``points_debited`` event is appended there for the caller to write with its own (one outbox write)."""
    now = _now(now)
    if not account_locked:
        await repository.lock_account(session, member_id)
    lots = await repository.spendable_lots(session, member_id, now)
    available = sum(remaining for _, remaining in lots)
    if available < points:
        raise InsufficientPoints(f"points: {points} needed, {available} available", field="points")
    takes: list[tuple[uuid.UUID, int]] = []
    left = points
    for lot_id, remaining in lots:
        if left == 0:
            break
        take = min(remaining, left)
        takes.append((lot_id, take))
        left -= take
    entry = PointsEntry(
        id=uuid.uuid4(),
        member_id=member_id,
        direction="debit",
        points=points,
        reason=reason,
        source_key=source_key,
        reference_id=reference_id,
        qualifying=False,
        actor=actor,
        note=note,
        created_at=now,
    )
    entry.balance_after = await repository.record_debit(session, _columns(entry), takes)
    if events is not None:
        events.append(_debited_event(entry))
    else:
        await add_event(session, _debited_event(entry))
    return entry


_ENTRY_COLUMNS = (
    "id",
    "member_id",
    "points",
    "reason",
    "rule_code",
    "source_key",
    "reference_id",
    "qualifying",
    "actor",
    "note",
    "created_at",
)


def _columns(entry: PointsEntry) -> dict[str, Any]:
    """The entry's values as the repository's one-statement credit and debit take them. The returned
    entry is not added to the session: it is what was written, for the caller and the event."""
    return {name: getattr(entry, name, None) for name in _ENTRY_COLUMNS}


def _debited_event(entry: PointsEntry) -> Envelope[PointsDebited]:
    return publish.envelope(
        PointsDebited(
            member_id=entry.member_id,
            entry_id=str(entry.id),
            points=entry.points,
            balance_after=entry.balance_after,
            reason=cast(PointsReason, entry.reason),
            reference_id=entry.reference_id,
            debited_at=entry.created_at,
        )
    )


async def reverse(
    session: AsyncSession,
    debit_id: uuid.UUID,
    reason: PointsReason = "reversal",
    *,
    actor: str | None = None,
    now: datetime | None = None,
) -> PointsEntry:
    """Give back exactly the lots a debit consumed (with their own expiry dates); idempotent."""
    now = _now(now)
    original = await repository.get_entry(session, debit_id)
    if original is None:
        raise EntryNotFound(f"points entry {debit_id} does not exist")
    if original.direction != "debit":
        raise NotADebit(f"points entry {debit_id} is a {original.direction}")
    await repository.lock_account(session, original.member_id)
    if (done := await repository.reversal_of(session, debit_id)) is not None:
        return done
    allocations = await repository.allocations_of(session, debit_id)
    await repository.restore_lots(session, allocations)
    balance = await repository.change_account(session, original.member_id, balance=original.points, at=now)
    entry = PointsEntry(
        id=uuid.uuid4(),
        member_id=original.member_id,
        direction="credit",
        points=original.points,
        balance_after=balance,
        reason=reason,
        reverses_id=original.id,
        reference_id=original.reference_id,
        actor=actor,
        created_at=now,
    )
    await repository.add_entry(session, entry)
    await publish(
        session,
        PointsCredited(
            member_id=entry.member_id,
            entry_id=str(entry.id),
            points=entry.points,
            balance_after=balance,
            reason=reason,
            reference_id=entry.reference_id,
            credited_at=now,
        ),
    )
    return entry


async def _cap_period_start(session: AsyncSession, period: str, member_id: str, now: datetime) -> datetime:
    """Where a cap's period began: the calendar day or month (UTC), or the member's privilege year (the
    one their quotas reset on)."""
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return day
    if period == "month":
        return day.replace(day=1)
    start = await entitlements.privilege_year_start(session, member_id, day.date())
    return datetime(start.year, start.month, start.day, tzinfo=UTC)


async def award(
    session: AsyncSession,
    rule_code: str,
    member_id: str,
    source_key: str,
    *,
    amount_fen: int | None = None,
    points: int | None = None,
    reference_id: str | None = None,
    now: datetime | None = None,
) -> PointsEntry | None:
    """Credit what an earning rule gives (``points`` overrides the rule's fixed amount), within its cap.

    None when the rule is inactive, the source was already credited, or the cap is reached."""
    now = _now(now)
    rule = await repository.get_rule(session, rule_code)
    if rule is None or not rule.active:
        return None
    if rule.points_per_yuan is not None and amount_fen is not None:
        earned = amount_fen // 100 * rule.points_per_yuan
    else:
        earned = points if points is not None else rule.points
    await repository.lock_account(session, member_id)  # the cap below is read under the account lock
    if rule.cap_points is not None and rule.cap_period is not None:
        since = await _cap_period_start(session, rule.cap_period, member_id, now)
        so_far = await repository.earned_by_rule_since(session, member_id, rule.code, since)
        earned = min(earned, rule.cap_points - so_far)
    if earned <= 0:
        return None
    return await credit(
        session,
        member_id,
        earned,
        cast(PointsReason, rule.reason),
        source_key=source_key,
        rule_code=rule.code,
        reference_id=reference_id,
        validity_days=rule.validity_days,
        qualifying=rule.qualifying,
        now=now,
    )


@dataclass(frozen=True, slots=True)
class Balance:
    member_id: str
    balance: int
    qualifying_points: int
    lifetime_earned: int
    expiring: list[tuple[datetime, int]]


async def balance(session: AsyncSession, member_id: str, *, now: datetime | None = None) -> Balance:
    """Spendable points (expired lots not counted even before the expiry job ran) and what expires when."""
    now = _now(now)
    account = await repository.get_account(session, member_id)
    return Balance(
        member_id=member_id,
        balance=await repository.spendable_total(session, member_id, now),
        qualifying_points=account.qualifying_points if account else 0,
        lifetime_earned=account.lifetime_earned if account else 0,
        expiring=await repository.expiring_groups(session, member_id, now, limit=12),
    )


async def import_spent(
    session: AsyncSession, spends: list[tuple[str, int, datetime]], reason: PointsReason
) -> list[uuid.UUID]:
    """History from before this service: for each (member, points, at), points earned and spent at
    ``at`` (a credit whose lot a debit used up), written in batches. Balances are unchanged; returns
    the debits' ids in order."""
    entries: list[PointsEntry] = []
    lots: list[PointsLot] = []
    allocations: list[PointsAllocation] = []
    debit_ids: list[uuid.UUID] = []
    for member_id, points, at in spends:
        common = {"member_id": member_id, "points": points, "note": "imported history", "created_at": at}
        credit_entry = PointsEntry(
            id=uuid.uuid4(), direction="credit", balance_after=points, reason="adjustment", **common
        )
        debit_entry = PointsEntry(
            id=uuid.uuid4(), direction="debit", balance_after=0, reason=reason, **common
        )
        lot = PointsLot(
            id=uuid.uuid4(),
            member_id=member_id,
            entry_id=credit_entry.id,
            points=points,
            remaining=0,
            earned_at=at,
            expires_at=at + timedelta(days=DEFAULT_VALIDITY_DAYS),
        )
        entries += [credit_entry, debit_entry]
        lots.append(lot)
        allocations.append(PointsAllocation(debit_entry_id=debit_entry.id, lot_id=lot.id, points=points))
        debit_ids.append(debit_entry.id)
    for batch in (entries, lots, allocations):  # parents first: these models declare no relationships
        session.add_all(batch)
        await session.flush()
    return debit_ids


async def lock_account(session: AsyncSession, member_id: str) -> None:
    """Serialise this member's points changes until the transaction ends."""
    await repository.lock_account(session, member_id)


async def entries(
    session: AsyncSession, member_id: str, cursor: str | None, limit: int
) -> Slice[PointsEntry]:
    return await repository.list_entries(session, member_id, cursor, limit)


async def adjust(
    session: AsyncSession, member_id: str, adjustment: AdjustmentCreate, *, actor: str
) -> PointsEntry:
    """Ops: add or remove points by hand, with a reason, recorded with who did it."""
    if adjustment.points > 0:
        entry = await credit(
            session, member_id, adjustment.points, "adjustment", actor=actor, note=adjustment.reason
        )
        assert entry is not None  # no source key: never a duplicate
        return entry
    return await debit(
        session, member_id, -adjustment.points, "adjustment", actor=actor, note=adjustment.reason
    )


async def expire_due(session: AsyncSession, *, now: datetime | None = None, members: int = 500) -> int:
    """Debit what is left of every lot past its expiry (one ``expiry`` entry per member); returns how
    many members lost points. Lots are consumed the same way as by any debit, so the ledger balances."""
    now = _now(now)
    expired_members = 0
    for member_id in await repository.members_with_expired_lots(session, now, members):
        await repository.lock_account(session, member_id)
        lots = await repository.expired_lots(session, member_id, now)
        points = sum(lot.remaining for lot in lots)
        if points == 0:
            continue
        balance = await repository.change_account(session, member_id, balance=-points, at=now)
        entry = PointsEntry(
            id=uuid.uuid4(),
            member_id=member_id,
            direction="debit",
            points=points,
            balance_after=balance,
            reason="expiry",
            created_at=now,
        )
        await repository.add_entry(session, entry)
        await repository.take_from_lots(session, entry.id, [(lot.id, lot.remaining) for lot in lots])
        await add_event(session, _debited_event(entry))
        expired_members += 1
    return expired_members


async def remind_expiring(
    session: AsyncSession, *, days: int = 30, now: datetime | None = None, limit: int = 1000
) -> int:
    """Emit ``points_expiring`` once per lot that expires within ``days`` (grouped per member and day)."""
    now = _now(now)
    lots = await repository.lots_to_remind(session, now, now + timedelta(days=days), limit)
    groups: dict[tuple[str, datetime], int] = {}
    for lot in lots:
        key = (lot.member_id, lot.expires_at)
        groups[key] = groups.get(key, 0) + lot.remaining
    for (member_id, expires_at), points in groups.items():
        await publish(
            session,
            PointsExpiring(
                member_id=member_id,
                points=points,
                expires_at=expires_at,
                balance=await repository.spendable_total(session, member_id, now),
                reminded_at=now,
            ),
        )
    await repository.mark_reminded(session, [lot.id for lot in lots], now)
    return len(groups)


async def rules(session: AsyncSession) -> list[EarningRule]:
    return list(await repository.list_rules(session))


async def update_rule(session: AsyncSession, code: str, update: RuleUpdate, *, actor: str) -> EarningRule:
    rule = await repository.get_rule(session, code, for_update=True)
    if rule is None:
        raise RuleNotFound(f"earning rule {code} does not exist")
    for name, value in update.model_dump(exclude_unset=True).items():
        setattr(rule, name, value)
    rule.updated_by = actor
    rule.updated_at = datetime.now(UTC)
    await session.flush()
    return rule


CapPeriod = Literal["day", "month", "year"]
