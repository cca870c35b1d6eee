"""Settings of claims-svc (env prefix ``CLAIMS_``; platform-wide settings have none)."""

from datetime import time
from pathlib import Path
from typing import Annotated, ClassVar

from cheyou_kit.settings import ServiceSettings
from fastapi import Depends, Request
from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import SettingsConfigDict


class ServiceArea(BaseModel):
    """A region the branch handles claims in, as a bounding box (WGS-84)."""

    code: str
    name: str
    min_lat: float
    max_lat: float
    min_lng: float
    max_lng: float

    def contains(self, lat: float, lng: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lng <= lng <= self.max_lng


FUZHOU = ServiceArea(
    code="350100", name="福州市", min_lat=25.25, max_lat=26.75, min_lng=118.35, max_lng=120.65
)


DEV_PII_KEY = "Y2hleW91LWNsYWltcy1kZXYtb25seS1waWkta2V5MzI="  # 32 bytes, for dev and tests only


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CLAIMS_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "claims-svc"
    database_name: ClassVar[str] = "claims"
    default_port: ClassVar[int] = 8104

    pii_key: SecretStr = Field(
        default=SecretStr(DEV_PII_KEY),
        description="AES-256-GCM keys of the other party's phone and the driver's licence number: base64 of "
        "32 bytes; several separated by commas to rotate (the first writes, all read).",
    )
    storage_dir: Path = Field(
        default=Path(".dev/claims-files"), description="Where photos and documents are kept (local storage)."
    )
    s3_bucket: str | None = Field(
        default=None, description="Keep photos and documents in this S3-compatible bucket, not storage_dir."
    )
    s3_endpoint_url: str | None = Field(default=None, description="The S3 API's URL (default: AWS's).")
    s3_region: str | None = None
    s3_access_key_id: str | None = Field(
        default=None, description="With s3_secret_access_key; unset: the default chain (env, IRSA, …)."
    )
    s3_secret_access_key: SecretStr | None = None
    s3_key_prefix: str = Field(default="", description="Prefix of every object key, e.g. 'claims-svc/'.")
    s3_path_style: bool = Field(default=False, description="Path-style URLs (most S3-compatible servers).")
    s3_max_connections: int = Field(default=16, ge=1, le=256)
    branch_code: str = Field(default="3501", description="Prefix of claim numbers (the handling branch).")
    fast_claim_limit_fen: int = Field(
        default=1_000_000, description="Losses clearly over this go to on-site handling (10,000 yuan)."
    )
    service_areas: list[ServiceArea] = Field(
        default_factory=lambda: [FUZHOU], description="JSON list of {code, name, min_lat, max_lat, ...}."
    )
    timezone: str = "Asia/Shanghai"
    service_opens: time = Field(default=time(8, 0), description="Online survey service hours, every day.")
    service_closes: time = time(20, 0)
    duplicate_window_minutes: int = Field(
        default=120, description="Reports of one plate or policy this close in loss time are flagged."
    )
    loss_time_tolerance_seconds: int = Field(
        default=300, description="Clock skew allowed before a loss time counts as in the future."
    )
    photo_max_bytes: int = 10 * 1024 * 1024
    document_max_bytes: int = 10 * 1024 * 1024
    photo_max_pixels: int = 50_000_000
    photo_stale_hours: int = Field(
        default=24, description="A photo taken this long before the loss is flagged for the surveyor."
    )


def get_settings(request: Request) -> Settings:
    settings = request.app.state.resources.settings
    assert isinstance(settings, Settings)
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]
"""This service's settings, in a route."""
