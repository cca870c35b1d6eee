"""``notify.events``: every push outcome is published (through the outbox) with the status change."""

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from cheyou_events import TOPICS, event_outbox
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from notify_svc.config import Settings
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Fakes, until_known
from tests.factories import contact, entitlements, member_id, openid, phone


class Tap:
    """Reads ``notify.events`` from where it stood when the test began."""

    def __init__(self, consumer: AIOKafkaConsumer) -> None:
        self._consumer = consumer
        self.seen: list[dict[str, Any]] = []

    async def of(self, member: str, count: int) -> list[dict[str, Any]]:
        async def enough() -> list[dict[str, Any]] | None:
            batches = await self._consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    headers = {k: v.decode() for k, v in record.headers}
                    self.seen.append({"type": headers["ce_type"], **json.loads(record.value)})
            mine = [e for e in self.seen if e["member_id"] == member]
            return mine if len(mine) >= count else None

        return await eventually(enough)


@pytest.fixture
async def tap(service_settings: Settings) -> AsyncIterator[Tap]:
    consumer = AIOKafkaConsumer(bootstrap_servers=service_settings.kafka_bootstrap_servers)
    await consumer.start()
    partitions = [TopicPartition("notify.events", p) for p in range(TOPICS["notify.events"])]
    consumer.assign(partitions)
    await consumer.seek_to_end(*partitions)
    for partition in partitions:
        await consumer.position(partition)  # fix the start before anything is published
    yield Tap(consumer)
    await consumer.stop()


class TestNotifyEvents:
    async def test_a_sent_message_is_reported_with_its_cause(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities, tap: Tap
    ) -> None:
        member = member_id()
        await publish(service_settings.kafka_bootstrap_servers, contact(member, openid(), None))
        await until_known(client, identities, member)
        cause = entitlements(member, "洗车")
        await publish(service_settings.kafka_bootstrap_servers, cause)

        [sent] = await tap.of(member, 1)

        assert sent["type"] == "cheyou.notify.message_sent.v1"
        assert (sent["channel"], sent["template_code"]) == ("wechat", "entitlements_changed")
        assert sent["cause_event_id"] == str(cause.id)

    async def test_a_refused_wechat_message_is_reported_failed_then_sent_by_sms(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
        fakes: Fakes,
        tap: Tap,
    ) -> None:
        member, wx = member_id(), openid()
        await fakes.wechat.post(f"/_fake/users/{wx}", json={"subscribed": False})
        await publish(service_settings.kafka_bootstrap_servers, contact(member, wx, phone()))
        await until_known(client, identities, member)
        await publish(service_settings.kafka_bootstrap_servers, entitlements(member, "洗车"))

        failed, sent = await tap.of(member, 2)

        assert (failed["type"], failed["channel"]) == ("cheyou.notify.message_failed.v1", "wechat")
        assert (failed["error_code"], failed["will_retry"]) == ("wechat:43004", False)
        assert (sent["type"], sent["channel"]) == ("cheyou.notify.message_sent.v1", "sms")

    async def test_an_sms_receipt_that_overtakes_the_senders_record_reports_the_send_once(
        self,
        client: httpx.AsyncClient,
        service_settings: Settings,
        identities: Identities,
        fakes: Fakes,
        tap: Tap,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        # The fake pushes its receipt before it answers the send (here 1 s later): the receipt settles the
        # message while the sender still waits, and the sender's record then changes nothing.
        member = member_id()
        await fakes.sms.post("/_fake/config", json={"slow_seconds": 1.0, "slow_count": 1})
        await publish(service_settings.kafka_bootstrap_servers, contact(member, None, phone()))
        await until_known(client, identities, member)
        await publish(service_settings.kafka_bootstrap_servers, entitlements(member, "洗车"))

        [sent] = await tap.of(member, 1)
        await eventually(lambda: _attempts(client, identities, member, 2))  # the receipt's, the sender's
        async with sessions() as session:
            reported = await session.scalar(
                select(func.count())
                .select_from(event_outbox)
                .where(event_outbox.c.type == sent["type"], event_outbox.c.key == member)
            )

        assert (sent["type"], sent["channel"]) == ("cheyou.notify.message_sent.v1", "sms")
        assert reported == 1


async def _attempts(client: httpx.AsyncClient, identities: Identities, member: str, count: int) -> bool:
    ops = identities.headers("notify-svc", Role.OPS)
    [message] = (await client.get(f"/api/v1/audience/{member}/messages", headers=ops)).json()["items"]
    return len(message["log"]) >= count
