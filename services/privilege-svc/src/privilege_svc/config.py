"""Settings of privilege-svc (env prefix ``PRIVILEGE_``; platform-wide settings have none)."""

from typing import ClassVar

from cheyou_kit.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PRIVILEGE_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "privilege-svc"
    database_name: ClassVar[str] = "privilege"
    default_port: ClassVar[int] = 8102
    key_settings: ClassVar[tuple[str, ...]] = ("qr_secret",)

    flash_sale_gate: bool = Field(
        default=True,
        description="Turn flash-sale attempts away in Redis once the stock is taken, before the database.",
    )
    qr_secret: str = Field(
        default="dev-only-activity-check-in-secret",
        description="HMAC key of activity check-in QR codes; set a real secret outside development.",
    )
    points_job_interval_s: float = Field(
        default=3600.0, description="How often the points expiry and reminder job runs (0 disables it)."
    )
    points_reminder_days: int = Field(default=30, description="Remind members this many days before expiry.")
