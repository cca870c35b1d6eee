"""The internal identity token: the gateway signs who is asking, every service verifies it.

Ed25519 (EdDSA) keeps the signing key in the gateway alone: a service that is compromised can read
identities but cannot mint them. Tokens are short-lived and bound to the service they are sent to.

Each token is good for **one request**: a service records its ``jti`` in Redis (``SET NX`` until the
token expires) and refuses it the second time. A token copied off the wire, out of a log or a trace is
worth nothing once used. (Binding it to method and path instead would still let the same request be
replayed — a second ``POST .../redemptions`` with another body.) Nothing else re-sends a token: the
gateway signs a new one for each attempt, retries included, and services never forward a token.
While Redis is down the ``jti`` is still kept in the process (``LocalOnceSet``): a replay to the same
replica is refused, one to another replica is not, for at most the token's minute (``cheyou_degraded``
counts each such request).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Coroutine
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import Depends, Request
from pydantic import BaseModel
from redis.asyncio import Redis

from cheyou_kit.dependencies import REDIS_UNREACHABLE, LocalOnceSet, degraded
from cheyou_kit.errors import Forbidden, Unauthorized

IDENTITY_HEADER = "X-Cheyou-Identity"
ISSUER = "cheyou-gateway"
ALGORITHM = "EdDSA"


class Role(StrEnum):
    MEMBER = "member"
    REVIEWER = "reviewer"
    MANAGER = "manager"
    SURVEYOR = "surveyor"
    OPS = "ops"
    ADMIN = "admin"
    MERCHANT = "merchant"
    SERVICE = "service"


STAFF_ROLES = frozenset({Role.REVIEWER, Role.MANAGER, Role.SURVEYOR, Role.OPS, Role.ADMIN})


class Principal(BaseModel):
    """Who is asking: one subject with one role, and the id that role is scoped by."""

    subject: str
    role: Role
    member_id: uuid.UUID | None = None
    staff_id: str | None = None
    merchant_id: uuid.UUID | None = None
    merchant_user_id: uuid.UUID | None = None
    """The merchant user behind a merchant principal (signed in at the gateway, or owning the API key)."""
    merchant_role: str | None = None
    """That user's role at the merchant (merchant_admin, dispatcher, technician, integration)."""
    verified_phone: str | None = None
    """A mobile number the gateway proved this caller controls (an SMS code): an applicant's, who has
    no member id yet; the registration must be for this number."""

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


def generate_keypair(directory: Path) -> tuple[Path, Path]:
    """Write a new Ed25519 key pair as PEM files (for dev and tests); returns (private, public)."""
    directory.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    private_path, public_path = directory / "internal-token.key", directory / "internal-token.pub"
    private_path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    private_path.chmod(0o600)
    public_path.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private_path, public_path


class IdentitySigner:
    """Used by the gateway only."""

    def __init__(self, private_key_pem: bytes, ttl_seconds: int = 60) -> None:
        key = serialization.load_pem_private_key(private_key_pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the internal token key must be an Ed25519 private key")
        self._key = key
        self._ttl = ttl_seconds

    def sign(self, principal: Principal, audience: str) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": audience,
            "iat": now,
            "exp": now + self._ttl,
            "jti": uuid.uuid4().hex,
            **principal.model_dump(mode="json", exclude_none=True),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)


LEEWAY_SECONDS = 5


class IdentityTokenReused(Unauthorized):
    slug = "identity-token-reused"
    title = "This identity token was already used"


class IdentityVerifier:
    """Checks the signature, audience, issuer and lifetime; with ``redis``, also that the token is new."""

    def __init__(self, public_key_pem: bytes, audience: str, redis: Redis | None = None) -> None:
        key = serialization.load_pem_public_key(public_key_pem)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the internal token key must be an Ed25519 public key")
        self._key = key
        self._audience = audience
        self._redis = redis
        self._local = LocalOnceSet()  # while Redis is down: this process still refuses a second use

    def _claims(self, token: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "aud", "iss", "jti"]},
                leeway=LEEWAY_SECONDS,
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid identity token: {exc}") from exc
        return claims

    def verify(self, token: str) -> Principal:
        """The signed principal (no replay check: for callers that keep no state)."""
        return Principal.model_validate(self._claims(token))

    async def verify_once(self, token: str) -> Principal:
        """The signed principal, when this token's ``jti`` was not seen before (401 on its second use)."""
        claims = self._claims(token)
        if self._redis is not None:
            jti = str(claims["jti"])
            if not jti or len(jti) > 64:
                raise Unauthorized("invalid identity token: a bad jti")
            ttl = max(1, int(claims["exp"]) - int(time.time()) + LEEWAY_SECONDS)
            key = f"idt:{{{self._audience}}}:{jti}"
            try:
                fresh = await self._redis.set(key, b"1", nx=True, ex=ttl)
            except REDIS_UNREACHABLE as exc:
                degraded("identity_replay_guard", "fallback", exc)
                fresh = True
            # Kept in process too, so a replay to this process is refused while Redis is down.
            fresh = self._local.add(key, ttl) and bool(fresh)
            if not fresh:
                raise IdentityTokenReused()
        return Principal.model_validate(claims)


async def get_principal(request: Request) -> Principal:
    verifier: IdentityVerifier | None = getattr(request.app.state, "identity_verifier", None)
    token = request.headers.get(IDENTITY_HEADER)
    if verifier is None or not token:
        raise Unauthorized("requests must come through the gateway")
    return await verifier.verify_once(token)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency that lets only the given roles through (function-level authorization)."""
    allowed = frozenset(roles)

    async def dependency(principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(f"role {principal.role} may not do this")
        return principal

    return dependency
