"""Webhook signing secrets are sealed at rest with the field cipher (security issue 17, Low): a dump of
the database gives no secret that signs; secrets stored in clear before the release keep working, and the
migration seals them."""

from __future__ import annotations

import uuid
from pathlib import Path

from cheyou_devinfra import Infra
from cheyou_kit.migrations import downgrade, upgrade
from cheyou_kit.testing import migrated_database
from merchant_svc.config import Settings
from merchant_svc.pii import cipher_for
from merchant_svc.webhooks.secret_store import unseal
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from ..world import World, new_privilege  # noqa: TID252  (shared test helpers, no package path)

ROOT = Path(__file__).parents[2]


async def _stored(world: World, endpoint_id: str) -> list[str]:
    async with world.sessions() as session:
        rows = await session.execute(
            text("SELECT secret FROM webhook_secrets WHERE endpoint_id = :id ORDER BY created_at"),
            {"id": endpoint_id},
        )
        return [str(value) for value in rows.scalars()]


async def _secrets(world: World, endpoint_id: str) -> list[str]:
    answer = await world.client.get(f"/api/v1/webhook-endpoints/{endpoint_id}/secrets", headers=world.ops)
    assert answer.status_code == 200, answer.text
    return [s["secret"] for s in answer.json()]


class TestSecretsAtRest:
    async def test_a_database_dump_holds_no_signing_secret(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        endpoint = await world.endpoint(merchant["id"], "http://127.0.0.1:9/hooks")
        rotated = await world.client.post(
            f"/api/v1/webhook-endpoints/{endpoint['id']}/secrets/rotate", json={}, headers=world.ops
        )
        issued = [endpoint["secret"], rotated.json()["secret"]]

        stored = await _stored(world, endpoint["id"])

        assert all(secret.startswith("whsec_") for secret in issued)
        assert len(stored) == 2
        assert not any(value.startswith("whsec_") or secret in value for value in stored for secret in issued)
        assert sorted(await _secrets(world, endpoint["id"])) == sorted(
            issued
        )  # the merchant still reads them

    async def test_a_secret_stored_in_clear_before_the_release_is_still_read(self, world: World) -> None:
        merchant = await world.merchant(new_privilege())
        endpoint = await world.endpoint(merchant["id"], "http://127.0.0.1:9/hooks")
        async with world.sessions() as session, session.begin():
            await session.execute(
                text("UPDATE webhook_secrets SET secret = :clear WHERE endpoint_id = :id"),
                {"clear": endpoint["secret"], "id": endpoint["id"]},
            )

        assert await _secrets(world, endpoint["id"]) == [endpoint["secret"]]

    async def test_the_migration_seals_what_was_stored_in_clear_and_back(self, infra: Infra) -> None:
        url = await migrated_database(infra, ROOT, "merchant_seal")
        engine = create_async_engine(url)
        merchant_id, endpoint_id, secret_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        clear = "whsec_" + "A" * 43
        try:
            await downgrade(ROOT, url, "0004")
            async with engine.begin() as connection:
                await connection.execute(
                    text(
                        "INSERT INTO merchants (id, name, category, status, city_codes, score) "
                        "VALUES (:id, '福州洁车坊', 'car_wash', 'active', '{350100}', 80)"
                    ),
                    {"id": merchant_id},
                )
                await connection.execute(
                    text(
                        "INSERT INTO webhook_endpoints (id, merchant_id, url, status, max_in_flight) "
                        "VALUES (:id, :merchant, 'https://hooks.example.com/x', 'enabled', 4)"
                    ),
                    {"id": endpoint_id, "merchant": merchant_id},
                )
                await connection.execute(
                    text("INSERT INTO webhook_secrets (id, endpoint_id, secret) VALUES (:id, :endpoint, :s)"),
                    {"id": secret_id, "endpoint": endpoint_id, "s": clear},
                )

            await upgrade(ROOT, url)
            sealed = await _one(url, secret_id)
            await downgrade(ROOT, url, "0004")
            opened_again = await _one(url, secret_id)
        finally:
            await engine.dispose()

        assert not sealed.startswith("whsec_")
        assert clear not in sealed
        assert unseal(cipher_for(Settings().pii_key), endpoint_id, sealed) == clear
        assert opened_again == clear


async def _one(url: str, secret_id: uuid.UUID) -> str:
    """The stored value, on a connection of its own (the column's type changes between reads)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                text("SELECT secret FROM webhook_secrets WHERE id = :id"), {"id": secret_id}
            )
            return str(result.scalar_one())
    finally:
        await engine.dispose()
