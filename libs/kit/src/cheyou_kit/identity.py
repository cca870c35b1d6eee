"""The internal identity token: the gateway signs who is asking, every service verifies it.

Ed25519 (EdDSA) keeps the signing key in the gateway alone: a service that is compromised can read
identities but cannot mint them. A token lives a minute and is bound to the service it is sent to and to
**one request line**: its method, its path and (a SHA-256 of) its query string. A token copied off the
wire, out of a log or a trace opens nothing but that request line — not another member's claim, not a
``POST`` where a ``GET`` was signed, not another page of a list — and nothing after its minute.

Checking it needs nothing but the public key: no Redis, no state shared between replicas, so a service
keeps authenticating requests while Redis is down (issue 23). What it does not stop: the very same
request line sent again within the minute by someone who read the token inside the cluster (a second
``POST …/redemptions`` with another body). Only the gateway reaches a service (network policy), and
operations that must not happen twice keep their own ``Idempotency-Key``.

The gateway signs each attempt (retries included) from the request it is about to send; services never
forward a token.

What a verified principal may do is :mod:`cheyou_kit.auth`'s (``PrincipalDep``, ``require_roles``, the
common object rules).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from enum import StrEnum
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel

from cheyou_kit.errors import Unauthorized

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

    @property
    def actor_id(self) -> str:
        """Who did it, for audit columns and "by" fields: the staff username when there is one, else the
        subject (a member, a merchant user or key, a service)."""
        return self.staff_id or self.subject


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


def query_digest(query: bytes) -> str:
    """The hex SHA-256 of a raw (still percent-encoded) query string, as sent and as received."""
    return hashlib.sha256(query).hexdigest()


class IdentitySigner:
    """Used by the gateway only."""

    def __init__(self, private_key_pem: bytes, ttl_seconds: int = 60) -> None:
        key = serialization.load_pem_private_key(private_key_pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the internal token key must be an Ed25519 private key")
        self._key = key
        self._ttl = ttl_seconds

    def sign(self, principal: Principal, audience: str, *, method: str, path: str, query: bytes = b"") -> str:
        """A token for one request to ``audience``: ``method``, ``path`` (percent-decoded, as the service's
        ASGI scope has it) and the raw ``query`` bytes of the request about to be sent."""
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": audience,
            "iat": now,
            "exp": now + self._ttl,
            "jti": uuid.uuid4().hex,
            "htm": method.upper(),
            "htp": path,
            "hqs": query_digest(query),
            **principal.model_dump(mode="json", exclude_none=True),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)


LEEWAY_SECONDS = 5
BINDING_CLAIMS = ("htm", "htp", "hqs")
"""The request line a token is for: method, path, SHA-256 of the query string."""


class IdentityTokenMisdirected(Unauthorized):
    slug = "identity-token-misdirected"
    title = "This identity token was signed for another request"


class IdentityVerifier:
    """Checks the signature, audience, issuer, lifetime and the request line the token was signed for."""

    def __init__(self, public_key_pem: bytes, audience: str) -> None:
        key = serialization.load_pem_public_key(public_key_pem)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the internal token key must be an Ed25519 public key")
        self._key = key
        self._audience = audience

    def verify(self, token: str, *, method: str, path: str, query: bytes) -> Principal:
        """The signed principal, when the token was signed for this method, path and query string."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "aud", "iss", *BINDING_CLAIMS]},
                leeway=LEEWAY_SECONDS,
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid identity token: {exc}") from exc
        signed_for = (claims["htm"], claims["htp"], claims["hqs"])
        if signed_for != (method.upper(), path, query_digest(query)):
            raise IdentityTokenMisdirected(
                f"the identity token was signed for {claims['htm']} {claims['htp']} (and its query), "
                f"not for {method.upper()} {path}"
            )
        return Principal.model_validate(claims)
