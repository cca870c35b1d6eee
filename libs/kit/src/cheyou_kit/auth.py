"""Authorization: who may do what. The rules every service shares are here, once; each service states
its own in ``<service>/auth.py`` on top of them, and its routers import their dependencies from there.

Who is asking arrives signed by the gateway (:mod:`cheyou_kit.identity`); :data:`PrincipalDep` verifies
it. Then, from coarse to fine:

1. **The gateway's first wall** — which roles may reach a part of the API (``/api/v1/<segment>``) at
   all. A service declares it per segment (:func:`publish_audiences`, in its ``auth.py`` as
   ``GATEWAY_AUDIENCES``); its OpenAPI document carries it (``x-cheyou-audiences``) and the gateway
   enforces it. A segment the service does not name serves :data:`MEMBERS_AND_STAFF`.
2. **Function level** — :func:`require_roles`: a role outside the route's set is a 403.
3. **Object level** — the common rules:

   * a member reaches only their own things, the staff the rule names anyone's, and everyone else is
     told the id is not known (404, not 403: whether an id exists must not leak) —
     :func:`ensure_member_or_staff`, :func:`is_member`, :func:`acting_member`;
   * a customer manager reaches only their own customers — :func:`manages`;
   * a merchant reaches only its own objects, ops and admin every merchant's (404 otherwise) —
     :func:`ensure_merchant_access`, :func:`merchant_of`.

Audit columns record :attr:`Principal.actor_id` (the staff username when there is one).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Coroutine, Mapping
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request

from cheyou_kit.errors import Forbidden, NotFound, Unauthorized
from cheyou_kit.identity import IDENTITY_HEADER, STAFF_ROLES, IdentityVerifier, Principal, Role

__all__ = [
    "AUDIENCES_EXTENSION",
    "MEMBERS_AND_STAFF",
    "OPERATORS",
    "STAFF_ROLES",
    "Principal",
    "PrincipalDep",
    "Role",
    "acting_member",
    "audiences_of",
    "ensure_member_or_staff",
    "ensure_merchant_access",
    "get_principal",
    "is_member",
    "manages",
    "merchant_of",
    "publish_audiences",
    "require_roles",
]

OPERATORS = frozenset({Role.OPS, Role.ADMIN})
"""The roles that run the club: ops, and admin who may do anything ops may."""


async def get_principal(request: Request) -> Principal:
    """The caller the gateway signed for this very request line (401 for anything else)."""
    verifier: IdentityVerifier | None = getattr(request.app.state, "identity_verifier", None)
    token = request.headers.get(IDENTITY_HEADER)
    if verifier is None or not token:
        raise Unauthorized("requests must come through the gateway")
    return verifier.verify(
        token, method=request.method, path=request.scope["path"], query=request.scope.get("query_string", b"")
    )


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency that lets only the given roles through (function-level authorization; 403)."""
    allowed = frozenset(roles)

    async def dependency(principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(f"role {principal.role} may not do this")
        return principal

    return dependency


# --- a member's own things ---------------------------------------------------------------------------


def is_member(principal: Principal, member_id: uuid.UUID | str) -> bool:
    """The caller is the member ``member_id`` themself."""
    return (
        principal.role is Role.MEMBER
        and principal.member_id is not None
        and str(principal.member_id) == str(member_id)
    )


def ensure_member_or_staff(
    principal: Principal,
    member_id: uuid.UUID | str,
    *,
    staff: Collection[Role],
    not_found: type[NotFound] = NotFound,
    refuse_other_roles: str | None = None,
) -> None:
    """A member reaches only their own ``member_id``; the ``staff`` roles reach anyone's. Anyone else is
    told the member is not known (``not_found``, a 404), so ids cannot be probed.

    ``refuse_other_roles``: a role that is neither a member nor among ``staff`` gets a 403 with this
    detail instead — for things no such role ever reads (a member probing ids still gets the 404)."""
    if is_member(principal, member_id) or principal.role in staff:
        return
    if refuse_other_roles is not None and principal.role is not Role.MEMBER:
        raise Forbidden(refuse_other_roles)
    raise not_found(f"member {member_id} is not known")


def acting_member(principal: Principal) -> uuid.UUID:
    """The member a member principal is (members act only for themselves; 403 for anyone else)."""
    if principal.role is not Role.MEMBER or principal.member_id is None:
        raise Forbidden("only a member can do this, for themself")
    return principal.member_id


# --- a manager's own customers -----------------------------------------------------------------------


def manages(principal: Principal, manager_id: str | None) -> bool:
    """The caller is the customer manager ``manager_id`` (the one a customer is assigned to)."""
    return (
        principal.role is Role.MANAGER and principal.staff_id is not None and principal.staff_id == manager_id
    )


# --- a merchant's own objects ------------------------------------------------------------------------


def merchant_of(principal: Principal) -> uuid.UUID:
    """The merchant a ``merchant`` principal acts for (the gateway sets it; 403 for anyone else)."""
    if principal.role is not Role.MERCHANT or principal.merchant_id is None:
        raise Forbidden("only a merchant may call the merchant API")
    return principal.merchant_id


def ensure_merchant_access(principal: Principal, merchant_id: uuid.UUID, what: str = "merchant") -> None:
    """Ops and admin reach every merchant's objects, a merchant its own; anyone else gets a 404 (not a
    403), so ids cannot be probed."""
    if principal.role in OPERATORS:
        return
    if principal.role is Role.MERCHANT and principal.merchant_id == merchant_id:
        return
    raise NotFound(f"{what} is not known")


# --- the gateway's first wall ------------------------------------------------------------------------

AUDIENCES_EXTENSION = "x-cheyou-audiences"
"""The key, at the top of a service's OpenAPI document, of the roles that may reach each of its segments."""

MEMBERS_AND_STAFF = frozenset({Role.MEMBER, *STAFF_ROLES})
"""Who may reach a segment its service does not name: members and staff, not merchants."""

_PREFIX = "/api/v1/"


def _segments(document: Mapping[str, Any]) -> set[str]:
    return {
        path[len(_PREFIX) :].split("/", 1)[0]
        for path in document.get("paths", {})
        if path.startswith(_PREFIX)
    }


def publish_audiences(app: FastAPI, audiences: Mapping[str, Collection[Role]]) -> None:
    """State in the app's OpenAPI document which roles the gateway lets reach each of its segments
    (``/api/v1/<segment>``): ``audiences`` for the ones it names, :data:`MEMBERS_AND_STAFF` for the rest.
    Services (role ``service``) pass the gateway whatever this says."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = app.openapi_schema or build()
        if AUDIENCES_EXTENSION not in document:
            served = _segments(document)
            unknown = set(audiences) - served
            if unknown:
                raise ValueError(f"audiences named for segments this app does not serve: {sorted(unknown)}")
            document[AUDIENCES_EXTENSION] = {
                segment: sorted(role.value for role in audiences.get(segment, MEMBERS_AND_STAFF))
                for segment in sorted(served)
            }
            app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the document


def audiences_of(document: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """What :func:`publish_audiences` put in a document: segment → the roles (values) that may reach it."""
    declared = document.get(AUDIENCES_EXTENSION)
    if not isinstance(declared, dict):
        return {}
    return {
        segment: frozenset(str(role) for role in roles)
        for segment, roles in declared.items()
        if isinstance(segment, str) and isinstance(roles, list)
    }
