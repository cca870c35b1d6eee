"""Phone proofs: what an SMS code proves when no member has the phone yet.

``POST /auth/otp/verify`` for a phone that is no member's gives a *phone proof*, an opaque random token
that stands for "this client received a code at this number a moment ago". An applicant sends it as
``X-Phone-Proof`` with the self-registration (the gateway tells member-svc the proven number, and
member-svc registers only that number), and trades it once for tokens when the application exists
(``POST /auth/phone-proof``), so joining costs one SMS. A manager acting for a customer on the spot (a
registration, a new phone) sends the customer's proof the same way: it is held for that one request
(a second request with it meanwhile is refused) and spent when the service has done the change.

Redis keeps ``gw:proof:{sha256(token)}`` → the phone encrypted (AES-256-GCM under a key derived from the
gateway's token key, bound to the token's digest): neither the token nor the number is readable there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from redis.asyncio import Redis

from gateway.auth.errors import InvalidPhoneProof, PhoneProofInUse, PhoneProofRequired

HEADER = "x-phone-proof"


HOLD_SECONDS = 60
"""How long a proof stays held by a request that never finished (longer than any upstream timeout)."""


class PhoneProofs:
    def __init__(self, redis: Redis, secret: bytes, ttl_seconds: int) -> None:
        self._redis = redis
        self._aead = AESGCM(hmac.new(secret, b"cheyou gateway phone proof", hashlib.sha256).digest())
        self.ttl_seconds = ttl_seconds

    @staticmethod
    def _digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def tag(self, token: str) -> str:
        """A name for the proof that reveals neither it nor the phone (the applicant's subject)."""
        return self._digest(token)[:24]

    async def issue(self, phone: str) -> str:
        token = secrets.token_urlsafe(32)
        digest = self._digest(token)
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, phone.encode(), digest.encode())
        await self._redis.set(f"gw:proof:{digest}", base64.b64encode(sealed), ex=self.ttl_seconds)
        return token

    async def phone(self, token: str | None) -> str:
        """The phone the proof stands for; it stays good until spent or expired."""
        if not token:
            raise PhoneProofRequired("send the phone_proof of POST /api/v1/auth/otp/verify as X-Phone-Proof")
        digest = self._digest(token)
        stored = await self._redis.get(f"gw:proof:{digest}")
        return self._open(stored, digest)

    async def spend(self, token: str) -> None:
        """Use the proof up (a second spend of the same proof fails)."""
        digest = self._digest(token)
        deleted = await self._redis.delete(f"gw:proof:{digest}")
        await self._redis.delete(f"gw:proof-held:{digest}")
        if not deleted:
            raise InvalidPhoneProof("the phone proof was used already")

    async def hold(self, token: str) -> str:
        """The phone the proof stands for, held for one request until :meth:`spend` or :meth:`release`:
        two requests with one proof at once cannot both use it."""
        phone = await self.phone(token)
        held = await self._redis.set(f"gw:proof-held:{self._digest(token)}", b"1", nx=True, ex=HOLD_SECONDS)
        if not held:
            raise PhoneProofInUse("wait for the other request with this phone proof to finish")
        return phone

    async def release(self, token: str) -> None:
        """The request did not use the proof (the service refused it): it stays good for another try."""
        await self._redis.delete(f"gw:proof-held:{self._digest(token)}")

    def _open(self, stored: bytes | str | None, digest: str) -> str:
        if stored is None:
            raise InvalidPhoneProof()
        try:
            sealed = base64.b64decode(stored)
            return self._aead.decrypt(sealed[:12], sealed[12:], digest.encode()).decode()
        except (InvalidTag, ValueError):
            raise InvalidPhoneProof() from None
