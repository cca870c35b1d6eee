"""Who may call what: typed dependencies for each audience of claims-svc (function-level checks).

Object-level checks (is this *your* claim?) happen in the services, on every object read by id.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from cheyou_kit.errors import Forbidden
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
ClaimListerDep = Annotated[Principal, Depends(require_roles(Role.MEMBER, Role.OPS, Role.ADMIN, Role.SERVICE))]


def member_id(principal: Principal) -> uuid.UUID:
    if principal.member_id is None:
        raise Forbidden("the identity carries no member id")
    return principal.member_id


def staff_id(principal: Principal) -> str:
    if principal.staff_id is None:
        return principal.subject
    return principal.staff_id
