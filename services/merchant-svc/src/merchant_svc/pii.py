"""Names and phones at rest (merchant users, merchants' contacts): AES-256-GCM, masked on the way out.

Each ciphertext is bound to its owner and field through the associated data, so a value copied into
another row or column does not decrypt. The key is ``MERCHANT_PII_KEY`` (base64 of 32 bytes); the
default is for dev and tests only.
"""

from __future__ import annotations

import base64
import os
import uuid
from functools import lru_cache
from typing import Annotated

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import Depends

from merchant_svc.config import SettingsDep

_VERSION = b"\x01"
_NONCE_BYTES = 12


class PiiCipher:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("MERCHANT_PII_KEY must be base64 of exactly 32 bytes")
        self._aead = AESGCM(key)

    def encrypt(self, owner: str, owner_id: uuid.UUID, field: str, value: str) -> bytes:
        """``owner`` names the table (``merchant``, ``merchant-user``) and ``owner_id`` its row."""
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + nonce + self._aead.encrypt(nonce, value.encode(), _aad(owner, owner_id, field))

    def decrypt(self, owner: str, owner_id: uuid.UUID, field: str, blob: bytes) -> str:
        if blob[:1] != _VERSION:
            raise ValueError("unknown PII ciphertext version")
        nonce, sealed = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        return self._aead.decrypt(nonce, sealed, _aad(owner, owner_id, field)).decode()


def _aad(owner: str, owner_id: uuid.UUID, field: str) -> bytes:
    return f"{owner}:{owner_id}:{field}".encode()


@lru_cache(maxsize=4)
def cipher_for(key_b64: str) -> PiiCipher:
    return PiiCipher(base64.b64decode(key_b64))


def _cipher(settings: SettingsDep) -> PiiCipher:
    return cipher_for(settings.pii_key)


CipherDep = Annotated[PiiCipher, Depends(_cipher)]
