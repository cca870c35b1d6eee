"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, NotFound, Unprocessable


class RewardNotFound(NotFound):
    slug = "reward-not-found"
    title = "No such reward"


class RedemptionNotFound(NotFound):
    slug = "redemption-not-found"
    title = "No such redemption"


class SoldOut(Conflict):
    slug = "sold-out"
    title = "The reward is sold out"


class NotOnSale(Conflict):
    slug = "not-on-sale"
    title = "The reward cannot be redeemed now"


class NotForTier(Unprocessable):
    slug = "reward-not-for-tier"
    title = "The member's tier cannot redeem this reward"


class LimitReached(Conflict):
    slug = "per-member-limit-reached"
    title = "The member already redeemed as many as allowed"


class DeliveryAddressRequired(Unprocessable):
    slug = "delivery-address-required"
    title = "Goods need a delivery address"


class IdempotencyKeyReused(Unprocessable):
    slug = "idempotency-key-reused"
    title = "The Idempotency-Key was already used for a different request"


class InvalidTransition(Conflict):
    slug = "invalid-redemption-transition"
    title = "The redemption cannot move to that status"
