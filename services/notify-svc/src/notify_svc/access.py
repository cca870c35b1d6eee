"""Object-level access to a member's data: a member only their own; ops, admin and services any."""

from __future__ import annotations

from cheyou_kit.errors import NotFound
from cheyou_kit.identity import Principal, Role

READ_ANY = frozenset({Role.OPS, Role.ADMIN, Role.SERVICE})


class MemberNotFound(NotFound):
    slug = "member-not-found"


def check_member(principal: Principal, member_id: str, *, write: bool = False) -> None:
    """404 for someone else's member id, so ids cannot be probed."""
    if (
        principal.role == Role.MEMBER
        and principal.member_id is not None
        and str(principal.member_id) == member_id
    ):
        return
    if not write and principal.role in READ_ANY:
        return
    if write and principal.role == Role.SERVICE:
        return
    raise MemberNotFound(f"member {member_id} is not known")
