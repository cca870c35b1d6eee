"""How often an applicant may register: per proven phone and per ID-card number (their keyed hashes).

Counted before anything is looked up, so the answer to one more attempt never depends on whether the ID
number or the phone belongs to a member. Fixed one-day windows in Redis, shared by every replica; the
keys name keyed hashes only, never a number.
"""

from __future__ import annotations

import time

from redis.asyncio import Redis

from member_svc.errors import RegistrationLimited

DAY = 86400


async def count_registration(
    redis: Redis, *, phone_hash: str, id_hash: str, per_phone: int, per_id: int
) -> None:
    """Count one registration attempt; 429 when the phone or the ID number had too many today."""
    window = int(time.time() // DAY)
    keys = (f"member:reg:phone:{phone_hash}:{window}", f"member:reg:id:{id_hash}:{window}")
    async with redis.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.set(key, 0, ex=DAY + 1, nx=True)
            pipe.incr(key)
        results = await pipe.execute()
    if int(results[1]) > per_phone or int(results[3]) > per_id:
        retry_after = max(1, int((window + 1) * DAY - time.time()))
        raise RegistrationLimited(
            "too many registrations for this phone number or ID-card number today", retry_after=retry_after
        )
