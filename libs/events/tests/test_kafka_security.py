"""The services' Kafka clients speak TLS and SCRAM-SHA-512 when told to (the prod overlay's listener)."""

from __future__ import annotations

import ssl

import pytest
from cheyou_events import create_producer
from cheyou_events.settings import KafkaSettings
from pydantic import SecretStr


def test_plaintext_by_default() -> None:
    assert KafkaSettings().client_options() == {"security_protocol": "PLAINTEXT"}


def test_sasl_ssl_carries_the_users_scram_credentials_and_a_verifying_tls_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "member-svc")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "scram-password")

    options = KafkaSettings().client_options()

    assert options["security_protocol"] == "SASL_SSL"
    assert (options["sasl_mechanism"], options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "SCRAM-SHA-512",
        "member-svc",
        "scram-password",
    )
    context: ssl.SSLContext = options["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


def test_sasl_ssl_without_a_user_is_refused() -> None:
    with pytest.raises(ValueError, match="KAFKA_SASL_USERNAME"):
        KafkaSettings(security_protocol="SASL_SSL").client_options()


async def test_the_producer_is_built_with_them() -> None:
    settings = KafkaSettings(
        security_protocol="SASL_SSL", sasl_username="notify-svc", sasl_password=SecretStr("p")
    )

    producer = create_producer(settings)

    assert producer.client._security_protocol == "SASL_SSL"
    assert producer.client._sasl_mechanism == "SCRAM-SHA-512"
    assert producer.client._sasl_plain_username == "notify-svc"
