"""Settings of notify-svc (env prefix ``NOTIFY_``; platform-wide settings have none)."""

from typing import ClassVar

from cheyou_kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "notify-svc"
    database_name: ClassVar[str] = "notify"
    default_port: ClassVar[int] = 8105
