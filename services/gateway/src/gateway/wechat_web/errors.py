"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import BadRequest


class InvalidRedirect(BadRequest):
    slug = "wechat-redirect-invalid"
    title = "The page to come back to is not on this site"


class InvalidState(BadRequest):
    slug = "wechat-state-invalid"
    title = "The WeChat sign-in was not started here, expired or was already used; start again"
