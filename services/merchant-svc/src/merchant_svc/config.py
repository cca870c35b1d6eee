"""Settings of merchant-svc (env prefix ``MERCHANT_``; platform-wide settings have none)."""

import ipaddress
from typing import Annotated, ClassVar

from cheyou_kit.settings import ServiceSettings, settings_dependency
from fastapi import Depends
from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

DAY_S = 86_400.0
DEV_PII_KEY = "Y2hleW91LW1lcmNoYW50LWRldi1vbmx5LXBpaS1rZXk="  # 32 bytes, for dev and tests only
DEV_PII_HASH_KEY = "Y2hleW91LW1lcmNoYW50LWRldi1vbmx5LWhhc2hrZXk="  # 32 bytes, for dev and tests only


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MERCHANT_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "merchant-svc"
    database_name: ClassVar[str] = "merchant"
    default_port: ClassVar[int] = 8103
    key_settings: ClassVar[tuple[str, ...]] = ("pii_key", "pii_hash_key")
    development_only_settings: ClassVar[tuple[str, ...]] = ("seed_demo", "webhook_allowed_networks")

    seed_demo: bool = Field(default=True, description="Create the demo merchants (idempotent) at start-up.")
    webhook_allowed_networks: list[str] = Field(
        default=[],
        description="Private networks (CIDR, JSON list) webhooks may be sent to besides public addresses: "
        'the local platform and the tests set ["127.0.0.0/8", "::1/128"]; none in production. Cloud '
        "metadata addresses are refused even inside them.",
    )
    webhook_egress_proxy: str | None = Field(
        default=None,
        description="Send webhooks through this HTTP(S) proxy (e.g. http://egress-proxy:3128), which must "
        "refuse internal addresses itself; unset: connect directly, to the address checked at connect time.",
    )
    delivery_worker_enabled: bool = Field(default=True, description="Run the webhook delivery worker.")
    webhook_retry_schedule_s: list[float] = Field(
        default=[5, 300, 1_800, 7_200, 18_000, 36_000, 36_000],
        description="Delay before each retry after a failed attempt (the first attempt is immediate).",
    )
    webhook_retry_jitter: float = Field(default=0.2, ge=0, lt=1, description="± fraction of each delay.")
    webhook_timeout_s: float = Field(default=15, gt=0)
    webhook_max_retry_after_s: float = Field(default=DAY_S, gt=0)
    webhook_disable_after_s: float = Field(
        default=5 * DAY_S, gt=0, description="An endpoint failing without a success this long is disabled."
    )
    webhook_secret_overlap_s: float = Field(default=DAY_S, ge=0)
    webhook_endpoint_max_in_flight: int = Field(default=4, ge=1)
    webhook_worker_concurrency: int = Field(default=64, ge=1)
    webhook_poll_interval_s: float = Field(default=1.0, gt=0)
    webhook_response_excerpt_chars: int = Field(
        default=200, ge=0, le=1000, description="How much of a merchant's answer an attempt keeps (cleaned)."
    )
    api_key_rotation_overlap_s: float = Field(default=DAY_S, ge=0)
    pii_key: str = Field(
        default=DEV_PII_KEY,
        description="AES-256-GCM keys of merchant users' names and phones at rest: base64 of 32 bytes; "
        "several separated by commas to rotate (the first writes, all read).",
    )
    pii_hash_key: str = Field(
        default=DEV_PII_HASH_KEY,
        description="HMAC-SHA256 key (base64 of 32 bytes) of the keyed hash that finds a merchant user by "
        "phone (staff sign-in); changing it needs the hashes recomputed.",
    )
    accept_deadline_worker_enabled: bool = Field(
        default=True, description="Run the job that re-dispatches orders not accepted in time."
    )
    accept_deadline_poll_interval_s: float = Field(default=30.0, gt=0)
    accept_deadline_batch: int = Field(
        default=100, ge=1, description="Overdue orders handled per transaction."
    )

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        return [str(ipaddress.ip_network(n, strict=False)) for n in value]  # ValueError names a bad one


SettingsDep = Annotated[Settings, Depends(settings_dependency(Settings))]
"""This service's settings, in a route or a dependency (the app's own: tests build apps with theirs)."""
