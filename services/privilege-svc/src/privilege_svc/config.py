"""Settings of privilege-svc (env prefix ``PRIVILEGE_``; platform-wide settings have none)."""

from typing import ClassVar

from cheyou_kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PRIVILEGE_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "privilege-svc"
    database_name: ClassVar[str] = "privilege"
    default_port: ClassVar[int] = 8102
