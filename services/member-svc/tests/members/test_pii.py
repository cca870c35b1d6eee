"""Personal data at rest: rows written before the platform field cipher still decrypt, and keys rotate."""

import base64
import os
import uuid
from datetime import UTC, datetime

import pytest
from cheyou_events.fieldcrypt import DecryptionError, Keyring, key_id
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from member_svc.config import Settings
from member_svc.members import service
from member_svc.members.models import Member
from member_svc.members.schemas import MemberCreate
from member_svc.pii import PiiCipher
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..factories import registration  # noqa: TID252

OLD, NEW, HASH_KEY = os.urandom(32), os.urandom(32), os.urandom(32)
NOW = datetime.now(UTC)


def legacy_encrypt(key: bytes, member_id: uuid.UUID, field: str, value: str) -> bytes:
    """member-svc's ``PiiCipher.encrypt`` before the field cipher (commit a7e384d), the exact algorithm."""
    nonce = os.urandom(12)
    return (
        b"\x01" + nonce + AESGCM(key).encrypt(nonce, value.encode(), f"member:{member_id}:{field}".encode())
    )


async def stored(session: AsyncSession, member_id: uuid.UUID) -> Member:
    session.expunge_all()
    return (await session.execute(select(Member).where(Member.id == member_id))).scalar_one()


class TestStoredValues:
    async def test_a_row_written_before_still_decrypts_after_a_rotation(self, session: AsyncSession) -> None:
        data = registration()
        member = await service.register(
            session, PiiCipher(Keyring([OLD]), HASH_KEY), MemberCreate.model_validate(data), NOW
        )
        await session.execute(
            update(Member)
            .where(Member.id == member.id)
            .values(
                name_enc=legacy_encrypt(OLD, member.id, "name", data["name"]),
                id_number_enc=legacy_encrypt(OLD, member.id, "id_number", data["id_number"]),
                phone_enc=legacy_encrypt(OLD, member.id, "phone", data["phone"]),
            )
        )

        read = service.decrypt(PiiCipher(Keyring([NEW, OLD]), HASH_KEY), await stored(session, member.id))

        assert (read.name, read.id_number, read.phone) == (data["name"], data["id_number"], data["phone"])

    async def test_new_writes_name_the_current_key_and_are_bound_to_the_member(
        self, session: AsyncSession
    ) -> None:
        data = registration()
        pii = PiiCipher(Keyring([NEW, OLD]), HASH_KEY)
        member = await service.register(session, pii, MemberCreate.model_validate(data), NOW)
        row = await stored(session, member.id)

        assert row.phone_enc.startswith(f"v2.{key_id(NEW)}.".encode())
        assert data["phone"].encode() not in row.phone_enc
        assert service.decrypt(pii, row).phone == data["phone"]
        with pytest.raises(DecryptionError):
            pii.decrypt(uuid.uuid4(), "phone", row.phone_enc)
        with pytest.raises(DecryptionError):
            pii.decrypt(member.id, "name", row.phone_enc)


class TestKeysFromSettings:
    def test_member_pii_key_may_list_the_writing_key_then_older_ones(self) -> None:
        settings = Settings(
            pii_key=f"{base64.b64encode(NEW).decode()},{base64.b64encode(OLD).decode()}",
            pii_hash_key=base64.b64encode(HASH_KEY).decode(),
        )
        member_id = uuid.uuid4()

        pii = PiiCipher.from_settings(settings)

        assert pii.decrypt(member_id, "phone", legacy_encrypt(OLD, member_id, "phone", "13800138000")) == (
            "13800138000"
        )
        assert pii.encrypt(member_id, "phone", "13800138000").startswith(f"v2.{key_id(NEW)}.".encode())

    def test_a_malformed_key_names_the_setting(self) -> None:
        settings = Settings(pii_key="c2hvcnQ=", pii_hash_key=base64.b64encode(HASH_KEY).decode())

        with pytest.raises(ValueError, match="MEMBER_PII_KEY"):
            PiiCipher.from_settings(settings)


class TestCardCode:
    """A member card's code stays the same for half its lifetime (its QR is drawn once), and every code
    handed out is valid for more than half of it (issue 20)."""

    def test_the_code_is_the_same_within_half_its_lifetime_and_valid_long_enough(self) -> None:
        pii, member_id, ttl = PiiCipher(Keyring([NEW]), HASH_KEY), uuid.uuid4(), 300
        start = 1_800_000_000.0  # a multiple of 150: the start of a step

        codes = [pii.card_code(member_id, ttl, now=start + offset) for offset in (0, 60, 149.9, 150)]

        assert codes[0] == codes[1] == codes[2] != codes[3]
        for offset, code in zip((0, 60, 149.9, 150), codes, strict=True):
            expires = int(code.split(".")[2])
            assert ttl / 2 < expires - (start + offset) <= ttl
            assert pii.read_card_code(code, now=start + offset) == member_id
        with pytest.raises(Exception, match="expired"):
            pii.read_card_code(codes[0], now=start + ttl + 1)
