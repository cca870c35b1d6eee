"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import BadRequest, Conflict, NotFound, Unprocessable


class MemberIdRequired(BadRequest):
    slug = "member-id-required"
    title = "Name the member whose coupons to list"


class BatchNotFound(NotFound):
    slug = "coupon-batch-not-found"
    title = "Coupon batch not found"


class CouponNotFound(NotFound):
    slug = "coupon-not-found"
    title = "Coupon not found"


class CouponAlreadyRedeemed(Conflict):
    slug = "coupon-already-redeemed"
    title = "The coupon was already redeemed"


class CouponNotValidNow(Unprocessable):
    slug = "coupon-not-valid-now"
    title = "The coupon is not valid at this time"


class BatchExhausted(Conflict):
    slug = "coupon-batch-exhausted"
    title = "Not enough coupons left in the batch"


class MemberLimitReached(Conflict):
    slug = "coupon-member-limit"
    title = "The member already holds the most coupons of this batch allowed"


class BatchClosed(Conflict):
    slug = "coupon-batch-closed"
    title = "The batch can no longer be issued"
