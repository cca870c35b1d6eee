"""Phone numbers at rest: AES-256-GCM with a random nonce; masked whenever shown."""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class PhoneCipher:
    def __init__(self, key_b64: str) -> None:
        self._aead = AESGCM(base64.b64decode(key_b64))

    def encrypt(self, phone: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, phone.encode(), b"phone")

    def decrypt(self, blob: bytes) -> str:
        return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], b"phone").decode()


_cipher: PhoneCipher | None = None


def configure(key_b64: str) -> None:
    """Set the key once at app start (Kafka handlers receive only a session and the event)."""
    global _cipher
    _cipher = PhoneCipher(key_b64)


def cipher() -> PhoneCipher:
    if _cipher is None:
        raise RuntimeError("audience.pii.configure() was not called")
    return _cipher
