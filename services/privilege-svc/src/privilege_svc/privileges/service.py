from __future__ import annotations

from datetime import UTC, datetime

from cheyou_events.catalogue.fields import Tier
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.privileges import repository
from privilege_svc.privileges.errors import InvalidTerms, PrivilegeNotFound
from privilege_svc.privileges.models import Privilege, PrivilegeTerms
from privilege_svc.privileges.schemas import TermsUpdate


async def list_privileges(session: AsyncSession) -> list[tuple[Privilege, list[PrivilegeTerms]]]:
    """The catalogue, each privilege with its current terms for every tier."""
    privileges = await repository.list_privileges(session)
    terms = await repository.current_terms(session)
    by_code: dict[str, list[PrivilegeTerms]] = {}
    for row in terms:
        by_code.setdefault(row.privilege_code, []).append(row)
    return [(p, by_code.get(p.code, [])) for p in privileges]


async def get_privilege(session: AsyncSession, code: str) -> Privilege:
    privilege = await repository.get(session, code)
    if privilege is None:
        raise PrivilegeNotFound(f"privilege {code} is not in the catalogue")
    return privilege


async def get_privilege_or_none(session: AsyncSession, code: str) -> Privilege | None:
    return await repository.get(session, code)


async def current_terms(session: AsyncSession, tier: Tier) -> list[PrivilegeTerms]:
    return await repository.current_terms(session, tier=tier.value)


async def terms_of(session: AsyncSession, code: str, tier: Tier) -> PrivilegeTerms | None:
    return await repository.current_terms_of(session, code, tier.value)


async def history(session: AsyncSession, code: str, tier: Tier) -> list[PrivilegeTerms]:
    await get_privilege(session, code)
    return await repository.history(session, code, tier.value)


def _check(update: TermsUpdate) -> None:
    if update.mode == "discount" and update.discount_pct is None:
        raise InvalidTerms("discount_pct: a discount needs a percentage", field="discount_pct")
    if update.mode == "fixed_price" and update.price_fen is None:
        raise InvalidTerms("price_fen: a fixed price needs the price", field="price_fen")
    if update.valid_from and update.valid_until and update.valid_until < update.valid_from:
        raise InvalidTerms("valid_until: ends before valid_from", field="valid_until")


async def update_terms(
    session: AsyncSession, code: str, tier: Tier, update: TermsUpdate, *, changed_by: str
) -> PrivilegeTerms:
    """Supersede the current terms with the next version (the current row is locked, so two editors
    cannot both write version N+1)."""
    await get_privilege(session, code)
    _check(update)
    now = datetime.now(UTC)
    current = await repository.current_terms_of(session, code, tier.value, for_update=True)
    if current is not None:
        await repository.supersede(session, current.id, now)
    return await repository.add_terms(
        session,
        PrivilegeTerms(
            privilege_code=code,
            tier=tier.value,
            version=(current.version + 1) if current else 1,
            mode=update.mode,
            discount_pct=update.discount_pct if update.mode == "discount" else None,
            price_fen=update.price_fen if update.mode == "fixed_price" else None,
            quota=update.quota,
            period=update.period,
            points_price=update.points_price,
            refund_after_acceptance_pct=100
            if update.refund_after_acceptance_pct is None
            else update.refund_after_acceptance_pct,
            valid_from=update.valid_from,
            valid_until=update.valid_until,
            changed_by=changed_by,
            reason=update.reason,
            created_at=now,
        ),
    )


async def terms_by_id(session: AsyncSession, terms_id: int) -> PrivilegeTerms | None:
    """A version of terms as an order was booked under (superseded or not)."""
    return await repository.terms_by_id(session, terms_id)
