"""Verifying a provider's signed push: Standard Webhooks 1.0, the style our own webhooks use.

``webhook-signature`` holds ``v1,<base64 HMAC-SHA256(secret, "{webhook-id}.{webhook-timestamp}.{body}")>``
(several, space-separated, while the provider rotates its secret). A push is refused when no signature
matches one of our secrets for that provider, or when its timestamp is further than the tolerance from
our clock (a captured push cannot be replayed later); inside the tolerance the ``webhook-id`` is kept, so
the same push again records nothing (``FeedDelivery``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime

from notify_svc.feeds.errors import SignatureExpired, SignatureInvalid, SignatureMissing

SECRET_PREFIX = "whsec_"


def secrets_of(setting: str) -> list[bytes]:
    """The keys of a secret setting: ``whsec_<base64>``, several separated by commas (rotation)."""
    keys = []
    for secret in setting.split(","):
        secret = secret.strip()
        if secret:
            keys.append(base64.b64decode(secret.removeprefix(SECRET_PREFIX)))
    return keys


def sign(key: bytes, delivery_id: str, timestamp: int | str, body: bytes) -> str:
    digest = hmac.new(key, f"{delivery_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(
    keys: Sequence[bytes],
    delivery_id: str | None,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: datetime,
    tolerance_seconds: int,
) -> None:
    """Raise unless one of ``keys`` signed exactly ``body`` with this id and a timestamp close to ``now``."""
    if not delivery_id or not timestamp or not signature:
        raise SignatureMissing()
    if len(delivery_id) > 64:
        raise SignatureInvalid("webhook-id is longer than 64 characters")
    try:
        signed_at = int(timestamp)
    except ValueError:
        raise SignatureInvalid("webhook-timestamp is not whole seconds since the epoch") from None
    if abs(now.timestamp() - signed_at) > tolerance_seconds:
        raise SignatureExpired(f"signed at {signed_at}, more than {tolerance_seconds} s from now")
    given = []
    for part in signature.split():
        version, _, value = part.partition(",")
        if version != "v1":
            continue
        try:
            given.append(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            continue
    for key in keys:
        expected = base64.b64decode(sign(key, delivery_id, timestamp, body).removeprefix("v1,"))
        if any(hmac.compare_digest(expected, g) for g in given):
            return
    raise SignatureInvalid()
