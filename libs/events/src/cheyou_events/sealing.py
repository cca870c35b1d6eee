"""Personal data inside event payloads: short strings sealed under ``EVENTS_PII_KEY`` (:mod:`.fieldcrypt`).

An event field that would otherwise carry a phone (or another piece of personal data) in clear carries
a :class:`~cheyou_events.fieldcrypt.FieldCipher` text instead (``v2.<key id>.<base64url>``), so neither
the producer's outbox nor the topic hold it readable. The associated data binds the value to the
event's partition key (the member id) and to the field's name: a sealed value copied into another
member's event, or into another field, does not unseal. Events published before hold
``v1.<base64url>`` (same binding, no key id) and still unseal. ``EVENTS_PII_KEY`` may list several keys
(``NEW,OLD``): the first seals, all unseal, so the key rotates without losing events still on a topic.

Producers call :func:`seal`, consumers :func:`unseal` (which raises
:class:`~cheyou_events.fieldcrypt.DecryptionError`); both read the key once, from the environment or
from a secret file (``CHEYOU_SECRETS_DIR``, :class:`~cheyou_events.settings.FileSecretsSettings`).
"""

from __future__ import annotations

import functools
import logging

from cheyou_events.fieldcrypt import FieldCipher, Keyring, LegacyFormat
from cheyou_events.settings import EventsPiiSettings

log = logging.getLogger(__name__)

DEV_EVENTS_PII_KEY = "Y2hleW91LWRldi1vbmx5LWV2ZW50LXBpaS1rZXktMzI="  # 32 bytes, for dev and tests only


class EventSealer:
    """Seals and unseals short strings for event payloads under the ``EVENTS_PII_KEY`` keyring."""

    def __init__(self, keyring: Keyring) -> None:
        self._cipher = FieldCipher(keyring, legacy=LegacyFormat.V1_TEXT)

    @classmethod
    def from_settings(cls, settings: EventsPiiSettings) -> EventSealer:
        if settings.pii_key:
            return cls(Keyring.from_setting(settings.pii_key, name="EVENTS_PII_KEY"))
        log.warning("EVENTS_PII_KEY is not set: using the development key (never use it in production)")
        return cls(Keyring.from_setting(DEV_EVENTS_PII_KEY, name="the development EVENTS_PII_KEY"))

    def seal(self, value: str, *, partition_key: str, field: str) -> str:
        return self._cipher.encrypt(value, aad=_aad(partition_key, field))

    def unseal(self, sealed: str, *, partition_key: str, field: str) -> str:
        return self._cipher.decrypt(sealed, aad=_aad(partition_key, field))


def _aad(partition_key: str, field: str) -> bytes:
    # The "v1" is part of the binding since the first sealed event, not the format of the value.
    return f"cheyou-event-pii:v1:{partition_key}:{field}".encode()


@functools.cache
def sealer() -> EventSealer:
    """The process's sealer, from ``EVENTS_PII_KEY`` (read once)."""
    return EventSealer.from_settings(EventsPiiSettings())


def seal(value: str, *, partition_key: str, field: str) -> str:
    return sealer().seal(value, partition_key=partition_key, field=field)


def unseal(sealed: str, *, partition_key: str, field: str) -> str:
    return sealer().unseal(sealed, partition_key=partition_key, field=field)
