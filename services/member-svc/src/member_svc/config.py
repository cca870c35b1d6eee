"""Settings of member-svc (env prefix ``MEMBER_``; platform-wide settings have none)."""

from pathlib import Path
from typing import Annotated, ClassVar

from cheyou_kit.settings import ServiceSettings, settings_dependency
from fastapi import Depends
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEMBER_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "member-svc"
    database_name: ClassVar[str] = "member"
    default_port: ClassVar[int] = 8101
    secret_settings: ClassVar[tuple[str, ...]] = ("events_pii_key",)
    key_settings: ClassVar[tuple[str, ...]] = ("pii_key", "pii_hash_key")

    events_pii_key: SecretStr | None = Field(
        default=None,
        validation_alias="EVENTS_PII_KEY",
        description="The key sealing personal data inside events (cheyou_events.sealing reads it); here so "
        "that production mode requires it and traces never carry it.",
    )
    pii_key: str | None = Field(
        default=None,
        description="AES-256-GCM keys of name, ID number and phone at rest: base64 of 32 bytes; several "
        "separated by commas to rotate (the first writes, all read).",
    )
    pii_hash_key: str | None = Field(
        default=None,
        description="HMAC-SHA256 key of the lookup hashes (base64); shared with the core policy system, "
        "which sends ``holder_id_hash`` computed with it.",
    )
    dev_key_file: Path = Field(
        default=Path(".dev/member-svc-pii-keys.json"),
        description="Where dev keys are kept when MEMBER_PII_KEY / MEMBER_PII_HASH_KEY are unset.",
    )
    verification_lease_minutes: int = Field(
        default=15,
        ge=1,
        description="A claimed verification task not finished in this time returns to the queue.",
    )
    registration_url: str = Field(
        default="https://cheyou.dev/join",
        description="The registration page a manager's invite QR or a member's referral QR opens "
        "(``?manager_code=`` or ``?referral_code=`` appended).",
    )
    card_code_ttl_seconds: int = Field(
        default=300, ge=30, description="Lifetime of a member card's signed code."
    )
    registrations_per_phone_day: int = Field(
        default=5, ge=1, description="Self-registrations an applicant's proven phone may make in a day."
    )
    registrations_per_id_day: int = Field(
        default=3, ge=1, description="Self-registrations with one ID-card number in a day (any phone)."
    )
    tier_evaluation_poll_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often the batch tier re-evaluation looks for a running run besides the NOTIFY that "
        "starts one (a run whose process stopped continues at the next look).",
    )
    tasks_interval_seconds: float = Field(
        default=3600.0,
        description="How often managers' tasks are generated from the projection (0: never; "
        "POST /api/v1/managers/task-runs runs it at once). Repeats add nothing.",
    )


SettingsDep = Annotated[Settings, Depends(settings_dependency(Settings))]
"""This service's settings, in a route or a dependency (the app's own: tests build apps with theirs)."""
