"""Phone numbers at rest: notify-svc's binding of the platform field cipher; masked whenever shown.

The encryption is :mod:`cheyou_events.fieldcrypt` (AES-256-GCM under ``NOTIFY_PII_KEY``, which may list
several keys to rotate: the first writes, all read). Every phone is bound to the associated data
``phone``; rows written before hold ``nonce ‖ ciphertext`` with no prefix and still decrypt.
"""

from __future__ import annotations

from cheyou_events.fieldcrypt import FieldCipher, Keyring, LegacyFormat

_AAD = b"phone"
_cipher: FieldCipher | None = None


def configure(pii_key: str) -> None:
    """Set the keys once at app start (Kafka handlers receive only a session and the event)."""
    global _cipher
    _cipher = FieldCipher(Keyring.from_setting(pii_key, name="NOTIFY_PII_KEY"), legacy=LegacyFormat.BARE)


def encrypt_phone(phone: str) -> bytes:
    """The column value: the field cipher's ASCII text, as bytes (the column is ``bytea``)."""
    return _configured().encrypt(phone, aad=_AAD).encode()


def decrypt_phone(stored: bytes) -> str:
    return _configured().decrypt(stored, aad=_AAD)


def encrypt_text(value: str, field: str) -> bytes:
    """Another secret kept at rest (an invitation token), bound to its field name."""
    return _configured().encrypt(value, aad=field.encode()).encode()


def decrypt_text(stored: bytes, field: str) -> str:
    return _configured().decrypt(stored, aad=field.encode())


def _configured() -> FieldCipher:
    if _cipher is None:
        raise RuntimeError("audience.pii.configure() was not called")
    return _cipher
