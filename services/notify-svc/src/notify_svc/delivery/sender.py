"""The sender: delivers queued messages to WeChat and SMS, outside any Kafka handler.

Two kit ``PeriodicJob``s. ``notify-send``: each batch claims due messages under a lease (``FOR UPDATE
SKIP LOCKED``, so replicas share the work) and commits; then (``after_commit``) the round talks to the
providers concurrently and records the outcomes in the delivery log as they come in (each commit takes
what answered meanwhile); it claims again at once while there was something, else after
``NOTIFY_SEND_IDLE_SECONDS``. A message abandoned mid-send (crash) is claimed again when its lease
ends; an SMS whose send timed out is looked up by its out-id before being sent again.
``notify-held-messages``, every ``HELD_SWEEP``, marks the messages that waited longer than
``NOTIFY_CONTACT_WAIT_SECONDS`` for a contact undeliverable, and releases those whose contact came in a
transaction that could not see them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cheyou_events import Envelope, add_events
from cheyou_kit.periodic import PeriodicJob, after_commit
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify_svc.audience import service as audience
from notify_svc.audience.models import Recipient
from notify_svc.config import Settings
from notify_svc.delivery import events, metrics, repository, rules, service
from notify_svc.delivery.models import Message
from notify_svc.delivery.sms import RETRYABLE_CODES, SmsClient
from notify_svc.delivery.wechat import NOT_FOLLOWING, RETRYABLE, WeChatClient
from notify_svc.outreach import service as outreach

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
HELD_SWEEP = timedelta(seconds=10)
HELD_BATCH = 500


@dataclass
class Outcome:
    message: Message
    status: str  # sent, failed, skipped, pending (retry later), unknown (SMS timed out)
    provider_id: str | None = None
    error: str | None = None
    retry_at: datetime | None = None
    fallback: bool = False
    detail: str | None = None


class Sender:
    def __init__(
        self, settings: Settings, session_factory: async_sessionmaker[AsyncSession], redis: Redis
    ) -> None:
        self._settings, self._sessions, self._redis = settings, session_factory, redis
        self._http = httpx.AsyncClient(timeout=settings.provider_timeout_seconds)
        self.wechat = WeChatClient(
            self._http, redis, settings.wechat_api_base_url, settings.wechat_appid, settings.wechat_secret
        )
        self.sms = SmsClient(
            self._http,
            settings.sms_api_base_url,
            settings.sms_access_key_id,
            settings.sms_access_key_secret,
            settings.sms_sign_name,
        )
        self._limit = asyncio.Semaphore(settings.send_concurrency)
        self._contact_wait = timedelta(seconds=settings.contact_wait_seconds)
        self._rules, self._cipher = settings.delivery_rules, settings.pii_cipher
        self._jobs = [
            # Again at once while a round claimed anything, else after NOTIFY_SEND_IDLE_SECONDS; a
            # round in progress on stop gets the providers' timeout to record its answers.
            PeriodicJob(
                "notify-send",
                self._claim,
                sessions=session_factory,
                interval_s=settings.send_idle_seconds,
                batch_size=1,
                stop_timeout_s=settings.provider_timeout_seconds + 5,
            ),
            PeriodicJob(
                "notify-held-messages",
                self._expire_held,
                sessions=session_factory,
                interval_s=HELD_SWEEP.total_seconds(),
                batch_size=HELD_BATCH,
            ),
        ]

    async def start(self) -> None:
        for job in self._jobs:
            await job.start()

    async def stop(self) -> None:
        for job in reversed(self._jobs):
            await job.stop()
        await self._http.aclose()

    async def _claim(self, session: AsyncSession, now: datetime) -> int:
        """Lease due messages and find their addresses; they are sent once the lease has committed."""
        claimed = await repository.claim_due(session, now, self._settings.send_batch, LEASE)
        if not claimed:
            return 0
        recipients = await audience.many(session, sorted({m.member_id for m in claimed}))
        # Invitees of imported lists are not members yet: their address is the outreach's.
        recipients.update(
            await outreach.contacts(session, {m.member_id for m in claimed} - recipients.keys())
        )
        stopped = await self._sms_opted_out(session, claimed, recipients)
        session.expunge_all()

        async def send() -> None:
            await self._send(claimed, recipients, stopped)

        after_commit(session, send)
        return len(claimed)

    async def _send(
        self, claimed: Sequence[Message], recipients: dict[str, Recipient], stopped: set[str]
    ) -> None:
        """Deliver, recording the outcomes as they come in."""
        # Outcomes are recorded as they come in: whatever has answered is committed at once, and what
        # answers meanwhile goes in the next commit. A crash between a WeChat send (WeChat takes no
        # idempotency key) and its commit repeats the message, so answers wait at most one commit; under
        # load the commits grow instead of multiplying (one per answer halved the rate: bench/results).
        pending = {
            asyncio.create_task(self._deliver(m, recipients.get(m.member_id), m.member_id in stopped))
            for m in claimed
        }
        try:
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                async with self._sessions() as session, session.begin():
                    await self._record(session, [send.result() for send in done])
        finally:
            for send in pending:  # stopping (or a failed commit): nothing outlives the round
                send.cancel()

    async def _expire_held(self, session: AsyncSession, now: datetime) -> int:
        """Expire a batch of the messages held too long for a contact; after the last batch, release
        those whose contact is known."""
        expired = await service.expire_held(session, now, self._contact_wait, HELD_BATCH)
        if expired < HELD_BATCH:
            await service.release_reachable(session, now, self._rules)
        return expired

    async def _sms_opted_out(
        self, session: AsyncSession, claimed: Sequence[Message], recipients: dict[str, Recipient]
    ) -> set[str]:
        """Members whose number replied TD or unsubscribed, among those of this round's non-service texts."""
        phones = {}
        for message in claimed:
            if message.channel == "sms" and message.category != rules.SERVICE:
                phone = audience.phone_of(recipients.get(message.member_id), self._cipher)
                if phone is not None:
                    phones[message.member_id] = phone
        return await outreach.sms_opted_out(session, self._settings, phones) if phones else set()

    async def _deliver(
        self, message: Message, recipient: Recipient | None, sms_stopped: bool = False
    ) -> Outcome:
        async with self._limit:
            if sms_stopped and message.channel == "sms" and message.category != rules.SERVICE:
                return Outcome(message, "skipped", error="opted_out")
            if await self._over_daily_limit(message):
                return Outcome(message, "skipped", error="rate_limited")
            if message.channel == "wechat":
                return await self._deliver_wechat(message, recipient)
            return await self._deliver_sms(message, recipient)

    async def _over_daily_limit(self, message: Message) -> bool:
        if message.category not in rules.LIMITED_CATEGORIES or message.attempts > 1 or message.fallback_from:
            return False
        key = f"notify:rate:{message.member_id}:{self._rules.day_key(datetime.now(UTC))}"
        count = await self._redis.incr(key)
        if count == 1:
            await self._redis.expire(key, 2 * 86400)
        return int(count) > self._rules.member_daily_limit

    def _retry_or_fail(self, message: Message, error: str) -> Outcome:
        if message.attempts >= self._settings.max_attempts:
            return Outcome(message, "failed", error=error, fallback=True)
        delay = timedelta(seconds=min(300, 2**message.attempts))
        return Outcome(message, "pending", error=error, retry_at=datetime.now(UTC) + delay)

    async def _deliver_wechat(self, message: Message, recipient: Recipient | None) -> Outcome:
        if recipient is None or recipient.openid is None:
            return Outcome(message, "failed", error="no_openid", fallback=True)
        result = await self.wechat.send_template(recipient.openid, message.payload)
        if result.ok:
            return Outcome(message, "sent", provider_id=result.msgid)
        error = f"wechat:{result.errcode}"
        if result.errcode in RETRYABLE:
            return self._retry_or_fail(message, error)
        detail = "not following or refused" if result.errcode in NOT_FOLLOWING else result.errmsg
        return Outcome(message, "failed", error=error, fallback=True, detail=detail)

    async def _deliver_sms(self, message: Message, recipient: Recipient | None) -> Outcome:
        phone = audience.phone_of(recipient, self._cipher)
        if phone is None:
            return Outcome(message, "failed", error="no_phone", fallback=True)
        out_id = message.id.hex
        if message.attempts > 1:
            # A previous try may have reached the provider (timeout, crash): never send twice.
            try:
                biz_id = await self.sms.lookup(phone, out_id)
            except (httpx.HTTPError, ValueError):
                return self._retry_or_fail(message, "sms:lookup_failed")
            if biz_id is not None:
                return Outcome(message, "sent", provider_id=biz_id, detail="found by out-id after a timeout")
        result = await self.sms.send(
            phone, message.payload["template_code"], message.payload["params"], out_id
        )
        if result.status == "ok":
            return Outcome(message, "sent", provider_id=result.biz_id)
        if result.status == "timeout":
            wait = timedelta(seconds=self._settings.sms_receipt_wait_seconds)
            return Outcome(message, "unknown", error="sms:timeout", retry_at=datetime.now(UTC) + wait)
        error = f"sms:{result.code}"
        if result.code in RETRYABLE_CODES or result.code == "connect_error":
            return self._retry_or_fail(message, error)
        return Outcome(message, "failed", error=error, fallback=True)

    async def _record(self, session: AsyncSession, outcomes: list[Outcome]) -> None:
        now = datetime.now(UTC)
        changed = await repository.finish_sending(
            session,
            [
                {
                    "id": o.message.id,
                    "status": o.status,
                    "error": o.error,
                    "provider_id": o.provider_id,
                    "not_before": o.retry_at,
                }
                for o in outcomes
            ],
            now,
        )
        attempts = []
        reported: list[Envelope[Any]] = []
        for outcome in outcomes:
            message = outcome.message
            fallback_to = await service.fallback(session, message, now) if outcome.fallback else None
            if message.id in changed:
                if outcome.status == "sent":
                    reported.append(events.sent(message, now))
                elif outcome.status in ("failed", "pending", "unknown"):
                    will_retry = outcome.status != "failed"
                    reported.append(events.failed(message, outcome.error or "unknown", will_retry, now))
            attempts.append(
                {
                    "message_id": message.id,
                    "channel": message.channel,
                    "status": outcome.status,
                    "provider_id": outcome.provider_id,
                    "error": outcome.error,
                    "fallback_to": fallback_to,
                    "detail": outcome.detail,
                    "at": now,
                }
            )
            label = {"pending": "retried", "unknown": "retried"}.get(outcome.status, outcome.status)
            metrics.count(message.channel, label)
            if fallback_to is not None:
                metrics.count(message.channel, "fallback")
            log.info(
                "delivery attempt",
                extra={
                    "message_id": str(message.id),
                    "member_id": message.member_id,
                    "channel": message.channel,
                    "status": outcome.status,
                    "provider_id": outcome.provider_id,
                    "error": outcome.error,
                    "fallback_to": fallback_to,
                },
            )
        await repository.add_attempts(session, attempts)
        await add_events(session, reported)
