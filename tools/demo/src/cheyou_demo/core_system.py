"""What the insurer's core policy system shares with us: member-svc's hash key, with which it puts an
ID number into a policy event as ``holder_id_hash`` (HMAC-SHA256, hex) instead of the number itself."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
"""The repository (tools/demo/src/cheyou_demo/core_system.py), whose ``.dev`` the launcher fills."""


def hash_key(explicit: str | None = None) -> bytes:
    """The key given (base64), else ``MEMBER_PII_HASH_KEY``, else the one the launcher made in ``.dev``."""
    value = explicit or os.environ.get("MEMBER_PII_HASH_KEY")
    if not value:
        keys = ROOT / ".dev" / "member-svc-pii-keys.json"
        value = json.loads(keys.read_text())["pii_hash_key"]
    return base64.b64decode(value)


def holder_id_hash(key: bytes, id_number: str) -> str:
    """The ``holder_id_hash`` the core system sends for this ID number."""
    return hmac.new(key, id_number.encode(), hashlib.sha256).hexdigest()


def holder_hasher(key: bytes) -> Callable[[str], str]:
    """:func:`holder_id_hash` with the key bound."""
    return lambda id_number: holder_id_hash(key, id_number)
