"""Migration 0003 encrypts the merchants' contacts that earlier revisions kept in plain text."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from cheyou_kit.migrations import downgrade, upgrade
from merchant_svc.config import Settings
from merchant_svc.pii import cipher_for
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).parents[2]


async def test_contacts_kept_in_plain_text_come_out_encrypted_and_back(infra: Any) -> None:
    from cheyou_devinfra import ensure_database

    dsn = await ensure_database(infra.postgres_dsn, f"merchant_migration_{uuid.uuid4().hex[:10]}")
    url = make_url(dsn).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    await upgrade(ROOT, url, "0002")
    merchant_id = uuid.uuid4()
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO merchants (id, name, category, status, contact_name, contact_phone, city_codes) "
                "VALUES (:id, '老店', 'car_wash', 'active', '陈大文', '13700001111', '{350100}')"
            ),
            {"id": merchant_id},
        )

    await upgrade(ROOT, url)

    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text("SELECT contact_name_cipher, contact_phone_cipher FROM merchants WHERE id = :id"),
                {"id": merchant_id},
            )
        ).one()
    cipher = cipher_for(Settings().pii_key)
    assert b"13700001111" not in row.contact_phone_cipher
    assert cipher.decrypt("merchant", merchant_id, "contact_phone", row.contact_phone_cipher) == "13700001111"
    assert cipher.decrypt("merchant", merchant_id, "contact_name", row.contact_name_cipher) == "陈大文"

    await downgrade(ROOT, url, "0002")

    async with engine.connect() as connection:
        back = (
            await connection.execute(
                text("SELECT contact_name, contact_phone FROM merchants WHERE id = :id"), {"id": merchant_id}
            )
        ).one()
    await engine.dispose()
    assert (back.contact_name, back.contact_phone) == ("陈大文", "13700001111")
