"""Public tokens: short-lived access JWTs and rotating refresh tokens, revoked through Redis.

An access token is an HS256 JWT signed with the gateway's own key (never the internal-token key), bound
to a *session family*. A refresh token is ``<family>.<secret>``; Redis keeps the hash of the one current
token of each family and the hashes of the tokens it replaced. Presenting a replaced token again means
it leaked: the whole family is revoked, and so are the access tokens issued from it.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cheyou_kit.identity import Principal
from redis.asyncio import Redis

from gateway.tokens.errors import InvalidToken, RefreshTokenReused, TokenRevoked

ISSUER = "cheyou-gateway"
AUDIENCE = "cheyou-api"
ALGORITHM = "HS256"

_ROTATE = """
local current = redis.call('HGET', KEYS[1], 'current')
if not current then return {'missing'} end
if current == ARGV[1] then
  redis.call('HSET', KEYS[1], 'current', ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  return {'rotated', redis.call('HGET', KEYS[1], 'principal')}
end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('SET', KEYS[3], '1', 'EX', ARGV[4])
  return {'reused'}
end
return {'invalid'}
"""


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    principal: Principal


@dataclass(frozen=True)
class Session:
    """A verified access token: who, and the session family it belongs to."""

    principal: Principal
    family: str
    expires_at: int


def _family_key(family: str) -> str:
    # The hash tag keeps a family's keys in one Redis Cluster slot, as the rotation script needs.
    return f"gw:rf:{{{family}}}"


def _used_key(family: str) -> str:
    return f"gw:rf:{{{family}}}:used"


def revoked_key(family: str) -> str:
    return f"gw:rf:{{{family}}}:revoked"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenService:
    def __init__(self, redis: Redis, key: bytes, access_ttl: int, refresh_ttl: int) -> None:
        self._redis = redis
        self._key = key
        self._access_ttl = access_ttl
        self._refresh_ttl = refresh_ttl
        self._rotate = redis.register_script(_ROTATE)

    def _access_token(self, principal: Principal, family: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + self._access_ttl,
            "jti": uuid.uuid4().hex,
            "sid": family,
            "sub": principal.subject,
            "role": principal.role.value,
        }
        for name in ("member_id", "staff_id", "merchant_id", "merchant_user_id", "merchant_role"):
            value = getattr(principal, name)
            if value is not None:
                claims[name] = str(value)
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    async def issue(self, principal: Principal) -> TokenPair:
        """A new session family for someone who just proved who they are."""
        family = uuid.uuid4().hex
        refresh = f"{family}.{secrets.token_urlsafe(32)}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                _family_key(family),
                mapping={"current": _digest(refresh), "principal": principal.model_dump_json()},
            )
            pipe.expire(_family_key(family), self._refresh_ttl)
            await pipe.execute()
        return TokenPair(self._access_token(principal, family), refresh, self._access_ttl, principal)

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Rotate: the presented token is spent, a new one takes its place."""
        family, _, secret = refresh_token.partition(".")
        if not family or not secret:
            raise InvalidToken("malformed refresh token")
        new = f"{family}.{secrets.token_urlsafe(32)}"
        result = await self._rotate(
            keys=[_family_key(family), _used_key(family), revoked_key(family)],
            args=[_digest(refresh_token), _digest(new), self._refresh_ttl, self._access_ttl],
        )
        outcome = result[0].decode()
        if outcome == "reused":
            raise RefreshTokenReused()
        if outcome != "rotated":
            raise InvalidToken("unknown or expired refresh token")
        principal = Principal.model_validate_json(result[1])
        return TokenPair(self._access_token(principal, family), new, self._access_ttl, principal)

    async def revoke(self, family: str) -> None:
        """Sign a session out: no more refreshes, and its access tokens stop working."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(_family_key(family), _used_key(family))
            pipe.set(revoked_key(family), "1", ex=self._access_ttl)
            await pipe.execute()

    def decode(self, token: str) -> Session:
        """Check the signature, audience and expiry (no Redis round trip)."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "sid"]},
            )
            principal = Principal.model_validate(
                {"subject": claims["sub"], **{k: v for k, v in claims.items() if k != "sub"}}
            )
        except (jwt.PyJWTError, ValueError) as exc:
            raise InvalidToken(f"invalid access token: {exc}") from exc
        return Session(principal, str(claims["sid"]), int(claims["exp"]))

    async def verify(self, token: str) -> Session:
        """Decode, then make sure the session was not signed out."""
        session = self.decode(token)
        if await self._redis.exists(revoked_key(session.family)):
            raise TokenRevoked()
        return session
