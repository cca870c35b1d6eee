"""Settings of gateway (env prefix ``GATEWAY_``; platform-wide settings have none)."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Annotated, ClassVar

from cheyou_kit.settings import ServiceSettings, settings_dependency
from fastapi import Depends
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "gateway"
    database_name: ClassVar[str] = "gateway"
    default_port: ClassVar[int] = 8080
    secret_settings: ClassVar[tuple[str, ...]] = ("wechat_secret", "sms_access_key_secret")
    key_settings: ClassVar[tuple[str, ...]] = ("access_token_secret",)
    required_settings: ClassVar[tuple[str, ...]] = ("internal_token_private_key_file",)
    provider_url_settings: ClassVar[tuple[str, ...]] = (
        "wechat_api_base_url",
        "wechat_open_base_url",
        "sms_api_base_url",
    )
    development_only_settings: ClassVar[tuple[str, ...]] = ("seed_demo_staff",)

    # The services behind the gateway (set by the launcher, no prefix).
    member_url: str = Field(default="http://127.0.0.1:8101", validation_alias="MEMBER_URL")
    privilege_url: str = Field(default="http://127.0.0.1:8102", validation_alias="PRIVILEGE_URL")
    merchant_url: str = Field(default="http://127.0.0.1:8103", validation_alias="MERCHANT_URL")
    claims_url: str = Field(default="http://127.0.0.1:8104", validation_alias="CLAIMS_URL")
    notify_url: str = Field(default="http://127.0.0.1:8105", validation_alias="NOTIFY_URL")

    internal_token_private_key_file: Path | None = Field(
        default=None, validation_alias="INTERNAL_TOKEN_PRIVATE_KEY_FILE"
    )

    # WeChat web authorization and the SMS provider (platform-wide, no prefix).
    wechat_api_base_url: str = Field(default="http://127.0.0.1:8190", validation_alias="WECHAT_API_BASE_URL")
    wechat_appid: str = Field(default="wx-cheyou-dev", validation_alias="WECHAT_APPID")
    wechat_secret: SecretStr = Field(
        default=SecretStr("cheyou-dev-wechat-secret"), validation_alias="WECHAT_SECRET"
    )
    wechat_open_base_url: str | None = Field(
        default=None,
        validation_alias="WECHAT_OPEN_BASE_URL",
        description="Where browsers go for WeChat web authorization (https://open.weixin.qq.com); "
        "unset: WECHAT_API_BASE_URL (the local fake serves both).",
    )
    sms_api_base_url: str = Field(default="http://127.0.0.1:8191", validation_alias="SMS_API_BASE_URL")
    sms_access_key_id: str = Field(default="cheyou-dev-sms-key", validation_alias="SMS_ACCESS_KEY_ID")
    sms_access_key_secret: SecretStr = Field(
        default=SecretStr("dev-sms-secret"), validation_alias="SMS_ACCESS_KEY_SECRET"
    )
    sms_sign_name: str = Field(default="车友俱乐部", validation_alias="SMS_SIGN_NAME")
    sms_otp_template_code: str = "SMS_CHEYOU_OTP"
    sms_phone_changed_template_code: str = Field(
        default="SMS_CHEYOU_PHONE_CHANGED",
        description="The notice texted to the old number when a member's sign-in phone changes.",
    )

    # Public tokens: a key of the gateway's own, never the internal-token key.
    access_token_secret: SecretStr | None = Field(
        default=None,
        description="HS256 key of the access tokens (≥ 32 bytes); a random per-process key when unset.",
    )
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600

    # Member sign-in by SMS one-time code.
    otp_ttl_seconds: int = 300
    otp_max_attempts: int = 5
    otp_resend_seconds: int = 60
    otp_per_phone_hour: int = 5
    otp_per_phone_day: int = 10
    otp_per_ip_hour: int = 30
    phone_proof_ttl_seconds: int = Field(
        default=900, description="How long the phone proof of a right code for a non-member stays good."
    )

    # Staff passwords.
    staff_max_failures: int = Field(
        default=5, description="Password checks per account and client address within the cool-down."
    )
    staff_lockout_seconds: int = Field(
        default=15 * 60,
        description="The cool-down: the window tries are counted in, and the first lock (per account and "
        "address); each further lock of the same pair doubles it.",
    )
    staff_lockout_max_seconds: int = Field(default=24 * 3600, description="The longest lock.")
    seed_demo_staff: bool = Field(default=False, description="Create the demo staff at start-up.")
    demo_staff_password: SecretStr = SecretStr("cheyou-demo-2026")
    demo_admin_password: SecretStr = SecretStr("cheyou-admin-2026")

    # The H5 inside WeChat: web authorization and JS-SDK signing.
    public_base_urls: list[str] = Field(
        default_factory=lambda: [
            "http://127.0.0.1:8080",
            "http://localhost:8080",
            "http://127.0.0.1:5173",
            "http://localhost:5173",
        ],
        description="Origins the front ends are served from (JSON list), the first the canonical one: "
        "WeChat redirects back only there, and JS-SDK signatures are only for pages there.",
    )
    wechat_state_ttl_seconds: int = Field(
        default=600, description="How long a web-authorization state lasts."
    )
    wechat_jsapi_list: list[str] = Field(
        default_factory=lambda: [
            "scanQRCode",
            "chooseImage",
            "previewImage",
            "uploadImage",
            "getLocation",
            "openLocation",
            "updateAppMessageShareData",
            "updateTimelineShareData",
        ],
        description="The JS-SDK APIs a signed wx.config asks for.",
    )

    # Merchant API keys.
    merchant_key_cache_seconds: int = 60
    merchant_key_negative_cache_seconds: int = 5
    # Merchant staff signed in by phone and SMS code.
    merchant_staff_check_seconds: float = Field(
        default=5,
        description="How long merchant-svc's word that a signed-in merchant user may act is trusted: a "
        "user disabled or a merchant suspended is refused at most this long after.",
    )

    # Protection.
    rate_limits_enabled: bool = True
    rate_limit_per_principal: int = Field(default=600, description="Requests per minute per principal.")
    rate_limit_per_ip: int = Field(default=1200, description="Requests per minute per client address.")
    login_rate_limit_per_ip: int = Field(default=30, description="Sign-in attempts per minute per address.")
    max_body_bytes: int = Field(default=1024 * 1024, description="A signed-in caller's request body.")
    max_upload_bytes: int = Field(
        default=20 * 1024 * 1024, description="A signed-in caller's multipart/form-data upload."
    )
    max_anonymous_body_bytes: int = Field(
        default=16 * 1024, description="A request without credentials (sign-in, codes, joining), any type."
    )
    cors_origins: list[str] = Field(
        default_factory=lambda: ["http://localhost:5173", "http://127.0.0.1:5173"],
        description="Front-end origins allowed by CORS.",
    )
    idempotency_ttl_seconds: int = 25 * 3600
    public_segments: list[str] = Field(
        default=["sms-receipts", "feed-webhooks", "sms-replies", "invitations", "unsubscriptions"],
        description="Segments forwarded without sign-in (the service authenticates the caller itself: "
        "the SMS provider's receipt token for receipts and replies, the outside feeds' signatures, an "
        "invitation's personal token for its join link and its unsubscribe link).",
    )
    public_operations: list[str] = Field(
        default=["POST /api/v1/payments/wechatpay/notifications"],
        description="Single operations (method and exact path) forwarded without sign-in, the rest of their "
        "segment staying signed-in only; the service authenticates the caller itself (WeChat Pay's "
        "notifications: its signature over the raw body).",
    )
    self_service: list[str] = Field(
        default=["POST /api/v1/members"],
        description="Operations an applicant without an account may call (self-registration), with the "
        "phone proof of an SMS code (X-Phone-Proof).",
    )
    trusted_proxies: list[IPv4Network | IPv6Network] = Field(
        default_factory=list,
        description="Networks of our own proxies (the ingress controller, a load balancer), a JSON list "
        "of CIDRs: X-Forwarded-For is believed only from them, and the client is its right-most hop "
        "outside them. Empty: the connection's peer is the client.",
    )

    # Front ends.
    web_root: Path | None = Field(
        default=None,
        description="The folder holding web/member-h5/dist and web/console/dist "
        "(default: the checkout's web/).",
    )
    frontend_image_origins: list[str] = Field(
        default_factory=list,
        description='Origins (JSON list, e.g. ["https://*.tiles.example.cn"]) the front ends may load '
        "images from besides their own: the map tiles of the member H5 (the tile URL it was built with, "
        "VITE_MAP_TILE_URL). None by default (the map then draws on a plain background).",
    )

    # Upstreams.
    upstream_connect_timeout_seconds: float = 2.0
    upstream_timeout_seconds: float = 10.0
    upstream_max_connections: int = 200
    upstream_retries: int = 2
    routes_refresh_seconds: float = 30.0
    breaker_failure_threshold: int = 5
    breaker_reset_seconds: float = 10.0
    me_part_timeout_seconds: float = 3.0
    report_part_timeout_seconds: float = 30.0
    """How long each service may take over its part of the club report (aggregates over a year)."""

    @property
    def upstreams(self) -> dict[str, str]:
        """Each service behind the gateway by its name (the audience of its identity tokens)."""
        return {
            "member-svc": self.member_url,
            "privilege-svc": self.privilege_url,
            "merchant-svc": self.merchant_url,
            "claims-svc": self.claims_url,
            "notify-svc": self.notify_url,
        }

    @property
    def wechat_authorize_base_url(self) -> str:
        return (self.wechat_open_base_url or self.wechat_api_base_url).rstrip("/")


SettingsDep = Annotated[Settings, Depends(settings_dependency(Settings))]
"""The gateway's settings, in a route or a dependency (the app's own: tests build apps with theirs)."""
