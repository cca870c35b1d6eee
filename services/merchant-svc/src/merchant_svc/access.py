"""Who may act on a merchant's objects: ops and admin on every merchant, a merchant on its own only."""

from __future__ import annotations

import uuid
from typing import Annotated

from cheyou_kit.errors import Forbidden, NotFound
from cheyou_kit.identity import Principal, PrincipalDep, Role, require_roles
from fastapi import Depends

OPS_ROLES = (Role.OPS, Role.ADMIN)

OpsDep = Annotated[Principal, Depends(require_roles(*OPS_ROLES))]
OpsOrMerchantDep = Annotated[Principal, Depends(require_roles(*OPS_ROLES, Role.MERCHANT))]
ServiceDep = Annotated[Principal, Depends(require_roles(Role.SERVICE))]


def merchant_of(principal: Principal) -> uuid.UUID:
    """The merchant a ``merchant`` principal acts for (the gateway sets it from the API key)."""
    if principal.role != Role.MERCHANT or principal.merchant_id is None:
        raise Forbidden("only a merchant may call the merchant API")
    return principal.merchant_id


async def _merchant_principal(principal: PrincipalDep) -> Principal:
    merchant_of(principal)
    return principal


MerchantDep = Annotated[Principal, Depends(_merchant_principal)]


def ensure_merchant_access(principal: Principal, merchant_id: uuid.UUID, what: str = "merchant") -> None:
    """404 (not 403) for another merchant's object, so ids cannot be probed."""
    if principal.role in OPS_ROLES:
        return
    if principal.role == Role.MERCHANT and principal.merchant_id == merchant_id:
        return
    raise NotFound(f"{what} is not known")


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
