"""Secrets as files: the secrets the events library reads itself (the sealer's key, the Kafka password) come
from files in ``CHEYOU_SECRETS_DIR`` as the services' own secrets do (issue 23, item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cheyou_events.fieldcrypt import DecryptionError, Keyring
from cheyou_events.sealing import DEV_EVENTS_PII_KEY, EventSealer
from cheyou_events.settings import SECRETS_DIR_VARIABLE, EventsPiiSettings, KafkaSettings

FILE_KEY = "ZmlsZS1rZXktb2YtdGhpcy1jbHVzdGVyLTAxMjM0NTY="  # 32 bytes
MEMBER = "0b9c6e0e-6a55-4a0c-9d3e-6f2f4b1f0a01"


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EVENTS_PII_KEY", "KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(SECRETS_DIR_VARIABLE, raising=False)


def write(directory: Path, **files: str) -> Path:
    directory.mkdir(exist_ok=True)
    for name, value in files.items():
        (directory / name).write_text(value + "\n")  # as `kubectl create secret --from-file` may leave it
    return directory


def test_the_events_pii_key_is_read_from_a_file_and_seals_under_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRETS_DIR_VARIABLE, str(write(tmp_path, EVENTS_PII_KEY=FILE_KEY)))

    settings = EventsPiiSettings()

    assert settings.pii_key == FILE_KEY
    sealed = EventSealer.from_settings(settings).seal("13800138000", partition_key=MEMBER, field="phone")
    under_the_file_key = EventSealer(Keyring.from_setting(FILE_KEY, name="EVENTS_PII_KEY"))
    assert under_the_file_key.unseal(sealed, partition_key=MEMBER, field="phone") == "13800138000"
    under_the_dev_key = EventSealer(Keyring.from_setting(DEV_EVENTS_PII_KEY, name="dev"))
    with pytest.raises(DecryptionError):
        under_the_dev_key.unseal(sealed, partition_key=MEMBER, field="phone")


def test_the_kafka_password_is_read_from_a_file_and_reaches_the_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = write(tmp_path / "platform", REDIS_URL="rediss://redis.cheyou:6380/0")
    user = write(tmp_path / "user", KAFKA_SASL_PASSWORD="scram-password-from-the-kafkauser-secret")
    monkeypatch.setenv(SECRETS_DIR_VARIABLE, f"{platform}:{user}")  # several directories
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "member-svc")

    options = KafkaSettings().client_options()

    assert options["sasl_plain_password"] == "scram-password-from-the-kafkauser-secret"


def test_a_variable_that_is_set_wins_over_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, EVENTS_PII_KEY=FILE_KEY, KAFKA_SASL_PASSWORD="from-the-file")
    monkeypatch.setenv(SECRETS_DIR_VARIABLE, str(tmp_path))
    monkeypatch.setenv("EVENTS_PII_KEY", DEV_EVENTS_PII_KEY)
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "from-the-environment")

    assert EventsPiiSettings().pii_key == DEV_EVENTS_PII_KEY
    password = KafkaSettings().sasl_password
    assert password is not None
    assert password.get_secret_value() == "from-the-environment"


def test_without_the_directory_setting_no_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "EVENTS_PII_KEY").write_text(FILE_KEY)
    (tmp_path / "KAFKA_SASL_PASSWORD").write_text("never-read")

    assert EventsPiiSettings().pii_key is None
    assert KafkaSettings().sasl_password is None
