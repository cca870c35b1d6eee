"""Who may do what in merchant-svc, in one place (on the kit's rules, ``cheyou_kit.auth``): ops and admin
act on every merchant, a merchant on its own objects only (another merchant's are "not found"), members
on their own coupons. Who acts *at* a merchant (its users' roles) is ``users/auth.py``'s.

At the gateway, a merchant reaches its side of the platform and nothing else: the merchant API (its
own), its record, fulfilments, coupons, webhooks and accountability cases.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from cheyou_kit.auth import (
    MEMBERS_AND_STAFF,
    OPERATORS,
    STAFF_ROLES,
    Principal,
    PrincipalDep,
    Role,
    is_member,
    merchant_of,
    require_roles,
)
from cheyou_kit.auth import ensure_merchant_access as ensure_merchant_access
from cheyou_kit.errors import NotFound
from fastapi import Depends

GATEWAY_AUDIENCES: dict[str, frozenset[Role]] = {
    "merchant-api": frozenset({Role.MERCHANT}),
    "merchant-api-keys": STAFF_ROLES,
    "webhook-endpoints": STAFF_ROLES | {Role.MERCHANT},
    "webhook-messages": STAFF_ROLES | {Role.MERCHANT},
    **dict.fromkeys(
        ("merchants", "fulfilments", "coupons", "accountability"), MEMBERS_AND_STAFF | {Role.MERCHANT}
    ),
}
"""The rest (service points, the gateway's merchant-user look-ups) serves members and staff."""

OpsDep = Annotated[Principal, Depends(require_roles(*OPERATORS))]
OpsOrMerchantDep = Annotated[Principal, Depends(require_roles(*OPERATORS, Role.MERCHANT))]
MemberOrOpsDep = Annotated[Principal, Depends(require_roles(Role.MEMBER, *OPERATORS))]
OpsOrServiceDep = Annotated[Principal, Depends(require_roles(*OPERATORS, Role.SERVICE))]
ServiceDep = Annotated[Principal, Depends(require_roles(Role.SERVICE))]
FinderDep = Annotated[Principal, Depends(require_roles(Role.MEMBER, Role.MANAGER, *OPERATORS))]
"""Who may look for service points near them: members, managers with a customer, ops."""
GATEWAY_ONLY = {"x-cheyou-roles": ["service"]}
"""An operation's ``openapi_extra``: only services (the gateway's own look-ups) may call it."""


async def _merchant_principal(principal: PrincipalDep) -> Principal:
    merchant_of(principal)
    return principal


MerchantDep = Annotated[Principal, Depends(_merchant_principal)]
"""A merchant, through its API key or a signed-in merchant user."""


def merchant_scope(principal: Principal, named: uuid.UUID | None) -> uuid.UUID | None:
    """Whose objects a list shows: a merchant sees only its own, whatever it named; ops and admin the
    merchant they name, or every merchant's (None)."""
    if principal.role is Role.MERCHANT:
        return principal.merchant_id
    return named


def ensure_coupon_holder(principal: Principal, member_id: uuid.UUID | str) -> None:
    """A member reaches only their own coupons, ops and admin anyone's; anyone else is told the coupon is
    not known (404, not 403): the answer says neither whether it exists nor whose it is."""
    if is_member(principal, member_id) or principal.role in OPERATORS:
        return
    raise NotFound("coupon is not known")


KEY_SUBJECT_PREFIX = "merchant-key:"
"""The subject the gateway gives a merchant principal when merchant-svc's key verification names one."""


def key_of(principal: Principal) -> uuid.UUID | None:
    """The API key a merchant principal presented, when the gateway passed it on (else ``None``)."""
    if not principal.subject.startswith(KEY_SUBJECT_PREFIX):
        return None
    try:
        return uuid.UUID(principal.subject.removeprefix(KEY_SUBJECT_PREFIX))
    except ValueError:
        return None


USER_SUBJECT_PREFIX = "merchant-user:"
"""The subject of a merchant user signed in at the gateway (phone and SMS code) rather than by an API key."""


def user_of(principal: Principal) -> uuid.UUID | None:
    """The merchant user a signed-in merchant principal is (else ``None``: an API key, or ops)."""
    if not principal.subject.startswith(USER_SUBJECT_PREFIX):
        return None
    try:
        return uuid.UUID(principal.subject.removeprefix(USER_SUBJECT_PREFIX))
    except ValueError:
        return None
