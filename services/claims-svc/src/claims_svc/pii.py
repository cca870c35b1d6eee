"""The other party's phone and the driver's licence number at rest: claims-svc's binding of the field cipher.

A mainland driving-licence number is its holder's ID-card number, so both are personal data under the
platform's rules. The claim keeps the ciphertext, the masked form it shows, and — for the phone — the
last four digits the other party confirms liability with. The encryption is
:mod:`cheyou_events.fieldcrypt` (AES-256-GCM under ``CLAIMS_PII_KEY``, which may list several keys to
rotate: the first writes, all read; the default is for dev and tests only), bound to the claim and the
field through the associated data ``claim:<id>:<field>``. Claims written before hold ``v1.<base64url>``
and still decrypt.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

from cheyou_events.fieldcrypt import FieldCipher, Keyring, LegacyFormat
from cheyou_kit.masking import mask_phone, mask_tail


class PiiCipher:
    def __init__(self, keyring: Keyring) -> None:
        self._cipher = FieldCipher(keyring, legacy=LegacyFormat.V1_TEXT)

    def encrypt(self, claim_id: uuid.UUID, field: str, value: str) -> str:
        return self._cipher.encrypt(value, aad=_aad(claim_id, field))

    def decrypt(self, claim_id: uuid.UUID, field: str, text: str) -> str:
        return self._cipher.decrypt(text, aad=_aad(claim_id, field))


def _aad(claim_id: uuid.UUID, field: str) -> bytes:
    return f"claim:{claim_id}:{field}".encode()


@lru_cache(maxsize=4)
def cipher_for(pii_key: str) -> PiiCipher:
    return PiiCipher(Keyring.from_setting(pii_key, name="CLAIMS_PII_KEY"))


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
