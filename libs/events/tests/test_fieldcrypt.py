"""The field cipher: the v2 format, key rotation, clear failures, and every format stored before it.

The ``legacy_*`` functions below are the exact algorithms the services used before ``fieldcrypt``
(copied from member-svc, merchant-svc and notify-svc's ``pii.py``, claims-svc's ``pii.py`` and
``cheyou_events.sealing`` as of commit a7e384d). They produce the samples that must keep decrypting:
values already in the services' databases and events already on the topics.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid

import pytest
from cheyou_events.fieldcrypt import BlindIndex, DecryptionError, FieldCipher, Keyring, LegacyFormat, key_id
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

OLD, NEW = os.urandom(32), os.urandom(32)
ROW = uuid.UUID("0b9c6e0e-6a55-4a0c-9d3e-6f2f4b1f0a01")
OTHER_ROW = uuid.UUID("5d1f8a3c-2b7e-4c19-8e6a-1a2b3c4d5e6f")
PHONE = "13800138000"
NAME = "林小明"


# --- the legacy algorithms, verbatim but for names ----------------------------------------------------


def legacy_member(key: bytes, member_id: uuid.UUID, field: str, value: str) -> bytes:
    """member-svc ``PiiCipher.encrypt``: ``0x01 ‖ nonce ‖ sealed``, AAD ``member:<id>:<field>``."""
    nonce = os.urandom(12)
    return (
        b"\x01" + nonce + AESGCM(key).encrypt(nonce, value.encode(), f"member:{member_id}:{field}".encode())
    )


def legacy_merchant(key: bytes, owner: str, owner_id: uuid.UUID, field: str, value: str) -> bytes:
    """merchant-svc ``PiiCipher.encrypt``: ``0x01 ‖ nonce ‖ sealed``, AAD ``<owner>:<id>:<field>``."""
    nonce = os.urandom(12)
    return (
        b"\x01" + nonce + AESGCM(key).encrypt(nonce, value.encode(), f"{owner}:{owner_id}:{field}".encode())
    )


def legacy_claims(key: bytes, claim_id: uuid.UUID, field: str, value: str) -> str:
    """claims-svc ``PiiCipher.encrypt``: ``v1.`` + padded base64url, AAD ``claim:<id>:<field>``."""
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(key).encrypt(nonce, value.encode(), f"claim:{claim_id}:{field}".encode())
    return "v1." + base64.urlsafe_b64encode(sealed).decode()


def legacy_notify(key: bytes, phone: str) -> bytes:
    """notify-svc ``PhoneCipher.encrypt``: ``nonce ‖ sealed`` with no prefix, AAD ``phone``."""
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, phone.encode(), b"phone")


def legacy_event(key: bytes, value: str, partition_key: str, field: str) -> str:
    """``cheyou_events.sealing.EventSealer.seal``: ``v1.`` + unpadded base64url, AAD names the member."""
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(
        nonce, value.encode(), f"cheyou-event-pii:v1:{partition_key}:{field}".encode()
    )
    return f"v1.{base64.urlsafe_b64encode(nonce + sealed).rstrip(b'=').decode()}"


# --- the tests ----------------------------------------------------------------------------------------


def cipher(*keys: bytes, legacy: LegacyFormat | None = None) -> FieldCipher:
    return FieldCipher(Keyring(list(keys), name="TEST_PII_KEY"), legacy=legacy)


class TestTheCurrentFormat:
    def test_a_value_round_trips_and_names_its_key(self) -> None:
        stored = cipher(NEW).encrypt(NAME, aad=b"member:1:name")

        assert stored.startswith(f"v2.{key_id(NEW)}.")
        assert NAME not in stored
        assert not set(stored) & set("=+/")
        assert cipher(NEW).decrypt(stored, aad=b"member:1:name") == NAME

    def test_the_ascii_bytes_of_a_value_decrypt_too(self) -> None:
        """What a bytea column holds."""
        stored = cipher(NEW).encrypt(PHONE, aad=b"phone").encode()

        assert cipher(NEW, legacy=LegacyFormat.BARE).decrypt(stored, aad=b"phone") == PHONE

    def test_encrypting_twice_gives_different_values(self) -> None:
        assert cipher(NEW).encrypt(PHONE) != cipher(NEW).encrypt(PHONE)

    def test_an_empty_string_round_trips(self) -> None:
        assert cipher(NEW).decrypt(cipher(NEW).encrypt("")) == ""


class TestRotation:
    def test_the_new_key_writes_and_values_under_the_old_key_still_read(self) -> None:
        before = cipher(OLD).encrypt(PHONE, aad=b"a")
        rotated = cipher(NEW, OLD)

        after = rotated.encrypt(PHONE, aad=b"a")

        assert after.split(".")[1] == key_id(NEW) != before.split(".")[1]
        assert rotated.decrypt(before, aad=b"a") == PHONE
        assert rotated.decrypt(after, aad=b"a") == PHONE

    def test_legacy_values_under_the_old_key_still_read_after_rotation(self) -> None:
        stored = legacy_member(OLD, ROW, "phone", PHONE)

        assert cipher(NEW, OLD, legacy=LegacyFormat.VERSION_BYTE).decrypt(stored, aad=_member(ROW)) == PHONE

    def test_a_setting_lists_the_writing_key_first(self) -> None:
        setting = f"{base64.b64encode(NEW).decode()}, {base64.b64encode(OLD).decode()}"

        keyring = Keyring.from_setting(setting, name="TEST_PII_KEY")

        assert keyring.current_id == key_id(NEW)
        assert keyring.ids == [key_id(NEW), key_id(OLD)]

    def test_a_retired_key_no_longer_reads(self) -> None:
        before = cipher(OLD).encrypt(PHONE)

        with pytest.raises(DecryptionError, match=rf"key '{key_id(OLD)}', which TEST_PII_KEY does not hold"):
            cipher(NEW).decrypt(before)


class TestFailures:
    def test_another_key_fails_clearly(self) -> None:
        stored = legacy_member(OLD, ROW, "phone", PHONE)

        with pytest.raises(DecryptionError, match="does not decrypt under any key of TEST_PII_KEY"):
            cipher(NEW, legacy=LegacyFormat.VERSION_BYTE).decrypt(stored, aad=_member(ROW))

    @pytest.mark.parametrize("aad", [b"member:other:name", b""])
    def test_other_associated_data_fails_clearly(self, aad: bytes) -> None:
        stored = cipher(NEW).encrypt(NAME, aad=b"member:1:name")

        with pytest.raises(DecryptionError, match=f"does not decrypt under key {key_id(NEW)}"):
            cipher(NEW).decrypt(stored, aad=aad)

    def test_a_legacy_value_moved_to_another_row_fails(self) -> None:
        stored = legacy_claims(OLD, ROW, "other_party.phone", PHONE)

        with pytest.raises(DecryptionError, match="moved to another row or field"):
            cipher(OLD, legacy=LegacyFormat.V1_TEXT).decrypt(
                stored, aad=_claim(OTHER_ROW, "other_party.phone")
            )

    @pytest.mark.parametrize("position", [0, 11, 12, -1])
    def test_a_tampered_value_fails(self, position: int) -> None:
        stored = cipher(NEW).encrypt(PHONE)
        header, body = stored[:12], stored[12:]
        blob = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        blob[position] ^= 0x01
        tampered = header + base64.urlsafe_b64encode(bytes(blob)).rstrip(b"=").decode()

        with pytest.raises(DecryptionError):
            cipher(NEW).decrypt(tampered)

    @pytest.mark.parametrize(
        "stored",
        [
            "v2.AAAA",
            "v2.x.y.z",
            f"v2.{key_id(NEW)}.!!!!",
            f"v2.{key_id(NEW)}.AAAA",
            "13800138000",
            b"\x02abc",
        ],
    )
    def test_malformed_values_are_refused(self, stored: str | bytes) -> None:
        with pytest.raises(DecryptionError):
            cipher(NEW, legacy=LegacyFormat.VERSION_BYTE).decrypt(stored)

    def test_a_legacy_format_the_service_never_wrote_is_refused(self) -> None:
        stored = legacy_claims(NEW, ROW, "driver.licence_no", "350102198507161234")

        with pytest.raises(DecryptionError, match="earlier format"):
            cipher(NEW, legacy=LegacyFormat.VERSION_BYTE).decrypt(
                stored, aad=_claim(ROW, "driver.licence_no")
            )

    @pytest.mark.parametrize("keys", [[], [os.urandom(16)], [NEW, NEW]])
    def test_a_bad_keyring_is_refused(self, keys: list[bytes]) -> None:
        with pytest.raises(ValueError, match="TEST_PII_KEY"):
            Keyring(keys, name="TEST_PII_KEY")

    @pytest.mark.parametrize("setting", ["not base64!", base64.b64encode(os.urandom(16)).decode(), ""])
    def test_a_bad_setting_is_refused_naming_it(self, setting: str) -> None:
        with pytest.raises(ValueError, match="MEMBER_PII_KEY"):
            Keyring.from_setting(setting, name="MEMBER_PII_KEY")


class TestEveryLegacyFormatStillDecrypts:
    def test_member_svc_rows(self) -> None:
        stored = legacy_member(OLD, ROW, "id_number", "35010219900307012X")

        assert cipher(OLD, legacy=LegacyFormat.VERSION_BYTE).decrypt(
            stored, aad=_member(ROW, "id_number")
        ) == ("35010219900307012X")

    def test_merchant_svc_rows(self) -> None:
        stored = legacy_merchant(OLD, "merchant-user", ROW, "name", NAME)

        aad = f"merchant-user:{ROW}:name".encode()

        assert cipher(OLD, legacy=LegacyFormat.VERSION_BYTE).decrypt(stored, aad=aad) == NAME

    @pytest.mark.parametrize("value", [PHONE, "350102198507161234", "x"])
    def test_claims_svc_values_with_base64_padding(self, value: str) -> None:
        stored = legacy_claims(OLD, ROW, "driver.licence_no", value)

        assert (
            cipher(OLD, legacy=LegacyFormat.V1_TEXT).decrypt(stored, aad=_claim(ROW, "driver.licence_no"))
            == value
        )

    def test_notify_svc_rows_without_any_prefix(self) -> None:
        stored = legacy_notify(OLD, PHONE)

        assert cipher(OLD, legacy=LegacyFormat.BARE).decrypt(stored, aad=b"phone") == PHONE

    def test_a_notify_svc_row_whose_random_nonce_begins_like_a_v2_value(self) -> None:
        nonce = b"v2." + os.urandom(9)
        stored = nonce + AESGCM(OLD).encrypt(nonce, PHONE.encode(), b"phone")  # legacy_notify, nonce fixed

        assert cipher(OLD, legacy=LegacyFormat.BARE).decrypt(stored, aad=b"phone") == PHONE

    @pytest.mark.parametrize("value", [PHONE, "1", "13912345678x"])
    def test_published_events_without_base64_padding(self, value: str) -> None:
        stored = legacy_event(OLD, value, str(ROW), "phone")
        aad = f"cheyou-event-pii:v1:{ROW}:phone".encode()

        assert cipher(OLD, legacy=LegacyFormat.V1_TEXT).decrypt(stored, aad=aad) == value


class TestBlindIndex:
    def test_it_is_the_hmac_sha256_the_core_system_computes(self) -> None:
        key = os.urandom(32)

        assert BlindIndex(key).digest(PHONE) == hmac.new(key, PHONE.encode(), hashlib.sha256).hexdigest()

    def test_equal_values_match_and_others_do_not(self) -> None:
        index = BlindIndex(os.urandom(32))

        assert index.digest(PHONE) == index.digest(PHONE) != index.digest("13800138001")

    def test_a_short_key_is_refused(self) -> None:
        with pytest.raises(ValueError, match="MEMBER_PII_HASH_KEY"):
            BlindIndex(os.urandom(16), name="MEMBER_PII_HASH_KEY")


def _member(member_id: uuid.UUID, field: str = "phone") -> bytes:
    return f"member:{member_id}:{field}".encode()


def _claim(claim_id: uuid.UUID, field: str) -> bytes:
    return f"claim:{claim_id}:{field}".encode()
