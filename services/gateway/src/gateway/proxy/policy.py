"""Function-level authorization at the gateway: which roles may reach which part of the API at all.

This is a coarse first wall; every service still checks each object (a member's own claims, a
manager's own customers…). Two sources, both enforced:
- the segment policy below (what a role has no business touching, whatever the operation);
- ``x-cheyou-roles`` on an operation in a service's OpenAPI document, when the service declares it.
"""

from __future__ import annotations

from cheyou_kit.identity import STAFF_ROLES, Principal, Role

from gateway.proxy.errors import RoleNotAllowed
from gateway.upstreams.routing import Operation

# Staff tools, the core-system and outside feeds, campaign machinery and the merchant integration surface.
MEMBER_DENIED = frozenset(
    {
        "policy-feed",
        "member-reports",
        "claim-reports",
        "targets",
        "visits",
        "templates",
        "campaigns",
        "publications",
        "audience",
        "reminders",
        "sms-receipts",
        "sms-replies",
        "feeds",
        "feed-webhooks",
        "merchant-api-keys",
        "webhook-endpoints",
        "webhook-messages",
        "merchant-api",
    }
)
# An API key opens the merchant's side of the platform and nothing else.
MERCHANT_ALLOWED = frozenset(
    {
        "merchant-api",
        "merchants",
        "fulfilments",
        "coupons",
        "webhook-endpoints",
        "webhook-messages",
        "accountability",
    }
)
# Staff act through their tools, never as a merchant.
STAFF_DENIED = frozenset({"merchant-api"})


def authorize(principal: Principal, segment: str, operation: Operation | None) -> None:
    role = principal.role
    denied = (
        (role is Role.MEMBER and segment in MEMBER_DENIED)
        or (role is Role.MERCHANT and segment not in MERCHANT_ALLOWED)
        or (role in STAFF_ROLES and segment in STAFF_DENIED)
    )
    if not denied and operation is not None and operation.roles is not None:
        denied = role.value not in operation.roles and role is not Role.SERVICE
    if denied:
        raise RoleNotAllowed(
            f"role {role} may not call {operation.method if operation else ''} /api/v1/{segment}…"
        )
