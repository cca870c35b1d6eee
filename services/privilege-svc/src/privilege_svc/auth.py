"""Who may do what in privilege-svc, in one place: the roles of each kind of route, and the object rules
of every route that reads or writes one member's things (on the kit's rules, ``cheyou_kit.auth``). The
routers take the function-level dependencies; a rule that needs the loaded object (whose order is it?) is
called by the domain's service when it loads it (``get_visible``).

Managers are not among the readers of a member's privileges, orders and points: a manager may see only
their own customers, and which those are is member-svc's knowledge, not this service's (managers see
their customers' tiers and policies there).
"""

from __future__ import annotations

from typing import Annotated, Literal

from cheyou_kit import auth
from cheyou_kit.auth import OPERATORS, Principal, Role, get_principal, require_roles
from cheyou_kit.errors import NotFound
from fastapi import Depends

from privilege_svc.activities.errors import NotCancellable
from privilege_svc.orders.errors import OrderNotCancellable

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


def ensure_can_read_own(principal: Principal, member_id: str, unknown: NotFound) -> None:
    """One member's object (an order, a payment, a redemption): its member and the staff readers reach
    it. Another member is told ``unknown`` — the domain's own answer for a missing id, so ids cannot be
    probed; other roles are refused (403)."""
    if principal.role is Role.MEMBER and not auth.is_member(principal, member_id):
        raise unknown
    ensure_can_read_member(principal, member_id)


def listed_member(principal: Principal, member_id: str | None) -> str | None:
    """Whose things a list shows: a member's own (naming another member is "not known", 404); a staff
    reader's, the member they name or everyone's (None); other roles are refused (403)."""
    if principal.role is Role.MEMBER:
        member_id = member_id or acting_member(principal)
    ensure_can_read_member(principal, member_id or "")
    return member_id


def member_or_staff_reader(principal: Principal) -> str | None:
    """The member's id for a member, who reads as themself; None for staff readers, who read everything
    (the mall, the games, the interest groups); other roles are refused (403)."""
    return listed_member(principal, None)


def viewing_member(principal: Principal) -> str | None:
    """Who is looking at a catalogue aimed at some members (a reward, an activity): a member, who sees
    only what is aimed at them (anything else is "not found"); None for anyone else, who sees it all."""
    return acting_member(principal) if principal.role is Role.MEMBER else None


def order_cancelled_by(principal: Principal) -> Literal["member", "ops"]:
    """Who cancels an order they may read (:func:`ensure_can_read_own`): its member or ops; anyone else
    may not (409)."""
    if principal.role is Role.MEMBER:
        return "member"
    if principal.role in OPERATORS:
        return "ops"
    raise OrderNotCancellable("only the member or ops can cancel an order")


def ensure_can_cancel_signup(principal: Principal, member_id: str) -> None:
    """An activity sign-up is given up by its member or by ops; another member is told the member is not
    known (404), other staff readers may not (409), other roles are refused (403)."""
    if principal.role in OPERATORS:
        return
    ensure_can_read_member(principal, member_id)
    if principal.role is not Role.MEMBER:
        raise NotCancellable("only the member or ops can cancel a sign-up")
