"""Personal data inside event payloads: short strings sealed with AES-256-GCM under ``EVENTS_PII_KEY``.

An event field that would otherwise carry a phone (or another piece of personal data) in clear carries
``v1.<base64url(nonce ‖ ciphertext ‖ tag)>`` instead, so neither the producer's outbox nor the topic
hold it readable. The GCM associated data binds the value to the event's partition key (the member id)
and to the field's name: a sealed value copied into another member's event, or into another field,
does not unseal. The ``v1`` prefix names the key, so a later key can be added beside it to rotate.

Producers call :func:`seal`, consumers :func:`unseal`; both read the key from the environment once.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cheyou_events.settings import EventsPiiSettings

log = logging.getLogger(__name__)

VERSION = "v1"
_NONCE_BYTES = 12
DEV_EVENTS_PII_KEY = "Y2hleW91LWRldi1vbmx5LWV2ZW50LXBpaS1rZXktMzI="  # 32 bytes, for dev and tests only


class SealError(ValueError):
    """The sealed value is malformed, of an unknown version, tampered with, or bound elsewhere."""


class EventSealer:
    """Seals and unseals short strings for event payloads under one 32-byte key (version ``v1``)."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("EVENTS_PII_KEY must be base64 of exactly 32 bytes")
        self._aead = AESGCM(key)

    @classmethod
    def from_settings(cls, settings: EventsPiiSettings) -> EventSealer:
        if settings.pii_key:
            return cls(base64.b64decode(settings.pii_key, validate=True))
        log.warning("EVENTS_PII_KEY is not set: using the development key (never use it in production)")
        return cls(base64.b64decode(DEV_EVENTS_PII_KEY))

    def seal(self, value: str, *, partition_key: str, field: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, value.encode(), _aad(partition_key, field))
        return f"{VERSION}.{base64.urlsafe_b64encode(nonce + sealed).rstrip(b'=').decode()}"

    def unseal(self, sealed: str, *, partition_key: str, field: str) -> str:
        version, _, body = sealed.partition(".")
        if version != VERSION:
            raise SealError(f"unknown sealed value version {version!r}")
        try:
            blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError) as exc:
            raise SealError("the sealed value is not base64url") from exc
        if len(blob) <= _NONCE_BYTES:
            raise SealError("the sealed value is too short")
        try:
            plain = self._aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], _aad(partition_key, field))
        except InvalidTag as exc:
            raise SealError("the sealed value does not open with this key, partition key and field") from exc
        return plain.decode()


def _aad(partition_key: str, field: str) -> bytes:
    return f"cheyou-event-pii:{VERSION}:{partition_key}:{field}".encode()


@functools.cache
def sealer() -> EventSealer:
    """The process's sealer, from ``EVENTS_PII_KEY`` (read once)."""
    return EventSealer.from_settings(EventsPiiSettings())


def seal(value: str, *, partition_key: str, field: str) -> str:
    return sealer().seal(value, partition_key=partition_key, field=field)


def unseal(sealed: str, *, partition_key: str, field: str) -> str:
    return sealer().unseal(sealed, partition_key=partition_key, field=field)
