"""The other party's phone and the driver's licence number at rest: AES-256-GCM, masked on the way out.

A mainland driving-licence number is its holder's ID-card number, so both are personal data under the
platform's rules. The claim keeps the ciphertext (bound to the claim and the field through the
associated data), the masked form it shows, and — for the phone — the last four digits the other party
confirms liability with. The key is ``CLAIMS_PII_KEY`` (base64 of 32 bytes); the default is for dev and
tests only.
"""

from __future__ import annotations

import base64
import os
import uuid
from functools import lru_cache
from typing import Any

from cheyou_kit.masking import mask_phone, mask_tail
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = "v1."
_NONCE_BYTES = 12


class PiiCipher:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("CLAIMS_PII_KEY must be base64 of exactly 32 bytes")
        self._aead = AESGCM(key)

    def encrypt(self, claim_id: uuid.UUID, field: str, value: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = nonce + self._aead.encrypt(nonce, value.encode(), f"claim:{claim_id}:{field}".encode())
        return _VERSION + base64.urlsafe_b64encode(sealed).decode()

    def decrypt(self, claim_id: uuid.UUID, field: str, text: str) -> str:
        if not text.startswith(_VERSION):
            raise ValueError("unknown PII ciphertext version")
        raw = base64.urlsafe_b64decode(text.removeprefix(_VERSION))
        nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        return self._aead.decrypt(nonce, sealed, f"claim:{claim_id}:{field}".encode()).decode()


@lru_cache(maxsize=4)
def cipher_for(key_b64: str) -> PiiCipher:
    return PiiCipher(base64.b64decode(key_b64))


def seal_other_party(cipher: PiiCipher, claim_id: uuid.UUID, party: dict[str, Any]) -> dict[str, Any]:
    """The other party as stored: the phone replaced by its ciphertext, masked form and last four."""
    stored = dict(party)
    phone = stored.pop("phone", None)
    if phone:
        stored["phone_encrypted"] = cipher.encrypt(claim_id, "other_party.phone", phone)
        stored["phone_masked"] = mask_phone(phone)
        stored["phone_last4"] = phone[-4:]
    return stored


def seal_driver(cipher: PiiCipher, claim_id: uuid.UUID, driver: dict[str, Any]) -> dict[str, Any]:
    """The driver as stored: the licence number replaced by its ciphertext and masked form."""
    stored = dict(driver)
    licence_no = stored.pop("licence_no", None)
    if licence_no:
        stored["licence_no_encrypted"] = cipher.encrypt(claim_id, "driver.licence_no", licence_no)
        stored["licence_no_masked"] = mask_tail(licence_no)
    return stored
