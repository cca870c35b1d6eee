"""Merchants call with an API key that merchant-svc verifies; good answers are cached briefly."""

import asyncio
import secrets
import uuid

import httpx

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
