"""Function-level authorization at the gateway: which roles may reach which part of the API at all.

This is a coarse first wall; every service still checks each object (a member's own claims, a
manager's own customers…). Both sources are the services' own declarations, read from their OpenAPI
documents (no role list is kept here):
- the roles that may reach each path segment (``x-cheyou-audiences``, declared in each service's
  ``auth.py`` as ``GATEWAY_AUDIENCES`` and published by ``cheyou_kit.auth.publish_audiences``);
- ``x-cheyou-roles`` on an operation, when the service declares it.
Services (role ``service``) pass this wall; they are checked by the service they call.
"""

from __future__ import annotations

from cheyou_kit.identity import Principal, Role

from gateway.proxy.errors import RoleNotAllowed
from gateway.upstreams.routing import Operation


def authorize(
    principal: Principal, segment: str, audience: frozenset[str], operation: Operation | None
) -> None:
    """``audience``: the roles the segment's service lets reach it."""
    role = principal.role
    denied = role is not Role.SERVICE and (
        role.value not in audience
        or (operation is not None and operation.roles is not None and role.value not in operation.roles)
    )
    if denied:
        raise RoleNotAllowed(
            f"role {role} may not call {operation.method if operation else ''} /api/v1/{segment}…"
        )
