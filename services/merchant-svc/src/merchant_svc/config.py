"""Settings of merchant-svc (env prefix ``MERCHANT_``; platform-wide settings have none)."""

from typing import ClassVar

from cheyou_kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MERCHANT_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "merchant-svc"
    database_name: ClassVar[str] = "merchant"
    default_port: ClassVar[int] = 8103
