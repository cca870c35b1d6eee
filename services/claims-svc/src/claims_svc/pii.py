"""The other party's phone and the driver's licence number at rest: claims-svc's binding of the field cipher.

A mainland driving-licence number is its holder's ID-card number, so both are personal data under the
platform's rules. The claim keeps the ciphertext and the masked form it shows (the copy of the phone's
last four digits claims used to keep was dropped by migration 0008). The phone is decrypted only to send
the other party their liability code, or to compare it with a member's own phone. The encryption is
:mod:`cheyou_events.fieldcrypt` (AES-256-GCM under ``CLAIMS_PII_KEY``, which may list several keys to
rotate: the first writes, all read; the default is for dev and tests only), bound to the claim and the
field through the associated data ``claim:<id>:<field>``. Claims written before hold ``v1.<base64url>``
and still decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from functools import lru_cache
from typing import Any

from cheyou_events.fieldcrypt import BlindIndex, FieldCipher, Keyring, LegacyFormat
from cheyou_kit.masking import mask_phone, mask_tail


class PiiCipher:
    def __init__(self, keyring: Keyring) -> None:
        self._cipher = FieldCipher(keyring, legacy=LegacyFormat.V1_TEXT)

    def encrypt(self, claim_id: uuid.UUID, field: str, value: str) -> str:
        return self._cipher.encrypt(value, aad=_aad(claim_id, field))

    def decrypt(self, claim_id: uuid.UUID, field: str, text: str) -> str:
        return self._cipher.decrypt(text, aad=_aad(claim_id, field))

    def encrypt_member_phone(self, member_id: uuid.UUID, phone: str) -> str:
        return self._cipher.encrypt(phone, aad=f"member:{member_id}:phone".encode())

    def decrypt_member_phone(self, member_id: uuid.UUID, text: str) -> str:
        return self._cipher.decrypt(text, aad=f"member:{member_id}:phone".encode())


def _aad(claim_id: uuid.UUID, field: str) -> bytes:
    return f"claim:{claim_id}:{field}".encode()


@lru_cache(maxsize=4)
def cipher_for(pii_key: str) -> PiiCipher:
    return PiiCipher(Keyring.from_setting(pii_key, name="CLAIMS_PII_KEY"))


@lru_cache(maxsize=4)
def blind_index_for(pii_key: str) -> BlindIndex:
    """A keyed hash: of a phone number, to count the codes sent to it without keeping the number; of a
    liability code, which is kept only so.

    Its key is derived from the first (writing) key of ``CLAIMS_PII_KEY``: rotating that key starts the
    per-phone sending limits afresh and voids the codes out (they live minutes, the limits a day at most).
    """
    Keyring.from_setting(pii_key, name="CLAIMS_PII_KEY")  # the same validation as the cipher's
    first = base64.b64decode(pii_key.split(",")[0].strip())
    derived = hmac.new(first, b"cheyou claims-svc phone index v1", hashlib.sha256).digest()
    return BlindIndex(derived, name="the phone index key")


def other_party_phone(cipher: PiiCipher, claim_id: uuid.UUID, stored: dict[str, Any] | None) -> str | None:
    """The other party's phone in clear (claims stored before the encryption hold it in clear)."""
    if not stored:
        return None
    encrypted = stored.get("phone_encrypted")
    if encrypted:
        return cipher.decrypt(claim_id, "other_party.phone", encrypted)
    phone = stored.get("phone")
    return str(phone) if phone else None


def seal_other_party(cipher: PiiCipher, claim_id: uuid.UUID, party: dict[str, Any]) -> dict[str, Any]:
    """The other party as stored: the phone replaced by its ciphertext and masked form."""
    stored = dict(party)
    phone = stored.pop("phone", None)
    if phone:
        stored["phone_encrypted"] = cipher.encrypt(claim_id, "other_party.phone", phone)
        stored["phone_masked"] = mask_phone(phone)
    return stored


def seal_driver(cipher: PiiCipher, claim_id: uuid.UUID, driver: dict[str, Any]) -> dict[str, Any]:
    """The driver as stored: the licence number replaced by its ciphertext and masked form."""
    stored = dict(driver)
    licence_no = stored.pop("licence_no", None)
    if licence_no:
        stored["licence_no_encrypted"] = cipher.encrypt(claim_id, "driver.licence_no", licence_no)
        stored["licence_no_masked"] = mask_tail(licence_no)
    return stored
