"""Phone numbers at rest: notify-svc's binding of the platform field cipher; masked whenever shown.

The encryption is :mod:`cheyou_events.fieldcrypt` (AES-256-GCM under ``NOTIFY_PII_KEY``, which may list
several keys to rotate: the first writes, all read). Every phone is bound to the associated data
``phone``; rows written before hold ``nonce ‖ ciphertext`` with no prefix and still decrypt. The cipher
is built once with the settings (``Settings.pii_cipher``).
"""

from __future__ import annotations

from cheyou_events.fieldcrypt import FieldCipher, Keyring, LegacyFormat

_AAD = b"phone"


class PiiCipher:
    def __init__(self, pii_key: str) -> None:
        self._cipher = FieldCipher(
            Keyring.from_setting(pii_key, name="NOTIFY_PII_KEY"), legacy=LegacyFormat.BARE
        )

    def encrypt_phone(self, phone: str) -> bytes:
        """The column value: the field cipher's ASCII text, as bytes (the column is ``bytea``)."""
        return self._cipher.encrypt(phone, aad=_AAD).encode()

    def decrypt_phone(self, stored: bytes) -> str:
        return self._cipher.decrypt(stored, aad=_AAD)

    def encrypt_text(self, value: str, field: str) -> bytes:
        """Another secret kept at rest (an invitation token), bound to its field name."""
        return self._cipher.encrypt(value, aad=field.encode()).encode()

    def decrypt_text(self, stored: bytes, field: str) -> str:
        return self._cipher.decrypt(stored, aad=field.encode())
