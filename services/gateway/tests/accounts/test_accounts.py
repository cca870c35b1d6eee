"""The gateway learns who may sign in from ``member.events``; the newest fact wins."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cheyou_events import Envelope
from cheyou_events.catalogue.member import MemberRegistered, MemberVerified
from cheyou_kit.testing import eventually, publish
from gateway.accounts import service
from gateway.config import Settings
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class TestAccounts:
    @pytest.mark.usefixtures("client")  # the running app is what consumes the topic
    async def test_a_verified_member_becomes_active(self, service_settings: Settings) -> None:
        member_id = str(uuid.uuid4())
        await publish(
            service_settings.kafka_bootstrap_servers,
            Envelope.new(MemberRegistered(member_id=member_id, channel="web", registered_at=AT), source="m"),
            Envelope.new(
                MemberVerified(member_id=member_id, reviewer_id="r1", verified_at=AT + timedelta(hours=1)),
                source="m",
            ),
        )
        engine = create_async_engine(service_settings.sqlalchemy_url)

        async def active() -> str | None:
            async with AsyncSession(engine) as session:
                account = await service.get(session, member_id)
                return account.status if account is not None and account.status == "active" else None

        try:
            assert await eventually(active) == "active"
        finally:
            await engine.dispose()

    async def test_a_late_registration_does_not_reopen_a_verified_account(
        self, session: AsyncSession
    ) -> None:
        member_id = str(uuid.uuid4())

        await service.record(session, MemberVerified(member_id=member_id, reviewer_id="r1", verified_at=AT))
        await service.record(
            session,
            MemberRegistered(member_id=member_id, channel="web", registered_at=AT - timedelta(hours=1)),
        )

        account = await service.get(session, member_id)
        assert account is not None
        assert account.status == "active"
