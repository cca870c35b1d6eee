"""Settings of claims-svc (env prefix ``CLAIMS_``; platform-wide settings have none)."""

from typing import ClassVar

from cheyou_kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CLAIMS_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "claims-svc"
    database_name: ClassVar[str] = "claims"
    default_port: ClassVar[int] = 8104
