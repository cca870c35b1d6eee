"""Who may do what in privilege-svc, in one place: the roles of each kind of route, and the object rule
shared by every route that reads or writes one member's things (on the kit's rules, ``cheyou_kit.auth``).

Managers are not among the readers of a member's privileges, orders and points: a manager may see only
their own customers, and which those are is member-svc's knowledge, not this service's (managers see
their customers' tiers and policies there).
"""

from __future__ import annotations

from typing import Annotated

from cheyou_kit import auth
from cheyou_kit.auth import OPERATORS, Principal, Role, get_principal, require_roles
from fastapi import Depends

STAFF_READERS = frozenset({Role.OPS, Role.ADMIN, Role.SERVICE})
"""Roles that may read any member's privileges, orders and points."""
STATISTICS_READERS = STAFF_READERS | {Role.MANAGER}
"""Roles that may read aggregate usage statistics (no member's data in them)."""

GATEWAY_AUDIENCES: dict[str, frozenset[Role]] = {}
"""Every segment of this service serves members and staff (the kit's default)."""

SignedIn = Depends(get_principal)
"""Anyone the gateway signed for (the catalogue, the earning rules)."""
Operator = Annotated[Principal, Depends(require_roles(*OPERATORS))]
"""Ops and admin, who run the club: edit terms, adjust points, create rewards and activities."""
OperatorOnly = Depends(require_roles(*OPERATORS))
StaffReaderOnly = Depends(require_roles(*STAFF_READERS))
StatisticsReaderOnly = Depends(require_roles(*STATISTICS_READERS))


def ensure_can_read_member(principal: Principal, member_id: str) -> None:
    """A member reads only their own things (someone else's are "not found"); staff readers read any;
    other roles are refused (403)."""
    auth.ensure_member_or_staff(
        principal,
        member_id,
        staff=STAFF_READERS,
        refuse_other_roles=f"role {principal.role} may not read members' privileges",
    )


def acting_member(principal: Principal) -> str:
    """The member id of a member principal (members act only for themselves)."""
    return str(auth.acting_member(principal))
