"""Merchants call with an API key that merchant-svc verifies; good answers are cached briefly."""

import asyncio
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from cheyou_events import Envelope
from cheyou_events.catalogue.merchant import MerchantApiKeyRevoked, MerchantSuspended
from cheyou_kit.testing import eventually, publish
from gateway.config import Settings

from .conftest import GatewayFactory
from .stand_ins import World, key_subject


def _key(world: World, status: str = "active") -> tuple[str, uuid.UUID]:
    key, merchant_id = f"mk_{secrets.token_urlsafe(24)}", uuid.uuid4()
    world.merchant_keys[key] = (merchant_id, status)
    return key, merchant_id


class TestMerchantApiKey:
    async def test_a_merchant_reaches_the_merchant_api_as_itself(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        key, merchant_id = _key(world)

        response = await client.get("/api/v1/merchant-api/orders", headers={"X-Api-Key": key})

        assert response.status_code == 200, response.text
        assert response.json()["merchant_id"] == str(merchant_id)

    async def test_the_key_itself_never_reaches_the_service(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        key, merchant_id = _key(world)

        echo = (await client.get("/api/v1/fulfilments/echo", headers={"X-Api-Key": key})).json()

        assert echo["api_key"] is None
        assert echo["principal"]["merchant_id"] == str(merchant_id)
        assert echo["principal"]["role"] == "merchant"
        assert echo["principal"]["subject"] == key_subject(key), "the service learns which key acted"

    async def test_a_good_answer_is_cached(self, client: httpx.AsyncClient, world: World) -> None:
        key, _ = _key(world)

        for _ in range(3):
            await client.get("/api/v1/merchant-api/orders", headers={"X-Api-Key": key})

        assert world.key_verifications[key] == 1

    async def test_an_unknown_key_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/merchant-api/orders", headers={"X-Api-Key": "mk_unknown"})

        assert response.status_code == 401
        assert response.json()["type"].endswith("/invalid-api-key")

    async def test_a_refusal_is_forgotten_within_seconds(self, gateway: GatewayFactory, world: World) -> None:
        key = f"mk_{secrets.token_urlsafe(24)}"
        async with gateway(merchant_key_negative_cache_seconds=1) as gw:
            refused = await gw.get("/api/v1/merchant-api/orders", headers={"X-Api-Key": key})
            world.merchant_keys[key] = (uuid.uuid4(), "active")
            await asyncio.sleep(1.2)
            accepted = await gw.get("/api/v1/merchant-api/orders", headers={"X-Api-Key": key})

        assert refused.status_code == 401
        assert accepted.status_code == 200

    async def test_a_suspended_merchant_is_refused(self, client: httpx.AsyncClient, world: World) -> None:
        key, _ = _key(world, status="suspended")

        response = await client.get("/api/v1/merchant-api/orders", headers={"X-Api-Key": key})

        assert response.status_code == 403


class TestRevokedKeys:
    """Security issue 17 (Low): a revoked key kept working for the gateway's whole cache time (60 s)."""

    async def test_a_revoked_key_is_refused_as_soon_as_the_event_arrives(
        self, client: httpx.AsyncClient, world: World, service_settings: Settings
    ) -> None:
        key, merchant_id = _key(world)
        cached = await client.get("/api/v1/merchant-api/orders", headers={"X-Api-Key": key})
        assert cached.status_code == 200
        # merchant-svc revokes it (its outbox relay puts the event on merchant.events)
        del world.merchant_keys[key]
        revoked = MerchantApiKeyRevoked(
            merchant_id=str(merchant_id),
            api_key_id=str(uuid.uuid5(uuid.NAMESPACE_OID, key)),
            reason="revoked",
            effective_at=datetime.now(UTC),
        )
        await publish(service_settings.kafka_bootstrap_servers, Envelope.new(revoked, source="merchant-svc"))

        async def refused() -> int | None:
            status = (await client.get("/api/v1/merchant-api/orders", headers={"X-Api-Key": key})).status_code
            return status if status == 401 else None

        assert await eventually(refused, within=10) == 401
        # … on every route, not only the one that was asked
        other = await client.get("/api/v1/fulfilments/echo", headers={"X-Api-Key": key})
        assert other.status_code == 401

    async def test_every_key_of_a_suspended_merchant_is_checked_again_at_once(
        self, client: httpx.AsyncClient, world: World, service_settings: Settings
    ) -> None:
        merchant_id = uuid.uuid4()
        keys = [f"mk_{secrets.token_urlsafe(24)}" for _ in range(2)]
        for key in keys:
            world.merchant_keys[key] = (merchant_id, "active")
            assert (
                await client.get("/api/v1/merchant-api/orders", headers={"X-Api-Key": key})
            ).status_code == 200
        for key in keys:
            world.merchant_keys[key] = (merchant_id, "suspended")
        suspended = MerchantSuspended(
            merchant_id=str(merchant_id), reason="投诉成立", suspended_at=datetime.now(UTC)
        )
        await publish(
            service_settings.kafka_bootstrap_servers, Envelope.new(suspended, source="merchant-svc")
        )

        async def all_refused() -> list[int] | None:
            statuses = [
                (await client.get("/api/v1/merchant-api/orders", headers={"X-Api-Key": key})).status_code
                for key in keys
            ]
            return statuses if statuses == [403, 403] else None

        assert await eventually(all_refused, within=10) == [403, 403]

    async def test_a_rotated_keys_answer_is_not_cached_past_its_overlap(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        key, _ = _key(world)
        world.merchant_key_expiry[key] = datetime.now(UTC) + timedelta(seconds=1)

        during = await client.get("/api/v1/merchant-api/orders", headers={"X-Api-Key": key})
        del world.merchant_keys[key]  # merchant-svc no longer knows it once the overlap is over
        await asyncio.sleep(1.5)
        after = await client.get("/api/v1/merchant-api/orders", headers={"X-Api-Key": key})

        assert during.status_code == 200
        assert after.status_code == 401
