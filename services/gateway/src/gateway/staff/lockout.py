"""Failed staff sign-ins, counted in Redis per (account, client address) *before* the password is checked.

Every attempt takes a numbered try first (one atomic script), so twenty guesses sent at once get at most
``max_failures`` password checks between them; the attempt after the last try locks that account **for
that address only**, for the cool-down, doubled at each further lock (up to ``max_lock_seconds``). Someone
guessing from elsewhere therefore cannot lock the owner out; a spread-out attack shows as a global spike
of ``cheyou_staff_sign_in_failures_total`` (alert ``CheyouStaffSignInFailureSpike``). Nothing here needs
a database commit. All keys of an account share its hash tag, so the script is valid on Redis Cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter
from redis.asyncio import Redis

SIGN_IN_FAILURES = Counter(
    "cheyou_staff_sign_in_failures",
    "Staff sign-ins refused: wrong password or unknown account (failure), or locked out (locked).",
    ["outcome"],
)

# KEYS: tries, lock, strikes, addresses. ARGV: max tries, cool-down, longest lock, memory, address.
# Returns {1, 0} when this attempt may check the password, else {0, seconds of lock left}.
_ATTEMPT = """
local left = redis.call('ttl', KEYS[2])
if left > 0 then return {0, left} end
local tries = redis.call('incr', KEYS[1])
if tries == 1 then redis.call('expire', KEYS[1], ARGV[2]) end
redis.call('sadd', KEYS[4], ARGV[5])
redis.call('expire', KEYS[4], ARGV[4])
if tries <= tonumber(ARGV[1]) then return {1, 0} end
local strikes = redis.call('incr', KEYS[3])
redis.call('expire', KEYS[3], ARGV[4])
local seconds = math.floor(math.min(tonumber(ARGV[2]) * 2 ^ (strikes - 1), tonumber(ARGV[3])))
redis.call('set', KEYS[2], '1', 'EX', seconds)
redis.call('del', KEYS[1])
return {0, seconds}
"""


@dataclass(frozen=True)
class Attempt:
    allowed: bool
    locked_for: int  # seconds; 0 when allowed


class Lockout:
    def __init__(
        self, redis: Redis, max_failures: int, cooldown_seconds: int, max_lock_seconds: int | None = None
    ) -> None:
        self._redis = redis
        self._max = max_failures
        self._cooldown = cooldown_seconds
        self._max_lock = max(max_lock_seconds or 24 * 3600, cooldown_seconds)
        self._attempt = redis.register_script(_ATTEMPT)

    @staticmethod
    def _key(username: str, what: str, address: str = "") -> str:
        return f"gw:staff:{{{username}}}:{what}:{address}" if address else f"gw:staff:{{{username}}}:{what}"

    def _keys(self, username: str, address: str) -> list[str]:
        return [
            self._key(username, "tries", address),
            self._key(username, "lock", address),
            self._key(username, "strikes", address),
            self._key(username, "addresses"),
        ]

    async def attempt(self, username: str, address: str) -> Attempt:
        """Take one try for a password check from this address, or say how long it is locked."""
        allowed, seconds = await self._attempt(
            keys=self._keys(username, address),
            args=[self._max, self._cooldown, self._max_lock, self._max_lock + self._cooldown, address],
        )
        if not int(allowed):
            SIGN_IN_FAILURES.labels("locked").inc()
        return Attempt(bool(int(allowed)), int(seconds))

    @staticmethod
    def failed() -> None:
        SIGN_IN_FAILURES.labels("failure").inc()

    async def succeeded(self, username: str, address: str) -> None:
        """The right password from this address: its tries and past locks are forgotten."""
        await self._redis.delete(*self._keys(username, address)[:3])

    async def clear(self, username: str) -> None:
        """An admin lifts every lock of the account, from every address."""
        addresses = await self._redis.smembers(self._key(username, "addresses"))
        keys = [self._key(username, "addresses")]
        for raw in addresses:
            address = raw.decode() if isinstance(raw, bytes) else str(raw)
            keys += self._keys(username, address)[:3]
        await self._redis.delete(*keys)
