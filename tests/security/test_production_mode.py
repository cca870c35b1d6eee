"""Production mode across the six services (security issue 17, Low): with ``CHEYOU_ENV=production`` and
development settings, each service refuses to start and names what to fix; with its secrets, keys and
providers set, it passes. The rules themselves are tested in ``libs/kit/tests/test_production.py``."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cheyou_kit.production import UnsafeProductionSettings, production_problems
from cheyou_kit.settings import ServiceSettings
from claims_svc.config import Settings as ClaimsSettings
from claims_svc.main import create_app as claims_app
from gateway.config import Settings as GatewaySettings
from gateway.main import create_app as gateway_app
from member_svc.config import Settings as MemberSettings
from member_svc.main import create_app as member_app
from member_svc.pii import PiiCipher
from merchant_svc.config import Settings as MerchantSettings
from merchant_svc.main import create_app as merchant_app
from notify_svc.config import Settings as NotifySettings
from notify_svc.main import create_app as notify_app
from privilege_svc.config import Settings as PrivilegeSettings
from privilege_svc.main import create_app as privilege_app

KEY = "cmVhbC1rZXktb2YtdGhpcy1jbHVzdGVyLW5vdC1hLWRldi1vbmU="  # 38 bytes, base64
PUBLIC_KEY = {"INTERNAL_TOKEN_PUBLIC_KEY_FILE": "/etc/cheyou/internal-token-public/public.pem"}
PROVIDERS = {
    "WECHAT_API_BASE_URL": "https://api.weixin.qq.com",
    "WECHAT_OPEN_BASE_URL": "https://open.weixin.qq.com",
    "SMS_API_BASE_URL": "https://sms.provider.example",
    "WECHAT_SECRET": "the-real-app-secret-from-wechat",
    "SMS_ACCESS_KEY_SECRET": "the-real-sms-access-key-secret",
    "EVENTS_PII_KEY": "ZXZlbnRzLWtleS1vZi10aGlzLWNsdXN0ZXItMzItYnl0ZXM=",
}

# What a deployment sets for the services; the session's other suites leave some in the environment (the
# e2e platform's demo staff, PII keys, fake providers), and each test here sets its own.
SERVICE_SETTINGS = (
    "GATEWAY_", "MEMBER_", "PRIVILEGE_", "MERCHANT_", "CLAIMS_", "NOTIFY_", "WECHAT_", "SMS_",
    "EVENTS_PII_KEY", "INTERNAL_TOKEN_", "CHEYOU_ENV",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _no_settings_of_other_suites(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(SERVICE_SETTINGS):
            monkeypatch.delenv(name)


# Each service: its settings and app, what production mode must name with nothing set, and what fixes it.
SERVICES: dict[str, tuple[type[ServiceSettings], Callable[..., Any], list[str], dict[str, Any]]] = {
    "gateway": (
        GatewaySettings,
        gateway_app,
        [
            "WECHAT_SECRET is a development value",
            "SMS_ACCESS_KEY_SECRET is a development value",
            "GATEWAY_ACCESS_TOKEN_SECRET is not set",
            "INTERNAL_TOKEN_PRIVATE_KEY_FILE is not set",
            "WECHAT_API_BASE_URL=http://127.0.0.1:8190 is not https",
            "SMS_API_BASE_URL=http://127.0.0.1:8191 is not https",
        ],
        {
            **PROVIDERS,
            "access_token_secret": "x" * 48,
            "INTERNAL_TOKEN_PRIVATE_KEY_FILE": "/etc/cheyou/internal-token-signing/private.pem",
        },
    ),
    "member-svc": (
        MemberSettings,
        member_app,
        ["MEMBER_PII_KEY is not set", "MEMBER_PII_HASH_KEY is not set", "EVENTS_PII_KEY is not set"],
        {"pii_key": KEY, "pii_hash_key": KEY, "EVENTS_PII_KEY": PROVIDERS["EVENTS_PII_KEY"]},
    ),
    "privilege-svc": (
        PrivilegeSettings,
        privilege_app,
        [
            "PRIVILEGE_QR_SECRET is a development value",
            "PRIVILEGE_WECHATPAY_APIV3_KEY is not set",
            "PRIVILEGE_WECHATPAY_MERCHANT_PRIVATE_KEY_FILE is not set",
            "PRIVILEGE_WECHATPAY_PLATFORM_PUBLIC_KEY_FILE is not set",
            "PRIVILEGE_WECHATPAY_MERCHANT_SERIAL is not set",
            "PRIVILEGE_WECHATPAY_NOTIFY_URL=http://127.0.0.1:8080/api/v1/payments/wechatpay/notifications "
            "is not https",
        ],
        {
            "qr_secret": KEY,
            "wechatpay_apiv3_key": "k" * 32,
            "wechatpay_merchant_private_key_file": "/etc/cheyou/wechatpay/apiclient_key.pem",
            "wechatpay_platform_public_key_file": "/etc/cheyou/wechatpay/wechatpay_public_key.pem",
            "wechatpay_merchant_serial": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
            "wechatpay_platform_key_serial": "PUB_KEY_ID_0114232134912410000000000000",
            "wechatpay_notify_url": "https://club.example.cn/api/v1/payments/wechatpay/notifications",
        },
    ),
    "merchant-svc": (
        MerchantSettings,
        merchant_app,
        [
            "MERCHANT_PII_KEY is a development value",
            "MERCHANT_PII_HASH_KEY is a development value",
            "MERCHANT_SEED_DEMO is for development and tests only",
        ],
        {"pii_key": KEY, "pii_hash_key": KEY, "seed_demo": False},
    ),
    "claims-svc": (
        ClaimsSettings,
        claims_app,
        [
            "CLAIMS_PII_KEY is a development value",
            "EVENTS_PII_KEY is not set",
            "SMS_API_BASE_URL=http://127.0.0.1:8191 is not https",
        ],
        {**PROVIDERS, "pii_key": KEY},
    ),
    "notify-svc": (
        NotifySettings,
        notify_app,
        [
            "WECHAT_SECRET is a development value",
            "SMS_ACCESS_KEY_SECRET is not set",
            "EVENTS_PII_KEY is not set",
            "NOTIFY_PII_KEY is a development value",
            "NOTIFY_PHONE_HASH_KEY is a development value",
            "NOTIFY_SMS_RECEIPT_TOKEN is a development value",
            "NOTIFY_FEED_VIOLATIONS_SECRET is a development value",
            "NOTIFY_FEED_WEATHER_SECRET is a development value",
            "WECHAT_API_BASE_URL=http://127.0.0.1:8190 is not https",
            "SMS_API_BASE_URL=http://127.0.0.1:8191 is not https",
        ],
        {
            **PROVIDERS,
            "pii_key": KEY,
            "phone_hash_key": "cGhvbmUtaGFzaC1rZXktb2YtdGhpcy1jbHVzdGVyLW5vdC1kZXY=",
            "sms_receipt_token": "t" * 40,
            "feed_violations_secret": "whsec_dmlvbGF0aW9ucy1wcm92aWRlci1zaWduaW5nLXNlY3JldA==",
            "feed_weather_secret": "whsec_d2VhdGhlci1wcm92aWRlci1zaWduaW5nLXNlY3JldC0xMjM=",
        },
    ),
}


@pytest.mark.parametrize("name", SERVICES)
def test_a_service_with_development_settings_refuses_to_start_and_names_them(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_cls, create_app, named, _ = SERVICES[name]
    monkeypatch.chdir(tmp_path)  # member-svc would write its development keys under .dev/ here
    settings = settings_cls.model_validate({"CHEYOU_ENV": "production"})

    with pytest.raises(UnsafeProductionSettings) as refused:
        create_app(settings)

    message = str(refused.value)
    for problem in named:
        assert problem in message
    assert list(tmp_path.iterdir()) == []  # nothing generated, nothing written


@pytest.mark.parametrize("name", SERVICES)
def test_a_service_with_its_own_secrets_and_real_providers_passes(name: str) -> None:
    settings_cls, _, _, fixed = SERVICES[name]

    settings = settings_cls.model_validate({"CHEYOU_ENV": "production", **PUBLIC_KEY, **fixed})

    assert production_problems(settings) == []


def test_member_svc_never_generates_pii_keys_in_production(tmp_path: Path) -> None:
    settings = MemberSettings.model_validate(
        {"CHEYOU_ENV": "production", "dev_key_file": tmp_path / "k.json"}
    )

    with pytest.raises(UnsafeProductionSettings):
        PiiCipher.from_settings(settings)
    assert not (tmp_path / "k.json").exists()
