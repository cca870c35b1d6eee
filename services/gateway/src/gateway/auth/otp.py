"""SMS one-time codes in Redis: 6 digits, stored only as a keyed hash, a few tries, an expiry, and
sending limits per phone (one a minute, 5/h, 10/day by default) and per client address."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import TYPE_CHECKING

from redis.asyncio import Redis

from gateway.auth.errors import CodeExhausted, InvalidPhone, WrongCode
from gateway.errors import RateLimited
from gateway.protection.rate_limits import Limit, hit

if TYPE_CHECKING:
    from gateway.config import Settings

_PHONE = re.compile(r"^1[3-9]\d{9}$")

_CHECK = """
local digest = redis.call('HGET', KEYS[1], 'digest')
if not digest then return {'missing'} end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
if attempts > tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return {'exhausted'}
end
return {'check', digest, attempts}
"""


def normalise_phone(phone: str) -> str:
    digits = re.sub(r"[\s-]", "", phone)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not _PHONE.match(digits):
        raise InvalidPhone()
    return digits


class OtpStore:
    """Codes for one purpose: ``member`` sign-in (the default) or another (``merchant`` staff), whose codes,
    keys and sending limits are its own, so a code texted for one never opens the other."""

    def __init__(self, redis: Redis, settings: Settings, pepper: bytes, purpose: str = "member") -> None:
        self._redis = redis
        self._settings = settings
        self._pepper = pepper
        self._check = redis.register_script(_CHECK)
        member = purpose == "member"  # the member's keys and digests stay as they were
        self._prefix = "gw:otp" if member else f"gw:otp:{purpose}"
        self._label = "otp" if member else f"otp:{purpose}"
        self._scope = "otp" if member else f"{purpose}-otp"

    def _digest(self, phone: str, code: str) -> str:
        return hmac.new(self._pepper, f"{self._label}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()

    def _phone_tag(self, phone: str) -> str:
        # Keys name a keyed hash of the number, not the number (Redis is no place for PII).
        return hmac.new(self._pepper, f"phone:{phone}".encode(), hashlib.sha256).hexdigest()[:32]

    async def issue(self, phone: str, client_ip: str) -> str:
        """A new code for the phone (replacing any earlier one), within the sending limits."""
        settings, tag = self._settings, self._phone_tag(phone)
        cooldown_key = f"{self._prefix}:{{{tag}}}:cooldown"
        resend = settings.otp_resend_seconds
        if resend > 0 and not await self._redis.set(cooldown_key, "1", nx=True, ex=resend):
            ttl = int(await self._redis.ttl(cooldown_key))
            raise RateLimited("a code was sent to this phone moments ago", retry_after=max(ttl, 1))
        await hit(
            self._redis,
            [
                Limit(f"{self._scope}-phone-hour", tag, settings.otp_per_phone_hour, 3600),
                Limit(f"{self._scope}-phone-day", tag, settings.otp_per_phone_day, 86400),
                Limit(f"{self._scope}-ip-hour", client_ip, settings.otp_per_ip_hour, 3600),
            ],
        )
        code = f"{secrets.randbelow(1_000_000):06d}"
        key = f"{self._prefix}:{{{tag}}}:code"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(key, mapping={"digest": self._digest(phone, code), "attempts": 0})
            pipe.expire(key, settings.otp_ttl_seconds)
            await pipe.execute()
        return code

    async def consume(self, phone: str, code: str) -> None:
        """Accept the code once; a wrong one costs a try, and the last try deletes it."""
        key = f"{self._prefix}:{{{self._phone_tag(phone)}}}:code"
        result = await self._check(keys=[key], args=[self._settings.otp_max_attempts])
        outcome = result[0].decode()
        if outcome == "exhausted":
            raise CodeExhausted()
        if outcome != "check":
            raise WrongCode()
        expected = result[1].decode()
        if not hmac.compare_digest(expected, self._digest(phone, code)):
            attempts = int(result[2])
            remaining = self._settings.otp_max_attempts - attempts
            if remaining <= 0:
                await self._redis.delete(key)
                raise CodeExhausted()
            raise WrongCode(attempts_remaining=remaining)
        if not await self._redis.delete(key):
            raise WrongCode()  # a concurrent request spent it first
