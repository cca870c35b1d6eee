"""Settings of the events library, read from the environment and from secrets mounted as files
(pydantic-settings)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from aiokafka.helpers import create_ssl_context
from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
)

BrokerKind = Literal["apache-kafka", "tansu", "external"]

SECRETS_DIR_VARIABLE = "CHEYOU_SECRETS_DIR"
"""Where secrets mounted as files are (``:``-separated directories); unset: environment only."""


class FileSecretsSettings(BaseSettings):
    """Settings that may also come from secrets mounted as files, as Kubernetes mounts them.

    With ``CHEYOU_SECRETS_DIR`` set (one directory, or several separated by ``:``), a file named like the
    variable (``EVENTS_PII_KEY``, ``KAFKA_SASL_PASSWORD``, a service's ``MEMBER_PII_KEY``) holds the value.
    A variable that is set wins over a file; files keep secrets out of the process environment
    (``/proc/<pid>/environ``, crash reports, child processes). The directories are read when the settings
    are built, not when the class is defined (pydantic-settings' ``secrets_dir`` is fixed in the class).

    Every settings class of this library and the kit's ``ServiceSettings`` subclass it: one mechanism, so a
    secret the library reads itself (the event sealer's key, the Kafka password) is found where the
    service's own secrets are.
    """

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003 - a static secrets_dir; ours is read at start
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        directories = [Path(d) for d in os.environ.get(SECRETS_DIR_VARIABLE, "").split(":") if d.strip()]
        if not directories:
            return init_settings, env_settings, dotenv_settings
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            SecretsSettingsSource(settings_cls, secrets_dir=directories),
        )


class KafkaSettings(FileSecretsSettings):
    """``KAFKA_*``: where the broker is and how producers talk to it."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore")

    bootstrap_servers: str = "127.0.0.1:9092"
    broker_kind: BrokerKind = "apache-kafka"
    """Tansu has no idempotent producer (it answers UnknownError), so idempotence defaults off there."""
    client_id: str = "cheyou"
    acks: Literal[0, 1, "all"] = "all"
    enable_idempotence: bool | None = None
    """``None`` → on, except for Tansu."""
    linger_ms: int = Field(default=5, ge=0)
    """A few ms of batching: the relay sends bursts, and one batch per partition is in flight anyway."""
    max_batch_size: int = Field(default=256 * 1024, gt=0)
    request_timeout_ms: int = Field(default=30_000, gt=0)
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_SSL"] = "PLAINTEXT"
    """``SASL_SSL`` in production (the Strimzi listener with SCRAM-SHA-512 users); ``SSL`` with a client
    certificate for mTLS; ``PLAINTEXT`` locally."""
    ssl_cafile: str | None = None
    """The cluster CA's certificate (Strimzi's ``<cluster>-cluster-ca-cert`` Secret, key ``ca.crt``)."""
    ssl_certfile: str | None = None
    """mTLS only: the client certificate (a Strimzi ``KafkaUser`` of type ``tls``: ``user.crt``)."""
    ssl_keyfile: str | None = None
    sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    """The service's ``KafkaUser`` (its ACLs allow only its own topics and consumer groups)."""
    sasl_password: SecretStr | None = None
    """The ``KafkaUser``'s password (the User Operator's Secret, key ``password``), in production the file
    ``KAFKA_SASL_PASSWORD`` in ``CHEYOU_SECRETS_DIR``."""

    def client_options(self) -> dict[str, Any]:
        """The security arguments of every aiokafka client (producer, consumers, admin)."""
        options: dict[str, Any] = {"security_protocol": self.security_protocol}
        if self.security_protocol in ("SSL", "SASL_SSL"):
            options["ssl_context"] = create_ssl_context(
                cafile=self.ssl_cafile, certfile=self.ssl_certfile, keyfile=self.ssl_keyfile
            )
        if self.security_protocol == "SASL_SSL":
            if not self.sasl_username or self.sasl_password is None:
                raise ValueError(
                    "KAFKA_SECURITY_PROTOCOL=SASL_SSL needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"
                )
            options.update(
                sasl_mechanism=self.sasl_mechanism,
                sasl_plain_username=self.sasl_username,
                sasl_plain_password=self.sasl_password.get_secret_value(),
            )
        return options

    @property
    def idempotence(self) -> bool:
        if self.enable_idempotence is not None:
            return self.enable_idempotence
        return self.broker_kind != "tansu"


class OutboxSettings(FileSecretsSettings):
    """``OUTBOX_*``: the relay."""

    model_config = SettingsConfigDict(env_prefix="OUTBOX_", extra="ignore")

    batch_size: int = Field(default=500, gt=0)
    poll_interval_s: float = Field(default=1.0, gt=0)
    """Fallback poll when no NOTIFY arrives (a lost connection, rows inserted without the trigger)."""
    retention_days: float = Field(default=7, ge=0)
    """Published rows are kept this long so an operator can replay them."""
    inbox_retention_days: float = Field(default=30, ge=0)
    """Inbox rows (processed event ids) are kept this long; longer than the broker's retention and
    ``retention_days``, so no redelivery or replay can outlive its dedupe record."""
    purge_interval_s: float = Field(default=300, gt=0)
    standby_retry_s: float = Field(default=2.0, gt=0)
    """How often a standby relay tries to become the active one."""
    error_backoff_s: float = Field(default=1.0, gt=0)
    topic_prefix: str = ""
    """Prepended to every topic the relay publishes to (environments sharing a cluster; test isolation)."""


class ConsumerSettings(FileSecretsSettings):
    """``EVENTS_CONSUMER_*``: consumer runner, retries and the DLQ."""

    model_config = SettingsConfigDict(env_prefix="EVENTS_CONSUMER_", extra="ignore")

    max_attempts: int = Field(default=4, ge=1)
    """Handler attempts in total (the first plus retries through ``<group>.retry``) before the DLQ."""
    retry_backoff_s: float = Field(default=0.5, ge=0)
    """Delay before retry n is ``retry_backoff_s * 2**(n-1)``, capped by ``retry_backoff_max_s``."""
    retry_backoff_max_s: float = Field(default=30.0, ge=0)
    max_concurrency: int = Field(default=16, ge=1)
    """Transactions running at once per consumer; events with the same key never run concurrently."""
    transaction_batch: int = Field(default=100, ge=1)
    """Events of one lane applied in one transaction (one inbox INSERT, one COMMIT). If a handler
    fails, the transaction is rolled back and its events are applied again one per transaction, so
    only the failing one goes to retry. Handlers therefore must not have effects outside the session."""
    max_poll_records: int = Field(default=500, ge=1)
    poll_timeout_ms: int = Field(default=200, ge=0)
    session_timeout_ms: int = Field(default=10_000, gt=0)
    heartbeat_interval_ms: int = Field(default=3_000, gt=0)
    aux_topic_partitions: int = Field(default=3, ge=1)
    """Partitions of ``<group>.retry`` and ``<group>.dlq`` when the consumer creates them."""
    create_aux_topics: bool = True
    revoke_wait_s: float = Field(default=30.0, gt=0)
    """How long a revoke waits for in-flight work before giving the partitions up uncommitted."""
    metrics_interval_s: float = Field(default=15.0, gt=0)
    """How often the consumer reports the lag of every assigned partition (idle ones too) and the depth of
    its DLQ (``cheyou_events_consumer_lag``, ``cheyou_events_dlq_depth``)."""


class EventsPiiSettings(FileSecretsSettings):
    """``EVENTS_PII_KEY``: the platform key sealing personal data inside event payloads.

    Every producer and consumer of a sealed field shares it (a Kubernetes Secret, mounted as the file
    ``EVENTS_PII_KEY`` in ``CHEYOU_SECRETS_DIR``). Unset, a fixed
    development key is used and a warning is logged: never leave it unset in production.
    """

    model_config = SettingsConfigDict(env_prefix="EVENTS_", extra="ignore")

    pii_key: str | None = Field(
        default=None,
        description="AES-256-GCM keys of sealed event fields: base64 of 32 bytes; several separated by "
        "commas to rotate (the first seals, all unseal).",
    )
