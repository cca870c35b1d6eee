"""Personal data at rest: AES-256-GCM encryption, keyed lookup hashes, masks and signed member codes.

Each ciphertext is bound to its member and field through the GCM associated data, so a value copied
into another row or column does not decrypt. Lookups never decrypt: the ID number and the phone are
found by HMAC-SHA256 under a second key (the core policy system shares it to send ``holder_id_hash``).
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

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from member_svc.config import Settings

log = logging.getLogger(__name__)

_VERSION = b"\x01"
_NONCE_BYTES = 12


class InvalidCardCode(ValueError):
    """The member code is malformed, forged or expired."""


class PiiCipher:
    def __init__(self, key: bytes, hash_key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("MEMBER_PII_KEY must be base64 of exactly 32 bytes")
        if len(hash_key) < 32:
            raise ValueError("MEMBER_PII_HASH_KEY must be base64 of at least 32 bytes")
        self._aead = AESGCM(key)
        self._hash_key = hash_key
        self._card_key = hmac.new(hash_key, b"cheyou member card code", hashlib.sha256).digest()

    @classmethod
    def from_settings(cls, settings: Settings) -> PiiCipher:
        if settings.pii_key and settings.pii_hash_key:
            return cls(base64.b64decode(settings.pii_key), base64.b64decode(settings.pii_hash_key))
        return cls(*_dev_keys(settings.dev_key_file))

    def encrypt(self, member_id: uuid.UUID, field: str, value: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, value.encode(), _aad(member_id, field))
        return _VERSION + nonce + sealed

    def decrypt(self, member_id: uuid.UUID, field: str, blob: bytes) -> str:
        if blob[:1] != _VERSION:
            raise ValueError("unknown PII ciphertext version")
        nonce, sealed = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        return self._aead.decrypt(nonce, sealed, _aad(member_id, field)).decode()

    def lookup_hash(self, value: str) -> str:
        """HMAC-SHA256 (hex) of a normalised value: what ``holder_id_hash`` in the policy feed carries."""
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()

    def card_code(self, member_id: uuid.UUID, ttl_seconds: int, now: float | None = None) -> str:
        """A short-lived signed code for the member card's QR: ``CY1.<member>.<expiry>.<signature>``."""
        expires = int((now or time.time()) + ttl_seconds)
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
