"""Settings of notify-svc (env prefix ``NOTIFY_``; platform-wide settings have none)."""

from functools import cached_property
from typing import Annotated, ClassVar

from cheyou_kit.settings import ServiceSettings, settings_dependency
from fastapi import Depends
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from notify_svc.audience.pii import PiiCipher
from notify_svc.delivery.rules import DeliveryRules
from notify_svc.templates.cache import ApprovedTemplates

DEV_PII_KEY = "Y2hleW91LWRldi1vbmx5LXBpaS1rZXktMzItYnl0ZXM="  # 32 bytes, for dev and tests only
# The outside feeds' signing secrets for dev and tests only (the simulator in cheyou_fakes.feeds knows them).
DEV_FEED_VIOLATIONS_SECRET = "whsec_Y2hleW91LWRldi12aW9sYXRpb24tZmVlZC1zZWNyZXQ="
DEV_FEED_WEATHER_SECRET = "whsec_Y2hleW91LWRldi13ZWF0aGVyLS1mZWVkLXNlY3JldCE="


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "notify-svc"
    database_name: ClassVar[str] = "notify"
    default_port: ClassVar[int] = 8105
    secret_settings: ClassVar[tuple[str, ...]] = ("wechat_secret", "sms_access_key_secret", "events_pii_key")
    key_settings: ClassVar[tuple[str, ...]] = (
        "pii_key",
        "phone_hash_key",
        "sms_receipt_token",
        "feed_violations_secret",
        "feed_weather_secret",
    )
    provider_url_settings: ClassVar[tuple[str, ...]] = (
        "wechat_api_base_url",
        "sms_api_base_url",
        "feed_violations_pull_url",
        "feed_weather_pull_url",
    )

    # Third-party providers: platform-wide, shared with the gateway (no prefix).
    wechat_api_base_url: str = Field(default="http://127.0.0.1:8190", validation_alias="WECHAT_API_BASE_URL")
    wechat_appid: str = Field(default="wx-cheyou-dev", validation_alias="WECHAT_APPID")
    wechat_secret: str = Field(default="cheyou-dev-wechat-secret", validation_alias="WECHAT_SECRET")
    sms_api_base_url: str = Field(default="http://127.0.0.1:8191", validation_alias="SMS_API_BASE_URL")
    sms_access_key_id: str = Field(default="cheyou-dev-sms-key", validation_alias="SMS_ACCESS_KEY_ID")
    sms_access_key_secret: str = Field(default="", validation_alias="SMS_ACCESS_KEY_SECRET")
    sms_sign_name: str = Field(default="车友俱乐部", validation_alias="SMS_SIGN_NAME")

    events_pii_key: SecretStr | None = Field(
        default=None,
        validation_alias="EVENTS_PII_KEY",
        description="The key sealing personal data inside events (cheyou_events.sealing reads it); here so "
        "that production mode requires it and traces never carry it.",
    )
    pii_key: str = Field(
        default=DEV_PII_KEY,
        description="AES-256-GCM keys of phones at rest: base64 of 32 bytes; several separated by commas "
        "to rotate (the first writes, all read).",
    )
    sms_receipt_token: str = Field(
        default="cheyou-dev-receipt-token", description="Shared secret the SMS provider sends with receipts."
    )
    provider_timeout_seconds: float = 5.0
    sms_receipt_wait_seconds: float = Field(
        default=60.0, description="After an SMS send timed out: wait this long for a receipt before retrying."
    )
    phone_hash_key: str = Field(
        default="cheyou-dev-only-notify-phone-hash-key",
        description="HMAC key of the phone lookup hash (SMS opt-outs, invitees); a new key forgets the "
        "opt-outs.",
    )
    invitation_unsubscribe_url: str = Field(
        default="http://127.0.0.1:8080/h5/unsubscribe",
        description="The H5 page an invitation's unsubscribe link opens (``?invitation=<token>`` appended).",
    )
    invitation_reminder_days: list[int] = Field(
        default=[3, 10],
        description="Reminders this many days after an invitation (unless joined or opted out).",
    )
    invitation_tick_seconds: float = Field(
        default=60.0, description="How often due invitation reminders are queued (0: never)."
    )
    # The sender's settings were NOTIFY_DISPATCH_*: those names still work, so a running deployment's
    # environment keeps its meaning ("dispatch" is merchant-svc's word for assigning a fulfilment).
    send_enabled: bool = Field(
        default=True,
        validation_alias=AliasChoices("send_enabled", "NOTIFY_SEND_ENABLED", "NOTIFY_DISPATCH_ENABLED"),
        description="Run the sender (delivers queued messages) in-process.",
    )
    send_batch: int = Field(
        default=200,
        validation_alias=AliasChoices("send_batch", "NOTIFY_SEND_BATCH", "NOTIFY_DISPATCH_BATCH"),
        description="Messages the sender claims per round.",
    )
    send_concurrency: int = Field(
        default=50,
        validation_alias=AliasChoices(
            "send_concurrency", "NOTIFY_SEND_CONCURRENCY", "NOTIFY_DISPATCH_CONCURRENCY"
        ),
        description="Provider calls in flight at once.",
    )
    send_idle_seconds: float = Field(
        default=0.2,
        validation_alias=AliasChoices(
            "send_idle_seconds", "NOTIFY_SEND_IDLE_SECONDS", "NOTIFY_DISPATCH_IDLE_SECONDS"
        ),
        description="After a round that claimed nothing, the sender looks again after this long.",
    )
    max_attempts: int = 5
    contact_wait_seconds: float = Field(
        default=24 * 3600.0,
        gt=0,
        description="A message for a member whose contact is not known yet waits this long for "
        "member.contact_changed, then is marked undeliverable.",
    )
    timezone: str = "Asia/Shanghai"
    quiet_start_hour: int = 21
    quiet_end_hour: int = 8
    member_daily_limit: int = Field(default=5, description="Marketing and reminder sends per member per day.")
    campaign_tick_seconds: float = 1.0
    reminder_chunk: int = Field(
        default=1000, description="Rows per transaction in reminder jobs and fan-outs."
    )
    reminders_enabled: bool = Field(default=True, description="Run the reminder scheduler in-process.")
    renewal_reminder_days: list[int] = Field(default=[30, 7, 1], min_length=1)
    inspection_reminder_days: list[int] = Field(default=[30, 7], min_length=1)
    violation_sweep_days: int = Field(
        default=30, description="Violations this recent are matched again against vehicles projected later."
    )
    reminder_interval_seconds: float = Field(
        default=3600.0, description="How often the daily jobs run (safe to repeat: each fact goes once)."
    )
    alert_tick_seconds: float = 1.0
    template_cache_seconds: float = Field(
        default=30.0,
        ge=0,
        description="Approved templates are kept in-process this long (0: read each time); an approval here "
        "takes effect at once, on other replicas within this time.",
    )

    # The outside feeds (feeds/): traffic violations and weather alerts, pushed signed or pulled.
    public_base_url: str = Field(
        default="http://127.0.0.1:8080",
        description="Where members reach the H5 (the gateway's origin): a template's relative link becomes "
        "absolute with it in WeChat messages and texts (the inbox keeps it relative).",
    )
    feed_violations_secret: str = Field(
        default=DEV_FEED_VIOLATIONS_SECRET,
        description="The violation provider's signing secret (Standard Webhooks, ``whsec_`` + base64); "
        "several separated by commas during a rotation.",
    )
    feed_weather_secret: str = Field(
        default=DEV_FEED_WEATHER_SECRET, description="The weather provider's signing secret (as above)."
    )
    feed_signature_tolerance_seconds: int = Field(
        default=300, gt=0, description="A push signed longer ago (or further ahead) than this is refused."
    )
    feed_violations_pull_url: str = Field(
        default="", description="The violation provider's pull API (empty: the provider pushes only)."
    )
    feed_weather_pull_url: str = Field(
        default="", description="The weather provider's pull API (empty: the provider pushes only)."
    )
    feed_violations_pull_token: SecretStr = Field(
        default=SecretStr(""), description="Bearer token of the violation provider's pull API."
    )
    feed_weather_pull_token: SecretStr = Field(
        default=SecretStr(""), description="Bearer token of the weather provider's pull API."
    )
    feed_poll_seconds: float = Field(default=60.0, description="How often each pull-only provider is asked.")
    feed_poll_page: int = Field(default=100, ge=1, le=500, description="Items asked for per pull.")
    feed_backoff_max_seconds: float = Field(
        default=900.0, gt=0, description="The longest wait after failed pulls (doubling from the interval)."
    )

    # What the settings make, built once with them (``create_app`` builds them at start-up) and reached
    # wherever the settings are: a handler's ``ctx.settings``, a route's ``SettingsDep``, a job's constructor.
    @cached_property
    def pii_cipher(self) -> PiiCipher:
        """The cipher of phones and invitation tokens at rest (``NOTIFY_PII_KEY``)."""
        return PiiCipher(self.pii_key)

    @cached_property
    def approved_templates(self) -> ApprovedTemplates:
        """This app's in-process cache of approved templates (``NOTIFY_TEMPLATE_CACHE_SECONDS``)."""
        return ApprovedTemplates(self.template_cache_seconds)

    @cached_property
    def delivery_rules(self) -> DeliveryRules:
        """Quiet hours and the daily limit."""
        return DeliveryRules(
            timezone=self.timezone,
            quiet_start_hour=self.quiet_start_hour,
            quiet_end_hour=self.quiet_end_hour,
            member_daily_limit=self.member_daily_limit,
        )


SettingsDep = Annotated[Settings, Depends(settings_dependency(Settings))]
"""This service's settings, in a route or a dependency (the app's own: tests build apps with theirs)."""
