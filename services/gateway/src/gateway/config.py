"""Settings of gateway (env prefix ``GATEWAY_``; platform-wide settings have none)."""

from typing import ClassVar

from cheyou_kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "gateway"
    database_name: ClassVar[str] = "gateway"
    default_port: ClassVar[int] = 8080
