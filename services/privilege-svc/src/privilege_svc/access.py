"""Object-level authorization shared by every route that reads or writes one member's things."""

from __future__ import annotations

from cheyou_kit.errors import Forbidden, NotFound
from cheyou_kit.identity import Principal, Role

STAFF_READERS = frozenset({Role.OPS, Role.ADMIN, Role.SERVICE})
"""Roles that may read any member's privileges, orders and points. Not managers: a manager may see only
their own customers, and which those are is member-svc's knowledge, not this service's (managers see
their customers' tiers and policies there)."""
STATISTICS_READERS = STAFF_READERS | {Role.MANAGER}
"""Roles that may read aggregate usage statistics (no member's data in them)."""
OPERATORS = (Role.OPS, Role.ADMIN)
"""Roles that run the club: edit terms, adjust points, create rewards and activities."""


def ensure_can_read_member(principal: Principal, member_id: str) -> None:
    """A member reads only their own things (someone else's are "not found"); staff read any."""
    if principal.role == Role.MEMBER:
        if str(principal.member_id) != member_id:
            raise NotFound(f"member {member_id} is not known")
        return
    if principal.role not in STAFF_READERS:
        raise Forbidden(f"role {principal.role} may not read members' privileges")


def acting_member(principal: Principal) -> str:
    """The member id of a member principal (members act only for themselves)."""
    if principal.role != Role.MEMBER or principal.member_id is None:
        raise Forbidden("only a member can do this, for themself")
    return str(principal.member_id)


def actor(principal: Principal) -> str:
    """Who did it, for audit columns: the staff id when there is one, else the subject."""
    return principal.staff_id or principal.subject
