"""Settings of privilege-svc (env prefix ``PRIVILEGE_``; platform-wide settings have none)."""

from pathlib import Path
from typing import Annotated, ClassVar

from cheyou_kit.settings import ServiceSettings, settings_dependency
from fastapi import Depends
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PRIVILEGE_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "privilege-svc"
    database_name: ClassVar[str] = "privilege"
    default_port: ClassVar[int] = 8102
    key_settings: ClassVar[tuple[str, ...]] = ("qr_secret",)
    secret_settings: ClassVar[tuple[str, ...]] = ("wechatpay_apiv3_key",)
    # WeChat Pay's API, and where WeChat Pay notifies us: both https and public in production.
    provider_url_settings: ClassVar[tuple[str, ...]] = ("wechatpay_api_base_url", "wechatpay_notify_url")
    required_settings: ClassVar[tuple[str, ...]] = (
        "wechatpay_merchant_private_key_file",
        "wechatpay_platform_public_key_file",
        "wechatpay_merchant_serial",
        "wechatpay_platform_key_serial",
        "wechatpay_notify_url",
    )
    key_file_settings: ClassVar[tuple[str, ...]] = (
        "wechatpay_merchant_private_key_file",
        "wechatpay_platform_public_key_file",
    )

    catalogue_cache_seconds: float = Field(
        default=10.0,
        ge=0,
        description="How long a process serves the encoded catalogue (GET /privileges) before building it "
        "again: the longest another replica's terms change takes to show here (this process drops it at "
        "the commit). 0 builds it for every request.",
    )
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

    # Payments (WeChat Pay API v3, a direct merchant). Unset key files or APIv3 key: priced orders are
    # still created awaiting payment, but starting a payment answers 503 (development without the fake).
    wechatpay_api_base_url: str = Field(
        default="https://api.mch.weixin.qq.com", description="WeChat Pay's API (the fake's URL locally)."
    )
    wechatpay_mchid: str = Field(default="1900000109", description="Our merchant id (商户号).")
    wechatpay_appid: str = Field(
        default="wx-cheyou-dev", description="The official account's appid the payments are made under."
    )
    wechatpay_merchant_serial: str = Field(
        default="", description="The serial number of our merchant API certificate (signs our requests)."
    )
    wechatpay_merchant_private_key_file: Path | None = Field(
        default=None, description="PEM of our merchant API private key (apiclient_key.pem)."
    )
    wechatpay_platform_public_key_file: Path | None = Field(
        default=None,
        description="PEM of WeChat Pay's public key (微信支付公钥): verifies answers and notifications.",
    )
    wechatpay_platform_key_serial: str = Field(
        default="", description="That key's id (PUB_KEY_ID_…), the Wechatpay-Serial it signs with."
    )
    wechatpay_apiv3_key: SecretStr = Field(
        default=SecretStr(""), description="The 32-character APIv3 key: decrypts notifications' resources."
    )
    wechatpay_notify_url: str = Field(
        default="http://127.0.0.1:8080/api/v1/payments/wechatpay/notifications",
        description="Where WeChat Pay sends notifications: the gateway's public route to this service.",
    )
    wechatpay_timeout_s: float = Field(default=10.0, description="Timeout of one call to WeChat Pay.")
    payment_window_s: int = Field(
        default=900, ge=60, description="How long a priced order waits for its payment before it expires."
    )
    payment_job_interval_s: float = Field(
        default=30.0,
        description="How often unpaid orders are expired and refunds submitted and followed (0 disables it).",
    )
    reconciliation_job_interval_s: float = Field(
        default=3600.0,
        description="How often the daily reconciliation looks for a day to do (0 disables it).",
    )
    reconciliation_after_hour: int = Field(
        default=10,
        ge=0,
        le=23,
        description="Reconcile yesterday once this hour (Asia/Shanghai) has passed (WeChat's bills are out).",
    )


SettingsDep = Annotated[Settings, Depends(settings_dependency(Settings))]
"""This service's settings, in a route or a dependency (the app's own: tests build apps with theirs)."""
