"""Settings of claims-svc (env prefix ``CLAIMS_``; platform-wide settings have none)."""

from datetime import time
from pathlib import Path
from typing import Annotated, ClassVar

from cheyou_kit.settings import ServiceSettings, settings_dependency
from fastapi import Depends
from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from claims_svc.uploads import ImageLimits


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
    secret_settings: ClassVar[tuple[str, ...]] = ("events_pii_key",)
    key_settings: ClassVar[tuple[str, ...]] = ("pii_key",)
    provider_url_settings: ClassVar[tuple[str, ...]] = ("sms_api_base_url",)

    events_pii_key: SecretStr | None = Field(
        default=None,
        validation_alias="EVENTS_PII_KEY",
        description="The key sealing personal data inside events (cheyou_events.sealing reads it); here so "
        "that production mode requires it and traces never carry it.",
    )
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
    photo_max_pixels: int = Field(
        default=50_000_000,
        ge=1,
        description="An image (photo, or a document scan) may declare at most this many pixels; checked "
        "from its header, before anything is decoded.",
    )
    image_max_side: int = Field(
        default=16_384, ge=1, description="An image may declare at most this many pixels on either side."
    )
    image_max_decoded_bytes: int = Field(
        default=200 * 1024 * 1024,
        ge=1,
        description="The memory one decoded image may take (width × height × bytes per pixel in its mode); "
        "the bound on what one upload can make the service allocate.",
    )
    photo_stale_hours: int = Field(
        default=24, description="A photo taken this long before the loss is flagged for the surveyor."
    )

    sms_api_base_url: str = Field(
        default="http://127.0.0.1:8191",
        validation_alias="SMS_API_BASE_URL",
        description="The SMS provider (SendSms), as the gateway's sign-in codes use it.",
    )
    sms_access_key_id: str = Field(default="cheyou-dev-sms-key", validation_alias="SMS_ACCESS_KEY_ID")
    sms_sign_name: str = Field(default="车友俱乐部", validation_alias="SMS_SIGN_NAME")
    liability_sms_template_code: str = Field(
        default="SMS_CHEYOU_LIABILITY",
        description="The provider's template of the other party's code: params claim_no, plate, "
        "liability (the other party's share in words), code, minutes.",
    )
    liability_code_ttl_seconds: int = Field(
        default=600, ge=60, description="How long the other party's code works."
    )
    liability_code_max_attempts: int = Field(
        default=5, ge=1, description="Wrong codes allowed before the code stops working."
    )
    liability_code_resend_seconds: int = Field(
        default=60, ge=0, description="At most one code per claim in this many seconds."
    )
    liability_codes_per_claim: int = Field(default=5, ge=1, description="Codes one claim may send at all.")
    liability_codes_per_phone_hour: int = Field(
        default=5, ge=1, description="Codes one phone number may receive in an hour, over all claims."
    )
    liability_codes_per_phone_day: int = Field(default=10, ge=1)
    liability_confirm_within_minutes: int = Field(
        default=24 * 60,
        ge=1,
        description="A split the other party has not confirmed this long after it was first proposed goes "
        "to a surveyor on site (liability_unconfirmed).",
    )
    liability_sweep_seconds: float = Field(
        default=60.0, gt=0, description="How often overdue splits are looked for (0 < s)."
    )

    @property
    def image_limits(self) -> ImageLimits:
        return ImageLimits(
            max_pixels=self.photo_max_pixels,
            max_side=self.image_max_side,
            max_decoded_bytes=self.image_max_decoded_bytes,
        )


SettingsDep = Annotated[Settings, Depends(settings_dependency(Settings))]
"""This service's settings, in a route or a dependency (the app's own: tests build apps with theirs)."""
