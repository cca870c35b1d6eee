"""Who may do what in member-svc, in one place (on the kit's rules, ``cheyou_kit.auth``).

A member sees only themself; a customer manager only their own customers, desk and figures; reviewers,
ops and admin every member. Anyone else asking for a member, or for another manager's desk, is told it
is not known (404). At the gateway, members do not reach the core system's policy feed, the reports or
the managers' targets and visits.

The routers take the function-level dependencies; a rule that needs the loaded object (may this caller
see this member, this policy?) is a function here that the domain's service calls when it loads it.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from cheyou_kit import auth
from cheyou_kit.auth import OPERATORS, STAFF_ROLES, Principal, PrincipalDep, Role, require_roles
from cheyou_kit.errors import Forbidden, NotFound
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


async def _manager_card_reader(staff_id: str, principal: PrincipalDep) -> Principal:
    """Staff and members read a manager's card; anyone else is told the manager is not known (404)."""
    if not principal.is_staff and principal.role is not Role.MEMBER:
        raise NotFound(f"manager {staff_id} is not known")
    return principal


ManagerCardReaderDep = Annotated[Principal, Depends(_manager_card_reader)]
"""Who reads a manager's card (team, contact, invite code): staff, and members (their manager's)."""

MEMBER_EDITORS = frozenset({Role.MEMBER, *OPERATORS})
"""Who changes a member they may see: the member themself, ops and admin."""
UNBINDING_STAFF = frozenset({Role.SERVICE, Role.ADMIN})
"""Who unbinds any member's WeChat account (a member unbinds only their own)."""


def reads_every_member(principal: Principal) -> bool:
    """Reviewers, ops and admin see every member, and every member's policies."""
    return principal.role in MEMBER_READERS


def may_see_member(principal: Principal, member_id: uuid.UUID, manager_id: str | None) -> bool:
    """The member themself, their manager (``manager_id``), and reviewers, ops and admin."""
    return (
        reads_every_member(principal)
        or auth.is_member(principal, member_id)
        or auth.manages(principal, manager_id)
    )


def ensure_own_desk(principal: Principal, staff_id: str) -> None:
    """A manager sees only their own card, customers, plan and figures (404 for anyone else's)."""
    if principal.role is Role.MANAGER and not auth.manages(principal, staff_id):
        raise NotFound(f"manager {staff_id} is not known")


def looks_after(principal: Principal, manager_id: str | None) -> bool:
    """A manager looks after only their own customers (``manager_id`` is the customer's manager); the
    other roles a route lets in (ops and admin), every member."""
    return principal.role is not Role.MANAGER or auth.manages(principal, manager_id)


def desk_of(principal: Principal, manager_id: str | None) -> str | None:
    """Whose customers or visits a list shows: a manager's own, whatever they name; for ops, the manager
    they name, or every manager's (None)."""
    return principal.actor_id if principal.role is Role.MANAGER else manager_id


def is_applicant(principal: Principal) -> bool:
    """Who registers: an applicant (a member-role caller without a member id yet) for themself — True; a
    member who already has one may not join again (403); staff and the gateway register others — False."""
    if principal.role is not Role.MEMBER:
        return False
    if principal.member_id is not None:
        raise Forbidden("already a member")
    return True


def ensure_can_change_member(principal: Principal) -> None:
    """Called once the caller may see the member (:func:`may_see_member`): only the member themself, ops
    and admin change them (403 for reviewers and managers)."""
    if principal.role not in MEMBER_EDITORS:
        raise Forbidden(f"role {principal.role} may not change a member")


def ensure_can_unbind(principal: Principal, member_id: uuid.UUID) -> None:
    """A member unbinds only their own WeChat account (anyone else's member is not known, 404); the gateway
    and admin any member's."""
    auth.ensure_member_or_staff(principal, member_id, staff=UNBINDING_STAFF)


def ensure_staff_reads_history(principal: Principal, member_id: uuid.UUID) -> None:
    """Who looked after a member is staff's knowledge: a member is told even their own is not known (404)."""
    if principal.role is Role.MEMBER:
        raise NotFound(f"member {member_id} is not known")


def may_read_policies(principal: Principal, member_status: str) -> bool:
    """A member reads their policies only once verified (an applicant has only typed an ID number); staff
    who may see the member see what is linked, which is nothing before verification either."""
    return principal.role is not Role.MEMBER or member_status == "verified"


def ensure_can_read_pii(principal: Principal, *, works_application: bool) -> None:
    """A member's full name, ID number and phone: admin, or the reviewer working the member's application
    (``works_application``); anyone else is refused (403)."""
    if principal.role is Role.ADMIN or (principal.role is Role.REVIEWER and works_application):
        return
    raise Forbidden("only an admin or the reviewer working this member's application may see full data")


def survey_taker(principal: Principal) -> uuid.UUID | None:
    """Needs surveys: a member reads the published ones as themself (their id); ops and admin read all
    (None); anyone else does not take part (403)."""
    if principal.role is Role.MEMBER and principal.member_id is not None:
        return principal.member_id
    if principal.role in OPERATORS:
        return None
    raise Forbidden(f"role {principal.role} does not take part in needs surveys")


def survey_answerer(principal: Principal) -> uuid.UUID:
    """Only a member answers a needs survey, for themself (403 for anyone else)."""
    member_id = survey_taker(principal)
    if member_id is None:
        raise Forbidden("only a member answers, for themself")
    return member_id
