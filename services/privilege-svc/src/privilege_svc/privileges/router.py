from __future__ import annotations

from typing import Annotated

from cheyou_events.catalogue.fields import Tier
from cheyou_kit.db import SessionDep
from cheyou_kit.identity import Principal, get_principal, require_roles
from cheyou_kit.pagination import Page
from fastapi import APIRouter, Depends

from privilege_svc.access import OPERATORS, actor
from privilege_svc.privileges import service
from privilege_svc.privileges.schemas import PrivilegeRead, TermsRead, TermsUpdate

router = APIRouter(prefix="/privileges", tags=["privileges"])

Operator = Annotated[Principal, Depends(require_roles(*OPERATORS))]


@router.get("", response_model=Page[PrivilegeRead], dependencies=[Depends(get_principal)])
async def list_privileges(session: SessionDep) -> Page[PrivilegeRead]:
    """The whole catalogue with every tier's current terms (one page: it is small)."""
    rows = await service.list_privileges(session)
    items = [
        PrivilegeRead.model_validate(p).model_copy(
            update={"terms": [TermsRead.model_validate(t) for t in terms]}
        )
        for p, terms in rows
    ]
    return Page(items=items, next_cursor=None)


@router.get("/{code}", response_model=PrivilegeRead, dependencies=[Depends(get_principal)])
async def get_privilege(code: str, session: SessionDep) -> PrivilegeRead:
    """One privilege with every tier's current terms."""
    rows = [row for row in await service.list_privileges(session) if row[0].code == code]
    if not rows:
        await service.get_privilege(session, code)
    privilege, terms = rows[0]
    read = PrivilegeRead.model_validate(privilege)
    return read.model_copy(update={"terms": [TermsRead.model_validate(t) for t in terms]})


@router.put("/{code}/terms/{tier}", response_model=TermsRead)
async def update_terms(
    code: str, tier: Tier, body: TermsUpdate, session: SessionDep, principal: Operator
) -> TermsRead:
    """Ops: new terms for one tier, recorded as the next version with who and why."""
    terms = await service.update_terms(session, code, tier, body, changed_by=actor(principal))
    return TermsRead.model_validate(terms)


@router.get(
    "/{code}/terms/{tier}/history",
    response_model=list[TermsRead],
    dependencies=[Depends(require_roles(*OPERATORS))],
)
async def terms_history(code: str, tier: Tier, session: SessionDep) -> list[TermsRead]:
    """Ops: every version of one tier's terms, newest first (the audit trail)."""
    return [TermsRead.model_validate(t) for t in await service.history(session, code, tier)]
