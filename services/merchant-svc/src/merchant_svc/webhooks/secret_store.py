"""Webhook signing secrets at rest: sealed with the platform's field cipher (``cheyou_events.fieldcrypt``
under merchant-svc's keyring ``MERCHANT_PII_KEY``: the first key writes, every key reads, so the keyring
rotates as for names and phones).

A sealed secret is bound to its endpoint (associated data ``webhook-endpoint:<id>:signing-secret``): a
value copied to another endpoint's row does not open. Rows written before this release hold the secret in
clear (``whsec_…``); migration 0005 seals them, and until it has run everywhere both are read.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from merchant_svc.pii import PiiCipher

OWNER = "webhook-endpoint"
FIELD = "signing-secret"
CLEAR_PREFIX = "whsec_"


def seal(cipher: PiiCipher, endpoint_id: uuid.UUID, secret: str) -> str:
    return cipher.encrypt(OWNER, endpoint_id, FIELD, secret).decode("ascii")


def unseal(cipher: PiiCipher, endpoint_id: uuid.UUID, stored: str) -> str:
    if stored.startswith(CLEAR_PREFIX):  # written in clear before this release
        return stored
    return cipher.decrypt(OWNER, endpoint_id, FIELD, stored.encode("ascii"))


@dataclass(frozen=True)
class OpenSecret:
    """A signing secret as its merchant reads it."""

    secret: str
    created_at: datetime
    expires_at: datetime | None
