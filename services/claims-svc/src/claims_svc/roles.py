"""Who may call what: typed dependencies for each audience of claims-svc (function-level checks).

Object-level checks (is this *your* claim?) happen in the services, on every object read by id.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from cheyou_kit.errors import Forbidden, Unprocessable
from cheyou_kit.identity import Principal, Role, require_roles
from fastapi import Depends

MemberDep = Annotated[Principal, Depends(require_roles(Role.MEMBER))]
"""The member themself."""
SurveyorDep = Annotated[Principal, Depends(require_roles(Role.SURVEYOR))]
"""A surveyor working the queue."""
AdjusterDep = Annotated[Principal, Depends(require_roles(Role.OPS, Role.ADMIN))]
"""Claims operations: adjudication, payment, withdrawal approval, appointment slots."""
ClaimReaderDep = Annotated[
    Principal, Depends(require_roles(Role.MEMBER, Role.SURVEYOR, Role.OPS, Role.ADMIN, Role.SERVICE))
]
"""Anyone who may read a claim they are entitled to (checked per claim)."""
ReporterDep = Annotated[Principal, Depends(require_roles(Role.MEMBER, Role.OPS, Role.ADMIN))]
"""Who may report a claim: the member themself, or claims staff taking a report by phone."""
ClaimListerDep = Annotated[Principal, Depends(require_roles(Role.MEMBER, Role.OPS, Role.ADMIN, Role.SERVICE))]
FIGURES_READERS = (Role.OPS, Role.ADMIN, Role.SERVICE)
FiguresReaderDep = Annotated[Principal, Depends(require_roles(*FIGURES_READERS))]
"""Who may read the claim figures: claims operations, and services (the ops report) on their behalf."""


def member_id(principal: Principal) -> uuid.UUID:
    if principal.member_id is None:
        raise Forbidden("the identity carries no member id")
    return principal.member_id


def staff_id(principal: Principal) -> str:
    if principal.staff_id is None:
        return principal.subject
    return principal.staff_id


def reporting_for(principal: Principal, named: uuid.UUID | None) -> tuple[uuid.UUID, str | None]:
    """Whose claim a report is and, if staff take it, which staff member: ``(member_id, staff_id)``."""
    if principal.role == Role.MEMBER:
        own = member_id(principal)
        if named is not None and named != own:
            raise Forbidden("a member reports only their own claims", field="member_id")
        return own, None
    if named is None:
        raise Unprocessable("name the member you report for", field="member_id")
    return named, staff_id(principal)
