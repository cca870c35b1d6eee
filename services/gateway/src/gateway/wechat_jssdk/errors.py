"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import BadRequest


class UrlNotOurs(BadRequest):
    slug = "jssdk-url-invalid"
    title = "Only pages of this site get a JS-SDK signature"
