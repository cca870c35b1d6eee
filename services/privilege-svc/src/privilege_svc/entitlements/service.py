from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.privilege import Entitlement, EntitlementsChanged
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.entitlements import repository
from privilege_svc.entitlements.errors import MemberNotKnown, QuotaExhausted
from privilege_svc.eventing import publish
from privilege_svc.member_projection import service as members
from privilege_svc.member_projection.service import TierMove
from privilege_svc.privileges import service as privileges
from privilege_svc.privileges.models import Privilege, PrivilegeTerms


@dataclass(frozen=True, slots=True)
class EntitlementView:
    privilege: Privilege
    terms: PrivilegeTerms
    used: int
    period_start: date
    period_end: date | None

    @property
    def price_fen(self) -> int:
        return self.terms.price_for(self.privilege.list_price_fen)

    @property
    def remaining(self) -> int | None:
        return None if self.terms.quota is None else max(0, self.terms.quota - self.used)


def _anniversary(anchor: date, year: int) -> date:
    try:
        return anchor.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 3, 1)


def period_bounds(period: str, year_starts_on: date | None, today: date) -> tuple[date, date | None]:
    """The period a use on ``today`` counts in: the member's privilege year (from the anniversary of
    ``year_starts_on``; the calendar year when unknown), the calendar month, or all time (``once``)."""
    if period == "month":
        start = today.replace(day=1)
        end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return start, end
    if period == "once":
        return date(1970, 1, 1), None
    anchor = year_starts_on or date(today.year, 1, 1)
    start = _anniversary(anchor, today.year)
    if start > today:
        start = _anniversary(anchor, today.year - 1)
    return start, _anniversary(anchor, start.year + 1)


def offered(terms: PrivilegeTerms, today: date) -> bool:
    if terms.mode == "not_offered":
        return False
    if terms.valid_from is not None and today < terms.valid_from:
        return False
    return terms.valid_until is None or today <= terms.valid_until


async def member_tier(session: AsyncSession, member_id: str) -> Tier:
    tier = await members.tier_of(session, member_id)
    if tier is None:
        raise MemberNotKnown(f"member {member_id} is not known")
    return tier


async def member_tier_and_year(session: AsyncSession, member_id: str) -> tuple[Tier, date | None]:
    """The member's tier and the anchor of their privilege year (see ``members.tier_and_year_anchor``)."""
    found = await members.tier_and_year_anchor(session, member_id)
    if found is None:
        raise MemberNotKnown(f"member {member_id} is not known")
    return found


async def privilege_year_start(session: AsyncSession, member_id: str, today: date) -> date:
    """The first day of the member's privilege year that ``today`` falls in (the calendar year's when
    privilege-svc does not know the member yet)."""
    found = await members.tier_and_year_anchor(session, member_id)
    return period_bounds("year", None if found is None else found[1], today)[0]


async def entitlements_for(
    session: AsyncSession,
    member_id: str,
    *,
    today: date | None = None,
    catalogue_rows: Sequence[tuple[Privilege, Sequence[PrivilegeTerms]]] | None = None,
) -> tuple[Tier, list[EntitlementView]]:
    """Every privilege the member's tier offers today, with what is left of each quota.

    ``catalogue_rows``: the catalogue with its current terms as the process caches it
    (``privileges.catalogue``), instead of reading them again."""
    today = today or datetime.now(UTC).date()
    tier, year_starts_on = await member_tier_and_year(session, member_id)
    if catalogue_rows is None:
        catalogue_rows = await privileges.list_privileges(session)
    catalogue = {p.code: p for p, _ in catalogue_rows}
    terms = [
        t for _, of_privilege in catalogue_rows for t in of_privilege if t.tier == tier and offered(t, today)
    ]
    bounds = {t.privilege_code: period_bounds(t.period, year_starts_on, today) for t in terms}
    used = await repository.usage_in_periods(
        session, member_id, {code: start for code, (start, _) in bounds.items()}
    )
    views = [
        EntitlementView(
            catalogue[t.privilege_code], t, used.get(t.privilege_code, 0), *bounds[t.privilege_code]
        )
        for t in terms
    ]
    return tier, sorted(views, key=lambda v: v.privilege.sort_order)


async def reserve_quota(
    session: AsyncSession, member_id: str, terms: PrivilegeTerms, period_start: date
) -> None:
    """Take one use of the period, under the usage row's lock; unlimited terms are only counted."""
    usage = await repository.lock_usage(session, member_id, terms.privilege_code, period_start)
    if terms.quota is not None and usage.reserved + usage.used >= terms.quota:
        raise QuotaExhausted(
            f"{terms.privilege_code}: {terms.quota} per {terms.period}, all used or booked",
            field="privilege_code",
        )
    await repository.change_usage(session, member_id, terms.privilege_code, period_start, reserved=1, used=0)


async def consume_quota(session: AsyncSession, member_id: str, code: str, period_start: date) -> None:
    await repository.change_usage(session, member_id, code, period_start, reserved=-1, used=1)


async def release_quota(session: AsyncSession, member_id: str, code: str, period_start: date) -> None:
    await repository.change_usage(session, member_id, code, period_start, reserved=-1, used=0)


def _entitlement(privilege: Privilege, terms: PrivilegeTerms) -> Entitlement:
    return Entitlement(
        privilege_id=privilege.code,
        quota=terms.quota or 0,
        period=terms.period,
        price_fen=terms.price_for(privilege.list_price_fen),
        name=privilege.name,
        mode=terms.mode,
        discount_pct=terms.discount_pct,
        unlimited=terms.quota is None,
    )


def _same_terms(a: PrivilegeTerms, b: PrivilegeTerms) -> bool:
    return (a.mode, a.discount_pct, a.price_fen, a.quota, a.period) == (
        b.mode,
        b.discount_pct,
        b.price_fen,
        b.quota,
        b.period,
    )


async def announce_tier_change(session: AsyncSession, move: TierMove) -> EntitlementsChanged:
    """Recompute what the member's tier offers and emit the "privilege push": granted, revoked, changed."""
    today = move.at.date()
    catalogue = {p.code: p for p, _ in await privileges.list_privileges(session)}
    before = {t.privilege_code: t for t in await privileges.current_terms(session, move.from_tier)}
    after = {t.privilege_code: t for t in await privileges.current_terms(session, move.to_tier)}
    before = {code: t for code, t in before.items() if offered(t, today)}
    after = {code: t for code, t in after.items() if offered(t, today)}

    def listed(codes: list[str], terms: dict[str, PrivilegeTerms]) -> list[Entitlement]:
        return [
            _entitlement(catalogue[c], terms[c]) for c in sorted(codes, key=lambda c: catalogue[c].sort_order)
        ]

    event = EntitlementsChanged(
        member_id=move.member_id,
        tier=move.to_tier,
        from_tier=move.from_tier,
        entitlements=listed(list(after), after),
        granted=listed([c for c in after if c not in before], after),
        revoked=listed([c for c in before if c not in after], before),
        changed=listed([c for c in after if c in before and not _same_terms(before[c], after[c])], after),
        changed_at=move.at,
    )
    await publish(session, event)
    return event
