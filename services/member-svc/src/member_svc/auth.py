"""Who may do what in member-svc, in one place (on the kit's rules, ``cheyou_kit.auth``).

A member sees only themself; a customer manager only their own customers, desk and figures; reviewers,
ops and admin every member. Anyone else asking for a member, or for another manager's desk, is told it
is not known (404). At the gateway, members do not reach the core system's policy feed, the reports or
the managers' targets and visits.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from cheyou_kit import auth
from cheyou_kit.auth import OPERATORS, STAFF_ROLES, Principal, Role, require_roles
from cheyou_kit.errors import NotFound
from fastapi import Depends

GATEWAY_AUDIENCES: dict[str, frozenset[Role]] = dict.fromkeys(
    ("policy-feed", "member-reports", "targets", "visits"), STAFF_ROLES
)
"""Staff only; the rest serves members and staff."""

MEMBER_READERS = frozenset({Role.REVIEWER, Role.OPS, Role.ADMIN})
"""Who sees every member (and the profile: birth year, gender, region)."""

OpsDep = Annotated[Principal, Depends(require_roles(*OPERATORS))]
OpsOnly = Depends(require_roles(*OPERATORS))
AdminDep = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
ServiceDep = Annotated[Principal, Depends(require_roles(Role.SERVICE))]
ReviewerDep = Annotated[Principal, Depends(require_roles(Role.REVIEWER))]
"""A reviewer working the verification queue."""
ApplicationReaderDep = Annotated[Principal, Depends(require_roles(Role.REVIEWER, *OPERATORS))]
ManagerDep = Annotated[Principal, Depends(require_roles(Role.MANAGER))]
ManagerOrOpsDep = Annotated[Principal, Depends(require_roles(Role.MANAGER, *OPERATORS))]
"""A manager (their own desk and customers: :func:`ensure_own_desk`, :func:`may_see_member`) or ops."""
RegistrarDep = Annotated[Principal, Depends(require_roles(Role.MEMBER, Role.SERVICE, *OPERATORS))]
UnbinderDep = Annotated[Principal, Depends(require_roles(Role.SERVICE, Role.ADMIN, Role.MEMBER))]
SegmentsDep = Annotated[Principal, Depends(require_roles(*OPERATORS, Role.MANAGER))]
CardReaderDep = Annotated[
    Principal, Depends(require_roles(Role.SERVICE, Role.MERCHANT, Role.MANAGER, *OPERATORS))
]
PolicyReaderDep = Annotated[
    Principal, Depends(require_roles(Role.MEMBER, Role.REVIEWER, Role.MANAGER, *OPERATORS))
]
PolicyFeedDep = Annotated[Principal, Depends(require_roles(Role.SERVICE, Role.ADMIN))]
"""The core system's policy feed: the feed bridge (a service) and admin replaying it."""
TierRuleReaderDep = Annotated[Principal, Depends(require_roles(*OPERATORS, Role.REVIEWER, Role.MANAGER))]


def may_see_member(principal: Principal, member_id: uuid.UUID, manager_id: str | None) -> bool:
    """The member themself, their manager (``manager_id``), and reviewers, ops and admin."""
    return (
        principal.role in MEMBER_READERS
        or auth.is_member(principal, member_id)
        or auth.manages(principal, manager_id)
    )


def ensure_own_desk(principal: Principal, staff_id: str) -> None:
    """A manager sees only their own card, customers, plan and figures (404 for anyone else's)."""
    if principal.role is Role.MANAGER and not auth.manages(principal, staff_id):
        raise NotFound(f"manager {staff_id} is not known")
