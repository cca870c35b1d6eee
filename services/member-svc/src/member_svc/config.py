"""Settings of member-svc (env prefix ``MEMBER_``; platform-wide settings have none)."""

from typing import ClassVar

from cheyou_kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEMBER_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "member-svc"
    database_name: ClassVar[str] = "member"
    default_port: ClassVar[int] = 8101
