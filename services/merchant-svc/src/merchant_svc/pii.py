"""Names and phones at rest (merchant users, merchants' contacts): merchant-svc's binding of the field cipher.

The encryption is :mod:`cheyou_events.fieldcrypt` (AES-256-GCM under ``MERCHANT_PII_KEY``, which may list
several keys to rotate: the first writes, all read; the default is for dev and tests only). Each
ciphertext is bound to its owner and field through the associated data ``<owner>:<id>:<field>``, so a
value copied into another row or column does not decrypt; rows written before hold
``0x01 ‖ nonce ‖ ciphertext`` and still decrypt.
"""

from __future__ import annotations

import base64
import uuid
from functools import lru_cache
from typing import Annotated

from cheyou_events.fieldcrypt import BlindIndex, FieldCipher, Keyring, LegacyFormat
from fastapi import Depends

from merchant_svc.config import SettingsDep


class PiiCipher:
    def __init__(self, keyring: Keyring) -> None:
        self._cipher = FieldCipher(keyring, legacy=LegacyFormat.VERSION_BYTE)

    def encrypt(self, owner: str, owner_id: uuid.UUID, field: str, value: str) -> bytes:
        """``owner`` names the table (``merchant``, ``merchant-user``) and ``owner_id`` its row.

        The column value is the field cipher's ASCII text, as bytes (the columns are ``bytea``).
        """
        return self._cipher.encrypt(value, aad=_aad(owner, owner_id, field)).encode()

    def decrypt(self, owner: str, owner_id: uuid.UUID, field: str, blob: bytes) -> str:
        return self._cipher.decrypt(blob, aad=_aad(owner, owner_id, field))


def _aad(owner: str, owner_id: uuid.UUID, field: str) -> bytes:
    return f"{owner}:{owner_id}:{field}".encode()


@lru_cache(maxsize=4)
def cipher_for(pii_key: str) -> PiiCipher:
    return PiiCipher(Keyring.from_setting(pii_key, name="MERCHANT_PII_KEY"))


async def _cipher(settings: SettingsDep) -> PiiCipher:
    return cipher_for(settings.pii_key)


CipherDep = Annotated[PiiCipher, Depends(_cipher)]


@lru_cache(maxsize=4)
def phone_index_for(pii_hash_key: str) -> BlindIndex:
    """The keyed hash that finds a merchant user by phone without decrypting (``MERCHANT_PII_HASH_KEY``)."""
    return BlindIndex(base64.b64decode(pii_hash_key), name="MERCHANT_PII_HASH_KEY")


async def _phone_index(settings: SettingsDep) -> BlindIndex:
    return phone_index_for(settings.pii_hash_key)


PhoneIndexDep = Annotated[BlindIndex, Depends(_phone_index)]
