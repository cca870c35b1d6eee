"""Personal data in fields: AES-256-GCM under a rotating keyring, one stored format, every older one read.

The platform's one implementation of field encryption: every service keeping personal data at rest
(ID-card numbers, phones, names) and every event carrying it (:mod:`cheyou_events.sealing`) uses it.

* :class:`Keyring` — 32-byte keys; the first one writes, all of them read. A key's id is derived from the
  key itself (8 hex digits of an HMAC under it), so a setting is just base64 keys separated by commas:
  ``NEW,OLD`` rotates ``OLD`` out of writing while every value written under it stays readable.
* :class:`FieldCipher` — ``encrypt(text, aad=…)`` gives ``v2.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>``
  (96-bit random nonce). The associated data binds a value to its row and field, so a value copied
  elsewhere does not decrypt; the ``v2.<key id>.`` header is bound too. A bytea column stores the same
  text as ASCII bytes. ``decrypt`` reads it, and the one format the service wrote before (``legacy``).
* :class:`BlindIndex` — HMAC-SHA256 of a value: finds a row by an encrypted field without decrypting.

Formats written before this module, still in databases and on topics, and read here for ever:

==========================  ==============================================================  =============
``LegacyFormat``            stored value                                                    written by
==========================  ==============================================================  =============
``VERSION_BYTE``            bytes ``0x01 ‖ nonce ‖ ciphertext ‖ tag``                        member-svc,
                                                                                            merchant-svc
``BARE``                    bytes ``nonce ‖ ciphertext ‖ tag``                               notify-svc
``V1_TEXT``                 ``v1.`` + base64url(nonce ‖ ciphertext ‖ tag), padded or not    claims-svc,
                                                                                            event sealing
==========================  ==============================================================  =============

They carry no key id: they were written under the service's single key and are tried under every key
of the keyring, the current one first. The caller's associated data is the same for every format.

The module lives in ``cheyou_events`` rather than ``cheyou_kit`` because event payloads are sealed with
it and ``cheyou_kit`` depends on ``cheyou_events``: the lower library is the one both can import.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Iterator, Sequence
from enum import Enum

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v2"
KEY_BYTES = 32
_NONCE_BYTES = 12
_TAG_BYTES = 16
_KEY_ID_LABEL = b"cheyou fieldcrypt key id"


class DecryptionError(ValueError):
    """The value is malformed, names a key the keyring lacks, or does not open with this key and binding."""


class LegacyFormat(Enum):
    """The format a service wrote before :data:`VERSION` (see the module's table)."""

    VERSION_BYTE = "version-byte"
    BARE = "bare"
    V1_TEXT = "v1-text"


def key_id(key: bytes) -> str:
    """The id a key is known by in stored values: it names the key without revealing anything of it."""
    return hmac.new(key, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:8]


class Keyring:
    """AES-256 keys by id: ``keys[0]`` encrypts, every key decrypts (tried in the order listed)."""

    def __init__(self, keys: Sequence[bytes], *, name: str = "the keyring") -> None:
        if not keys:
            raise ValueError(f"{name} holds no key")
        if any(len(key) != KEY_BYTES for key in keys):
            raise ValueError(f"{name} must be base64 of exactly {KEY_BYTES} bytes (keys separated by commas)")
        self._keys = {key_id(key): AESGCM(key) for key in keys}
        if len(self._keys) != len(keys):
            raise ValueError(f"{name} lists the same key twice")
        self.name = name
        self.current_id = key_id(keys[0])

    @classmethod
    def from_setting(cls, value: str, *, name: str) -> Keyring:
        """``value``: base64 keys separated by commas, the writing key first (``NEW,OLD`` while rotating)."""
        try:
            keys = [
                base64.b64decode("".join(part.split()), validate=True)
                for part in value.split(",")
                if part.strip()
            ]
        except binascii.Error as exc:
            raise ValueError(f"{name} must be base64 keys separated by commas") from exc
        return cls(keys, name=name)

    @property
    def ids(self) -> list[str]:
        return list(self._keys)

    def __contains__(self, kid: object) -> bool:
        return kid in self._keys

    def __getitem__(self, kid: str) -> AESGCM:
        return self._keys[kid]

    def current_first(self) -> Iterator[tuple[str, AESGCM]]:
        return iter(self._keys.items())


class FieldCipher:
    """Encrypts short strings under the keyring's current key; decrypts every format the service stored."""

    def __init__(self, keyring: Keyring, *, legacy: LegacyFormat | None = None) -> None:
        self.keyring = keyring
        self._legacy = legacy

    def encrypt(self, plaintext: str, *, aad: bytes = b"") -> str:
        kid = self.keyring.current_id
        header = f"{VERSION}.{kid}."
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self.keyring[kid].encrypt(nonce, plaintext.encode(), header.encode() + aad)
        return header + base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()

    def decrypt(self, stored: str | bytes, *, aad: bytes = b"") -> str:
        if _as_bytes(stored).startswith(f"{VERSION}.".encode()):
            try:
                return self._decrypt_current(_as_text(stored), aad)
            except DecryptionError:
                # A bare legacy value is random from its first byte: 1 in 2^24 begins with "v2.".
                if self._legacy is not LegacyFormat.BARE:
                    raise
        nonce, sealed = self._legacy_parts(stored)
        for _, aead in self.keyring.current_first():
            try:
                return aead.decrypt(nonce, sealed, aad).decode()
            except InvalidTag:
                continue
        raise DecryptionError(
            f"the value does not decrypt under any key of {self.keyring.name} "
            f"({', '.join(self.keyring.ids)}) with this associated data: "
            "another key, a value moved to another row or field, or tampered with"
        )

    def _decrypt_current(self, text: str, aad: bytes) -> str:
        parts = text.split(".")
        if len(parts) != 3:
            raise DecryptionError(f"a {VERSION} value is {VERSION}.<key id>.<base64url>")
        _, kid, body = parts
        if kid not in self.keyring:
            raise DecryptionError(
                f"the value was written under key {kid!r}, which {self.keyring.name} does not hold "
                f"(it holds {', '.join(self.keyring.ids)})"
            )
        blob = _unbase64(body)
        try:
            plain = self.keyring[kid].decrypt(
                blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], f"{VERSION}.{kid}.".encode() + aad
            )
        except InvalidTag as exc:
            raise DecryptionError(
                f"the value does not decrypt under key {kid} with this associated data: "
                "a value moved to another row or field, or tampered with"
            ) from exc
        return plain.decode()

    def _legacy_parts(self, stored: str | bytes) -> tuple[bytes, bytes]:
        if self._legacy is LegacyFormat.V1_TEXT and isinstance(stored, str) and stored.startswith("v1."):
            blob = _unbase64(stored.removeprefix("v1."))
        elif (
            self._legacy is LegacyFormat.VERSION_BYTE and isinstance(stored, bytes) and stored[:1] == b"\x01"
        ):
            blob = stored[1:]
        elif self._legacy is LegacyFormat.BARE and isinstance(stored, bytes):
            blob = stored
        else:
            raise DecryptionError(f"not a {VERSION} value, nor in this service's earlier format")
        if len(blob) < _NONCE_BYTES + _TAG_BYTES:
            raise DecryptionError("the value is too short to be a ciphertext")
        return blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]


class BlindIndex:
    """HMAC-SHA256 (hex) of a normalised value: equal values match; without the key, a digest says nothing."""

    def __init__(self, key: bytes, *, name: str = "the index key") -> None:
        if len(key) < KEY_BYTES:
            raise ValueError(f"{name} must be base64 of at least {KEY_BYTES} bytes")
        self._key = key

    def digest(self, value: str) -> str:
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()


def _as_bytes(stored: str | bytes) -> bytes:
    return stored.encode() if isinstance(stored, str) else stored


def _as_text(stored: str | bytes) -> str:
    if isinstance(stored, str):
        return stored
    try:
        return stored.decode("ascii")
    except UnicodeDecodeError as exc:
        raise DecryptionError(f"a {VERSION} value is ASCII") from exc


def _unbase64(body: str) -> bytes:
    try:
        blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("the value is not base64url") from exc
    if len(blob) < _NONCE_BYTES + _TAG_BYTES:
        raise DecryptionError("the value is too short to be a ciphertext")
    return blob
