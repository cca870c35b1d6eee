import base64
import logging
import os

import pytest
from cheyou_events.fieldcrypt import DecryptionError, Keyring
from cheyou_events.sealing import DEV_EVENTS_PII_KEY, EventSealer
from cheyou_events.settings import EventsPiiSettings
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MEMBER = "0b9c6e0e-6a55-4a0c-9d3e-6f2f4b1f0a01"
OTHER = "5d1f8a3c-2b7e-4c19-8e6a-1a2b3c4d5e6f"
PHONE = "13800138000"


@pytest.fixture
def sealer() -> EventSealer:
    return EventSealer(Keyring([os.urandom(32)]))


class TestSealing:
    def test_a_sealed_phone_unseals_and_is_not_in_clear(self, sealer: EventSealer) -> None:
        sealed = sealer.seal(PHONE, partition_key=MEMBER, field="phone")

        assert sealed.startswith("v2.")
        assert PHONE not in sealed
        assert not set(sealed) & set("=+/")
        assert sealer.unseal(sealed, partition_key=MEMBER, field="phone") == PHONE

    def test_sealing_twice_gives_different_texts(self, sealer: EventSealer) -> None:
        assert sealer.seal(PHONE, partition_key=MEMBER, field="phone") != sealer.seal(
            PHONE, partition_key=MEMBER, field="phone"
        )

    def test_a_value_moved_to_another_member_does_not_unseal(self, sealer: EventSealer) -> None:
        sealed = sealer.seal(PHONE, partition_key=MEMBER, field="phone")

        with pytest.raises(DecryptionError):
            sealer.unseal(sealed, partition_key=OTHER, field="phone")

    def test_a_value_moved_to_another_field_does_not_unseal(self, sealer: EventSealer) -> None:
        sealed = sealer.seal(PHONE, partition_key=MEMBER, field="phone")

        with pytest.raises(DecryptionError):
            sealer.unseal(sealed, partition_key=MEMBER, field="openid")

    @pytest.mark.parametrize("position", [0, 5, 12, -1])
    def test_a_tampered_value_does_not_unseal(self, sealer: EventSealer, position: int) -> None:
        sealed = sealer.seal(PHONE, partition_key=MEMBER, field="phone")
        header, body = sealed[:12], sealed[12:]
        blob = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        blob[position] ^= 0x01
        tampered = header + base64.urlsafe_b64encode(bytes(blob)).rstrip(b"=").decode()

        with pytest.raises(DecryptionError):
            sealer.unseal(tampered, partition_key=MEMBER, field="phone")

    def test_another_key_does_not_unseal(self, sealer: EventSealer) -> None:
        sealed = sealer.seal(PHONE, partition_key=MEMBER, field="phone")

        with pytest.raises(DecryptionError):
            EventSealer(Keyring([os.urandom(32)])).unseal(sealed, partition_key=MEMBER, field="phone")

    @pytest.mark.parametrize("sealed", ["v2.AAAA", "13800138000", "v1.", "v1.AAAA", "v1.!!!!"])
    def test_malformed_or_unknown_versions_are_refused(self, sealer: EventSealer, sealed: str) -> None:
        with pytest.raises(DecryptionError):
            sealer.unseal(sealed, partition_key=MEMBER, field="phone")

    def test_a_key_of_the_wrong_length_is_refused(self) -> None:
        with pytest.raises(ValueError, match="32 bytes"):
            EventSealer(Keyring([os.urandom(16)]))


class TestKeyFromSettings:
    def test_the_configured_key_is_used(self) -> None:
        key = os.urandom(32)
        sealed = EventSealer(Keyring([key])).seal(PHONE, partition_key=MEMBER, field="phone")

        configured = EventSealer.from_settings(EventsPiiSettings(pii_key=base64.b64encode(key).decode()))

        assert configured.unseal(sealed, partition_key=MEMBER, field="phone") == PHONE

    def test_the_key_is_read_from_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        key = os.urandom(32)
        monkeypatch.setenv("EVENTS_PII_KEY", base64.b64encode(key).decode())

        assert EventsPiiSettings().pii_key == base64.b64encode(key).decode()

    def test_unset_the_development_key_is_used_and_logged(self, caplog: pytest.LogCaptureFixture) -> None:
        dev = EventSealer(Keyring([base64.b64decode(DEV_EVENTS_PII_KEY)]))
        sealed = dev.seal(PHONE, partition_key=MEMBER, field="phone")

        with caplog.at_level(logging.WARNING, logger="cheyou_events.sealing"):
            fallback = EventSealer.from_settings(EventsPiiSettings(pii_key=None))

        assert fallback.unseal(sealed, partition_key=MEMBER, field="phone") == PHONE
        assert "EVENTS_PII_KEY is not set" in caplog.text

    def test_a_list_of_keys_seals_with_the_first_and_unseals_with_all(self) -> None:
        old, new = os.urandom(32), os.urandom(32)
        before = EventSealer(Keyring([old])).seal(PHONE, partition_key=MEMBER, field="phone")
        setting = f"{base64.b64encode(new).decode()},{base64.b64encode(old).decode()}"

        rotated = EventSealer.from_settings(EventsPiiSettings(pii_key=setting))
        after = rotated.seal(PHONE, partition_key=MEMBER, field="phone")

        assert rotated.unseal(before, partition_key=MEMBER, field="phone") == PHONE
        assert EventSealer(Keyring([new])).unseal(after, partition_key=MEMBER, field="phone") == PHONE


class TestEventsPublishedBefore:
    def test_a_v1_value_still_unseals(self) -> None:
        """Sealed as ``cheyou_events.sealing`` did before ``fieldcrypt`` (the exact algorithm, inline)."""
        key = os.urandom(32)
        nonce = os.urandom(12)
        aad = f"cheyou-event-pii:v1:{MEMBER}:phone".encode()
        blob = nonce + AESGCM(key).encrypt(nonce, PHONE.encode(), aad)
        published = f"v1.{base64.urlsafe_b64encode(blob).rstrip(b'=').decode()}"

        assert EventSealer(Keyring([key])).unseal(published, partition_key=MEMBER, field="phone") == PHONE

        with pytest.raises(DecryptionError):
            EventSealer(Keyring([key])).unseal(published, partition_key=OTHER, field="phone")
