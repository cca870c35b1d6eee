"""Personal data at rest: member-svc's binding of the platform field cipher, lookup hashes and member codes.

The encryption itself is :mod:`cheyou_events.fieldcrypt` (AES-256-GCM under ``MEMBER_PII_KEY``, which
may list several keys to rotate: the first writes, all read). Each ciphertext is bound to its member and
field through the associated data ``member:<id>:<field>``, so a value copied into another row or column
does not decrypt; rows written before hold ``0x01 ‖ nonce ‖ ciphertext`` and still decrypt. Lookups
never decrypt: the ID number and the phone are found by HMAC-SHA256 under a second key
(``MEMBER_PII_HASH_KEY``; the core policy system shares it to send ``holder_id_hash``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import time
import uuid
from pathlib import Path

from cheyou_events.fieldcrypt import BlindIndex, FieldCipher, Keyring, LegacyFormat
from cheyou_kit.production import UnsafeProductionSettings

from member_svc.config import Settings

log = logging.getLogger(__name__)


class InvalidCardCode(ValueError):
    """The member code is malformed, forged or expired."""


class PiiCipher:
    def __init__(self, keyring: Keyring, hash_key: bytes) -> None:
        self._cipher = FieldCipher(keyring, legacy=LegacyFormat.VERSION_BYTE)
        self._index = BlindIndex(hash_key, name="MEMBER_PII_HASH_KEY")
        self._card_key = hmac.new(hash_key, b"cheyou member card code", hashlib.sha256).digest()

    @classmethod
    def from_settings(cls, settings: Settings) -> PiiCipher:
        if settings.pii_key and settings.pii_hash_key:
            keyring = Keyring.from_setting(settings.pii_key, name="MEMBER_PII_KEY")
            return cls(keyring, base64.b64decode(settings.pii_hash_key))
        if settings.environment == "production":  # never generate (and write) keys there
            raise UnsafeProductionSettings("MEMBER_PII_KEY and MEMBER_PII_HASH_KEY must be set in production")
        key, hash_key = _dev_keys(settings.dev_key_file)
        return cls(Keyring([key], name="the development MEMBER_PII_KEY"), hash_key)

    def encrypt(self, member_id: uuid.UUID, field: str, value: str) -> bytes:
        """The column value: the field cipher's ASCII text, as bytes (the columns are ``bytea``)."""
        return self._cipher.encrypt(value, aad=_aad(member_id, field)).encode()

    def decrypt(self, member_id: uuid.UUID, field: str, blob: bytes) -> str:
        return self._cipher.decrypt(blob, aad=_aad(member_id, field))

    def lookup_hash(self, value: str) -> str:
        """HMAC-SHA256 (hex) of a normalised value: what ``holder_id_hash`` in the policy feed carries."""
        return self._index.digest(value)

    def card_code(self, member_id: uuid.UUID, ttl_seconds: int, now: float | None = None) -> str:
        """A short-lived signed code for the member card's QR: ``CY1.<member>.<expiry>.<signature>``.

        The expiry moves in steps of half the lifetime: a member's code — and the QR drawn from it,
        which ``qr.card_png`` keeps — stays the same for half its lifetime, and every code handed out is
        valid for more than half of it (issue 20: drawing the QR was the Me page's costliest part)."""
        step = max(1, ttl_seconds // 2)
        expires = (int(now or time.time()) // step) * step + ttl_seconds
        body = f"CY1.{member_id.hex}.{expires}"
        return f"{body}.{self._sign(body)}"

    def read_card_code(self, code: str, now: float | None = None) -> uuid.UUID:
        parts = code.split(".")
        if len(parts) != 4 or parts[0] != "CY1":
            raise InvalidCardCode("not a member code")
        body = ".".join(parts[:3])
        if not hmac.compare_digest(self._sign(body), parts[3]):
            raise InvalidCardCode("the member code's signature is wrong")
        if int(parts[2]) < (now or time.time()):
            raise InvalidCardCode("the member code has expired")
        return uuid.UUID(hex=parts[1])

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._card_key, body.encode(), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _aad(member_id: uuid.UUID, field: str) -> bytes:
    return f"member:{member_id}:{field}".encode()


def _dev_keys(path: Path) -> tuple[bytes, bytes]:
    if path.exists():
        stored = json.loads(path.read_text())
        log.warning("MEMBER_PII_KEY / MEMBER_PII_HASH_KEY are not set: using development keys from %s", path)
        return base64.b64decode(stored["pii_key"]), base64.b64decode(stored["pii_hash_key"])
    key, hash_key = os.urandom(32), os.urandom(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"pii_key": base64.b64encode(key).decode(), "pii_hash_key": base64.b64encode(hash_key).decode()}
        )
    )
    path.chmod(0o600)
    log.warning(
        "MEMBER_PII_KEY / MEMBER_PII_HASH_KEY are not set: generated development keys in %s "
        "(never use them in production)",
        path,
    )
    return key, hash_key
