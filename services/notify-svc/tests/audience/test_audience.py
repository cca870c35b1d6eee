"""notify-svc keeps its own audience projection from ``member.events``."""

import base64
import os
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from cheyou_events import Envelope, sealing
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.member import MemberContactChanged, MemberRegistered, TierChanged
from cheyou_events.fieldcrypt import DecryptionError, key_id
from cheyou_events.sealing import DEV_EVENTS_PII_KEY
from cheyou_events.settings import EventsPiiSettings
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from notify_svc.audience import service as audience
from notify_svc.config import Settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class TestAudience:
    async def test_registration_then_tier_change_shape_the_recipient(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities
    ) -> None:
        member_id = str(uuid.uuid4())
        await publish(
            service_settings.kafka_bootstrap_servers,
            Envelope.new(
                MemberRegistered(member_id=member_id, channel="wechat", registered_at=AT), source="m"
            ),
            Envelope.new(
                TierChanged(
                    member_id=member_id,
                    from_tier=Tier.PROSPECTIVE,
                    to_tier=Tier.FOUR_STAR,
                    contribution_fen=900_000,
                    reason="policy_issued",
                    changed_at=AT,
                ),
                source="m",
            ),
        )
        ops = identities.headers("notify-svc", Role.OPS)

        async def four_star() -> dict[str, str] | None:
            response = await client.get(f"/api/v1/audience/{member_id}", headers=ops)
            body = response.json() if response.status_code == 200 else {}
            return body if body.get("tier") == "four_star" else None

        recipient = await eventually(four_star)
        assert recipient["join_channel"] == "wechat"

    async def test_managers_cannot_browse_the_audience(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await client.get(
            f"/api/v1/audience/{uuid.uuid4()}", headers=identities.headers("notify-svc", Role.MANAGER)
        )

        assert response.status_code == 403


class TestContact:
    async def test_the_sealed_phone_is_kept_and_shown_masked(
        self, client: httpx.AsyncClient, service_settings: Settings, identities: Identities
    ) -> None:
        member_id, number = str(uuid.uuid4()), "13912345678"
        sealed = sealing.seal(number, partition_key=member_id, field="phone")
        await publish(
            service_settings.kafka_bootstrap_servers,
            Envelope.new(
                MemberContactChanged(member_id=member_id, phone_sealed=sealed, changed_at=AT), source="m"
            ),
        )
        ops = identities.headers("notify-svc", Role.OPS)

        async def known() -> dict[str, str] | None:
            response = await client.get(f"/api/v1/audience/{member_id}", headers=ops)
            return response.json() if response.status_code == 200 else None

        assert (await eventually(known))["phone_masked"] == "139****5678"

    async def test_a_phone_sealed_for_another_member_is_refused_and_nothing_is_kept(
        self, sessions: async_sessionmaker[AsyncSession], service_settings: Settings
    ) -> None:
        victim, member_id = str(uuid.uuid4()), str(uuid.uuid4())
        stolen = sealing.seal("13912345678", partition_key=victim, field="phone")

        with pytest.raises(DecryptionError):
            async with sessions() as session, session.begin():
                await audience.record_contact(
                    session,
                    MemberContactChanged(member_id=member_id, phone_sealed=stolen, changed_at=AT),
                    service_settings.pii_cipher,
                )

        async with sessions() as session:
            assert await audience.get(session, member_id) is None


class TestStoredBefore:
    """Phones stored, and events published, before the platform field cipher (commit a7e384d).

    The samples are made with the exact algorithms of that time: notify-svc's ``PhoneCipher.encrypt``
    (``nonce ‖ ciphertext``, no prefix, bound to ``phone``) and ``cheyou_events.sealing`` (``v1.``).
    """

    async def test_a_phone_stored_without_a_prefix_still_decrypts(
        self, sessions: async_sessionmaker[AsyncSession], service_settings: Settings
    ) -> None:
        member_id, number = str(uuid.uuid4()), "13912345678"
        nonce = os.urandom(12)
        legacy = nonce + AESGCM(base64.b64decode(service_settings.pii_key)).encrypt(
            nonce, number.encode(), b"phone"
        )
        async with sessions() as session, session.begin():
            await audience.record_contact(
                session,
                MemberContactChanged(member_id=member_id, phone="13000000000", changed_at=AT),
                service_settings.pii_cipher,
            )
            await session.execute(
                text("UPDATE recipients SET phone_encrypted = :phone WHERE member_id = :id"),
                {"phone": legacy, "id": member_id},
            )

        async with sessions() as session:
            assert (
                audience.phone_of(await audience.get(session, member_id), service_settings.pii_cipher)
                == number
            )

    async def test_a_phone_sealed_in_an_event_published_before_is_kept(
        self, sessions: async_sessionmaker[AsyncSession], service_settings: Settings
    ) -> None:
        member_id, number = str(uuid.uuid4()), "13912345678"
        events_key = base64.b64decode(EventsPiiSettings().pii_key or DEV_EVENTS_PII_KEY)
        nonce = os.urandom(12)
        aad = f"cheyou-event-pii:v1:{member_id}:phone".encode()
        blob = nonce + AESGCM(events_key).encrypt(nonce, number.encode(), aad)
        published = "v1." + base64.urlsafe_b64encode(blob).rstrip(b"=").decode()

        async with sessions() as session, session.begin():
            await audience.record_contact(
                session,
                MemberContactChanged(member_id=member_id, phone_sealed=published, changed_at=AT),
                service_settings.pii_cipher,
            )

        async with sessions() as session:
            recipient = await audience.get(session, member_id)
            assert audience.phone_of(recipient, service_settings.pii_cipher) == number
            assert recipient is not None
            assert recipient.phone_encrypted is not None
            current = key_id(base64.b64decode(service_settings.pii_key))
            assert recipient.phone_encrypted.startswith(f"v2.{current}.".encode())
