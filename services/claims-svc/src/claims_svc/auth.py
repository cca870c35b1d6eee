"""Who may do what in claims-svc, in one place: a typed dependency for each audience of the service
(function level, on the kit's rules in ``cheyou_kit.auth``).

Object-level checks (is this *your* claim, the surveyor's own task?) happen in the services, on every
object read by id (``claims/service.py`` ``get_visible``): someone else's claim is "not found".
"""

from __future__ import annotations

import uuid
from typing import Annotated

from cheyou_kit.auth import OPERATORS, STAFF_ROLES, Principal, Role, require_roles
from cheyou_kit.errors import Forbidden, Unprocessable
from fastapi import Depends

GATEWAY_AUDIENCES: dict[str, frozenset[Role]] = {"claim-reports": STAFF_ROLES}
"""The claim figures are staff's; the rest serves members and staff."""

MemberDep = Annotated[Principal, Depends(require_roles(Role.MEMBER))]
"""The member themself."""
SurveyorDep = Annotated[Principal, Depends(require_roles(Role.SURVEYOR))]
"""A surveyor working the queue."""
AdjusterDep = Annotated[Principal, Depends(require_roles(*OPERATORS))]
"""Claims operations: adjudication, payment, withdrawal approval, appointment slots."""
ClaimReaderDep = Annotated[
    Principal, Depends(require_roles(Role.MEMBER, Role.SURVEYOR, *OPERATORS, Role.SERVICE))
]
"""Anyone who may read a claim they are entitled to (checked per claim)."""
ReporterDep = Annotated[Principal, Depends(require_roles(Role.MEMBER, *OPERATORS))]
"""Who may report a claim: the member themself, or claims staff taking a report by phone."""
ClaimListerDep = Annotated[Principal, Depends(require_roles(Role.MEMBER, *OPERATORS, Role.SERVICE))]
CoverReaderDep = Annotated[Principal, Depends(require_roles(Role.SURVEYOR, *OPERATORS))]
"""Who may read a customer's cover on a day: surveyors on site and claims operations."""
FIGURES_READERS = (Role.OPS, Role.ADMIN, Role.SERVICE)
FiguresReaderDep = Annotated[Principal, Depends(require_roles(*FIGURES_READERS))]
"""Who may read the claim figures: claims operations, and services (the ops report) on their behalf."""
FIGURES_AT_THE_GATEWAY = {"x-cheyou-roles": [r.value for r in FIGURES_READERS if r is not Role.SERVICE]}
"""The figures' ``openapi_extra``: the gateway lets only their readers through (services always pass)."""


def member_id(principal: Principal) -> uuid.UUID:
    if principal.member_id is None:
        raise Forbidden("the identity carries no member id")
    return principal.member_id


def reporting_for(principal: Principal, named: uuid.UUID | None) -> tuple[uuid.UUID, str | None]:
    """Whose claim a report is and, if staff take it, which staff member: ``(member_id, staff_id)``."""
    if principal.role == Role.MEMBER:
        own = member_id(principal)
        if named is not None and named != own:
            raise Forbidden("a member reports only their own claims", field="member_id")
        return own, None
    if named is None:
        raise Unprocessable("name the member you report for", field="member_id")
    return named, principal.actor_id
