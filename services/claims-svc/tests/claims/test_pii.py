"""Values sealed before the platform field cipher still decrypt, and ``CLAIMS_PII_KEY`` rotates."""

import base64
import os
import uuid

import pytest
from cheyou_events.fieldcrypt import DecryptionError, key_id
from claims_svc import pii
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

OLD, NEW = os.urandom(32), os.urandom(32)
LICENCE_NO = "350102198507161234"


def legacy_encrypt(key: bytes, claim_id: uuid.UUID, field: str, value: str) -> str:
    """claims-svc's ``PiiCipher.encrypt`` before the field cipher (commit a7e384d), the exact algorithm."""
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(key).encrypt(nonce, value.encode(), f"claim:{claim_id}:{field}".encode())
    return "v1." + base64.urlsafe_b64encode(sealed).decode()


def setting(*keys: bytes) -> str:
    return ",".join(base64.b64encode(key).decode() for key in keys)


class TestStoredValues:
    def test_a_licence_number_sealed_before_decrypts_after_a_rotation(self) -> None:
        claim_id = uuid.uuid4()
        stored = legacy_encrypt(OLD, claim_id, "driver.licence_no", LICENCE_NO)

        assert pii.cipher_for(setting(NEW, OLD)).decrypt(claim_id, "driver.licence_no", stored) == LICENCE_NO

    def test_new_values_name_the_first_key_and_stay_bound_to_the_claim_and_field(self) -> None:
        claim_id = uuid.uuid4()
        cipher = pii.cipher_for(setting(NEW, OLD))

        sealed = pii.seal_driver(cipher, claim_id, {"name": "张三", "licence_no": LICENCE_NO})

        assert sealed["licence_no_encrypted"].startswith(f"v2.{key_id(NEW)}.")
        assert cipher.decrypt(claim_id, "driver.licence_no", sealed["licence_no_encrypted"]) == LICENCE_NO
        with pytest.raises(DecryptionError):
            cipher.decrypt(uuid.uuid4(), "driver.licence_no", sealed["licence_no_encrypted"])
        with pytest.raises(DecryptionError):
            cipher.decrypt(claim_id, "other_party.phone", sealed["licence_no_encrypted"])

    def test_a_key_that_is_not_32_bytes_names_the_setting(self) -> None:
        with pytest.raises(ValueError, match="CLAIMS_PII_KEY"):
            pii.cipher_for(base64.b64encode(os.urandom(16)).decode())
