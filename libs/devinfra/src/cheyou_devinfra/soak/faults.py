"""The fault schedule: seeded, one injection after another, each with its time and what it did.

Kinds (weights in :data:`WEIGHTS`):

- ``kill_service`` — ``kill -9`` of one of the six services' process group (the outbox relay, the
  consumers and the webhook/notification workers run inside them, so they die mid-batch), started again
  after a random delay;
- ``broker`` — the Kafka broker killed (SIGKILL) and started again on the same port;
- ``postgres`` — Postgres stopped in immediate mode (SIGQUIT: no checkpoint, crash recovery) and started;
- ``redis`` — Redis restarted;
- ``receiver`` — the merchant's webhook receiver hangs, answers 500, answers slowly or drops the
  connection after reading the body, for a while;
- ``wechat`` / ``sms`` — the fake provider answers errors (system busy / limit control) or times out
  (answers after the client gave up), for a number of sends.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from cheyou_devinfra.soak.platform import SoakPlatform
from cheyou_devinfra.soak.receiver import MerchantReceiver

log = logging.getLogger("cheyou.soak")

SERVICES = ("member-svc", "privilege-svc", "merchant-svc", "claims-svc", "notify-svc", "gateway")
WEIGHTS = {
    "kill_service": 8,
    "broker": 2,
    "postgres": 2,
    "redis": 1,
    "receiver": 3,
    "wechat": 2,
    "sms": 1,
}


@dataclass
class Injection:
    number: int
    kind: str
    target: str
    detail: dict[str, Any]
    gap_s: float
    """Seconds of load before this injection (after the previous one ended)."""
    started_s: float | None = None
    ended_s: float | None = None
    error: str | None = None


@dataclass
class Schedule:
    seed: int
    injections: list[Injection] = field(default_factory=list)

    @classmethod
    def plan(cls, seed: int, count: int, duration_s: float, kinds: tuple[str, ...] = ()) -> Schedule:
        """``count`` injections spread over about ``duration_s`` of load; every kind at least once when
        ``count`` allows (the first ones go through the kinds in a seeded order), then by weight."""
        rng = random.Random(f"{seed}:faults")
        allowed = [k for k in WEIGHTS if not kinds or k in kinds]
        first = list(allowed)
        rng.shuffle(first)
        gap = max(1.0, duration_s / max(count, 1) * 0.5)
        schedule = cls(seed)
        for number in range(count):
            kind = (
                first[number]
                if number < len(first)
                else rng.choices(allowed, [WEIGHTS[k] for k in allowed])[0]
            )
            target, detail = _target(rng, kind)
            schedule.injections.append(
                Injection(number + 1, kind, target, detail, round(gap * (0.5 + rng.random()), 1))
            )
        return schedule

    def as_rows(self) -> list[dict[str, Any]]:
        return [asdict(i) for i in self.injections]


def _target(rng: random.Random, kind: str) -> tuple[str, dict[str, Any]]:
    if kind == "kill_service":
        return rng.choice(SERVICES), {"down_s": round(rng.uniform(0.5, 6.0), 1)}
    if kind == "receiver":
        mode = rng.choice(["hang", "error_500", "slow", "drop_after_body"])
        return "merchant-receiver", {"mode": mode, "for_s": round(rng.uniform(5, 20), 1)}
    if kind == "wechat":
        if rng.random() < 0.5:
            return "fake-wechat", {"errcode": rng.choice([-1, 45009]), "count": rng.randrange(2, 8)}
        return "fake-wechat", {"slow_seconds": 12, "count": rng.randrange(1, 4)}
    if kind == "sms":
        if rng.random() < 0.5:
            return "fake-sms", {"code": "isv.BUSINESS_LIMIT_CONTROL", "count": rng.randrange(2, 6)}
        return "fake-sms", {"slow_seconds": 12, "count": rng.randrange(1, 4)}
    if kind == "broker":
        return "kafka", {"down_s": round(rng.uniform(0.5, 5.0), 1)}
    if kind == "postgres":
        return "postgres", {"down_s": round(rng.uniform(0.0, 3.0), 1)}
    return "redis", {}


class Injector:
    def __init__(self, platform: SoakPlatform, receiver: MerchantReceiver, schedule: Schedule) -> None:
        self.platform = platform
        self.receiver = receiver
        self.schedule = schedule
        self.started = time.monotonic()
        self.recoveries: list[float] = []

    def now(self) -> float:
        return round(time.monotonic() - self.started, 1)

    async def run(self, at_fraction: dict[float, asyncio.Event] | None = None) -> None:
        """Inject the schedule in order; ``at_fraction`` events are set when that share of it is done."""
        marks = sorted((at_fraction or {}).items())
        total = len(self.schedule.injections)
        for injection in self.schedule.injections:
            await asyncio.sleep(injection.gap_s)
            injection.started_s = self.now()
            log.info(
                "fault %d/%d: %s %s %s",
                injection.number,
                total,
                injection.kind,
                injection.target,
                injection.detail,
            )
            try:
                await self.inject(injection)
            except Exception as exc:  # recorded in the report; the soak goes on
                injection.error = f"{type(exc).__name__}: {exc}"
                log.warning("fault %d failed: %s", injection.number, injection.error)
            injection.ended_s = self.now()
            for fraction, event in marks:
                if injection.number >= fraction * total:
                    event.set()
        for _, event in marks:
            event.set()

    async def inject(self, injection: Injection) -> None:
        kind, target, detail = injection.kind, injection.target, injection.detail
        platform = self.platform
        if kind == "kill_service":
            process = platform.processes[target]
            await asyncio.to_thread(process.kill)
            await asyncio.sleep(detail["down_s"])
            process.start()
            detail["ready_after_s"] = round(await platform.wait_ready(target), 1)
        elif kind == "broker":
            await asyncio.to_thread(platform.broker.kill)
            await asyncio.sleep(detail["down_s"])
            await asyncio.to_thread(platform.broker.start)
        elif kind == "postgres":
            await asyncio.to_thread(platform.postgres_immediate_restart)
            await self._all_ready()
        elif kind == "redis":
            await asyncio.to_thread(platform.redis_restart)
        elif kind == "receiver":
            self.receiver.mode = detail["mode"]
            self.receiver.hang_seconds = 30.0
            before = len(self.receiver.received)
            try:
                await asyncio.sleep(detail["for_s"])
                # At least one delivery must meet the misbehaviour (else it proved nothing): up to 90 s more.
                for _ in range(90):
                    if len(self.receiver.received) > before:
                        break
                    await asyncio.sleep(1)
            finally:
                self.receiver.mode = "ok"
            detail["deliveries_met"] = len(self.receiver.received) - before
        elif kind == "wechat":
            if "errcode" in detail:
                await platform.fake_post(
                    "wechat", "/_fake/fail-next", {"errcode": detail["errcode"], "count": detail["count"]}
                )
            else:
                await platform.fake_post(
                    "wechat",
                    "/_fake/config",
                    {"slow_seconds": detail["slow_seconds"], "slow_count": detail["count"]},
                )
        elif kind == "sms":
            if "code" in detail:
                await platform.fake_post(
                    "sms", "/_fake/fail-next", {"code": detail["code"], "count": detail["count"]}
                )
            else:
                await platform.fake_post(
                    "sms",
                    "/_fake/config",
                    {"slow_seconds": detail["slow_seconds"], "slow_count": detail["count"]},
                )
        else:  # pragma: no cover - the plan only names the kinds above
            raise ValueError(kind)

    async def _all_ready(self) -> None:
        await asyncio.gather(*(self.platform.wait_ready(name) for name in SERVICES))
