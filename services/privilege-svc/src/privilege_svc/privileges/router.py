from __future__ import annotations

from typing import Annotated

from cheyou_events.catalogue.fields import Tier
from cheyou_kit.db import SessionDep
from cheyou_kit.pagination import Page
from fastapi import APIRouter, Header, Request, Response

from privilege_svc.auth import Operator, OperatorOnly, SignedIn
from privilege_svc.privileges import service
from privilege_svc.privileges.catalogue import CatalogueDep
from privilege_svc.privileges.schemas import PrivilegeRead, TermsRead, TermsUpdate

router = APIRouter(prefix="/privileges", tags=["privileges"])


@router.get(
    "",
    response_model=Page[PrivilegeRead],
    dependencies=[SignedIn],
    responses={304: {"description": "Not modified: the catalogue still has the ETag sent in If-None-Match."}},
)
async def list_privileges(
    request: Request,
    catalogue: CatalogueDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The whole catalogue with every tier's current terms (one page: it is small), with an ``ETag``;
    ``If-None-Match`` with it answers 304. Cached in the process (``privileges.catalogue``): no database
    connection unless it is built again."""
    encoded = await catalogue.get(request.app.state.session_factory)
    headers = {"ETag": encoded.etag, "Cache-Control": "private, no-cache"}
    if if_none_match is not None and encoded.etag in (tag.strip() for tag in if_none_match.split(",")):
        return Response(status_code=304, headers=headers)
    return Response(encoded.body, media_type="application/json", headers=headers)


@router.get("/{code}", response_model=PrivilegeRead, dependencies=[SignedIn])
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
    code: str,
    tier: Tier,
    body: TermsUpdate,
    session: SessionDep,
    principal: Operator,
    catalogue: CatalogueDep,
) -> TermsRead:
    """Ops: new terms for one tier, recorded as the next version with who and why."""
    terms = await service.update_terms(session, code, tier, body, changed_by=principal.actor_id)
    catalogue.invalidate_after_commit(session)
    return TermsRead.model_validate(terms)


@router.get(
    "/{code}/terms/{tier}/history",
    response_model=list[TermsRead],
    dependencies=[OperatorOnly],
)
async def terms_history(code: str, tier: Tier, session: SessionDep) -> list[TermsRead]:
    """Ops: every version of one tier's terms, newest first (the audit trail)."""
    return [TermsRead.model_validate(t) for t in await service.history(session, code, tier)]
