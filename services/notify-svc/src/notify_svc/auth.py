"""Who may do what in notify-svc, in one place (on the kit's rules, ``cheyou_kit.auth``): ops run the
notices, campaigns and feeds; a member reaches only their own inbox and preferences.

At the gateway, members do not reach the campaign machinery, the feeds or the provider callbacks (the
receipts and replies come with a proof of their own, not a signed-in caller).
"""

from __future__ import annotations

from typing import Annotated

from cheyou_kit import auth
from cheyou_kit.auth import OPERATORS, STAFF_ROLES, Principal, Role, require_roles
from fastapi import Depends

from notify_svc.errors import MemberNotFound

GATEWAY_AUDIENCES: dict[str, frozenset[Role]] = dict.fromkeys(
    (
        "templates",
        "campaigns",
        "publications",
        "audience",
        "reminders",
        "sms-receipts",
        "sms-replies",
        "feeds",
        "feed-webhooks",
    ),
    STAFF_ROLES,
)
"""Staff only; the rest (inbox, preferences, articles, unsubscriptions) serve members and staff."""

OpsDep = Annotated[Principal, Depends(require_roles(*OPERATORS))]
"""Ops and admin."""
ManagerDep = Annotated[Principal, Depends(require_roles(Role.MANAGER))]
ShareViewerDep = Annotated[Principal, Depends(require_roles(Role.MANAGER, *OPERATORS))]
"""Who may see what was shared with customers: managers (their own shares) and ops."""
OPS_ONLY_AT_THE_GATEWAY = {"x-cheyou-roles": ["ops", "admin"]}
"""An operation's ``openapi_extra``: the gateway lets only ops and admin (and services) call it."""

MEMBER_DATA_READERS = frozenset({Role.OPS, Role.ADMIN, Role.SERVICE})
"""Who reads any member's inbox and preferences; only services write them for a member."""


def check_member(principal: Principal, member_id: str, *, write: bool = False) -> None:
    """A member reaches only their own data; ops, admin and services read anyone's, services write it.
    404 for anyone else, so ids cannot be probed."""
    staff = frozenset({Role.SERVICE}) if write else MEMBER_DATA_READERS
    auth.ensure_member_or_staff(principal, member_id, staff=staff, not_found=MemberNotFound)
