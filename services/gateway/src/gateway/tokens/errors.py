"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Unauthorized


class InvalidToken(Unauthorized):
    slug = "invalid-token"
    title = "The token is not valid"


class TokenRevoked(Unauthorized):
    slug = "token-revoked"
    title = "The session was signed out or revoked"


class RefreshTokenReused(Unauthorized):
    slug = "refresh-token-reused"
    title = "A refresh token was used twice; the session is revoked"
