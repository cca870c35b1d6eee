"""Production mode (``CHEYOU_ENV=production``): one test per rule of :mod:`cheyou_kit.production`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from cheyou_events.sealing import DEV_EVENTS_PII_KEY
from cheyou_kit.app import create_service_app
from cheyou_kit.production import UnsafeProductionSettings, production_problems, refuse_unsafe_production
from cheyou_kit.settings import ServiceSettings
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

GOOD_KEY = "k" * 32


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "demo-svc"
    database_name: ClassVar[str] = "demo"
    default_port: ClassVar[int] = 8199
    secret_settings: ClassVar[tuple[str, ...]] = ("provider_secret", "events_pii_key")
    key_settings: ClassVar[tuple[str, ...]] = ("token_key",)
    required_settings: ClassVar[tuple[str, ...]] = ("signing_key_file",)
    provider_url_settings: ClassVar[tuple[str, ...]] = ("provider_url",)
    development_only_settings: ClassVar[tuple[str, ...]] = ("seed_demo", "allowed_networks")
    key_file_settings: ClassVar[tuple[str, ...]] = ("provider_key_file",)

    provider_secret: SecretStr = SecretStr("dev-provider-secret")
    events_pii_key: SecretStr | None = Field(default=None, validation_alias="EVENTS_PII_KEY")
    token_key: str | None = None
    signing_key_file: Path | None = None
    provider_key_file: Path | None = None
    provider_url: str = Field(default="http://127.0.0.1:8190", validation_alias="PROVIDER_URL")
    seed_demo: bool = True
    allowed_networks: list[str] = Field(default_factory=list)


def production(**overrides: Any) -> DemoSettings:
    """Settings that pass, with ``overrides``."""
    good: dict[str, Any] = {
        "CHEYOU_ENV": "production",
        "provider_secret": "a-real-provider-secret",
        "EVENTS_PII_KEY": "cmVhbC1ldmVudHMta2V5LW9mLXRoaXMtY2x1c3Rlci0xMjM=",
        "token_key": GOOD_KEY,
        "signing_key_file": "/etc/cheyou/signing/private.pem",
        "provider_key_file": "/etc/cheyou/wechatpay/apiclient_key.pem",
        "PROVIDER_URL": "https://api.provider.example",
        "seed_demo": False,
        "INTERNAL_TOKEN_PUBLIC_KEY_FILE": "/etc/cheyou/internal-token-public/public.pem",
    }
    return DemoSettings.model_validate({**good, **overrides})


class TestRules:
    def test_settings_fit_for_production_pass(self) -> None:
        refuse_unsafe_production(production())

    def test_a_secret_left_unset_is_refused(self) -> None:
        assert production_problems(production(EVENTS_PII_KEY=None)) == ["EVENTS_PII_KEY is not set"]

    def test_a_secret_left_at_its_development_default_is_refused(self) -> None:
        assert production_problems(production(provider_secret="dev-provider-secret")) == [
            "DEMO_PROVIDER_SECRET is a development value; set a secret of its own"
        ]

    def test_a_known_development_key_is_refused(self) -> None:
        assert production_problems(production(EVENTS_PII_KEY=DEV_EVENTS_PII_KEY)) == [
            "EVENTS_PII_KEY is a development value; set a secret of its own"
        ]

    def test_a_key_shorter_than_32_bytes_is_refused(self) -> None:
        assert production_problems(production(token_key="k" * 31)) == [
            "DEMO_TOKEN_KEY is shorter than 32 bytes"
        ]

    def test_a_required_key_file_left_unset_is_refused(self) -> None:
        assert production_problems(production(signing_key_file=None)) == ["DEMO_SIGNING_KEY_FILE is not set"]

    def test_the_internal_token_public_key_is_required(self) -> None:
        [problem] = production_problems(production(INTERNAL_TOKEN_PUBLIC_KEY_FILE=None))

        assert problem.startswith("INTERNAL_TOKEN_PUBLIC_KEY_FILE is not set")

    @pytest.mark.parametrize(
        ("url", "why"),
        [
            ("http://127.0.0.1:8190", "is not https"),
            ("https://127.0.0.1:8190", "is a local address"),
            ("https://localhost/api", "is this machine"),
            ("https://10.0.0.8/api", "is a local address"),
            ("https://fake-wechat:8190", "is a fake provider's port"),
        ],
    )
    def test_a_fake_providers_url_is_refused(self, url: str, why: str) -> None:
        [problem] = production_problems(production(PROVIDER_URL=url))

        assert problem.startswith(f"PROVIDER_URL={url} {why}")

    def test_the_fake_wechat_pays_port_is_refused(self) -> None:
        [problem] = production_problems(production(PROVIDER_URL="https://pay.internal.example:8192"))

        assert problem.endswith("is a fake provider's port")

    def test_a_generated_development_key_file_is_refused(self) -> None:
        dev_key = "/work/.dev/keys/wechatpay/merchant-private-key.dev-only.pem"

        assert production_problems(production(provider_key_file=dev_key)) == [
            f"DEMO_PROVIDER_KEY_FILE={dev_key} is a development key; use the real one"
        ]

    def test_a_key_file_left_unset_is_refused(self) -> None:
        assert production_problems(production(provider_key_file=None)) == [
            "DEMO_PROVIDER_KEY_FILE is not set"
        ]

    def test_development_switches_are_refused(self) -> None:
        assert production_problems(production(seed_demo=True, allowed_networks=["127.0.0.0/8"])) == [
            "DEMO_SEED_DEMO is for development and tests only; unset it",
            "DEMO_ALLOWED_NETWORKS is for development and tests only; unset it",
        ]

    def test_outside_production_nothing_is_checked(self) -> None:
        refuse_unsafe_production(DemoSettings.model_validate({"CHEYOU_ENV": "development"}))


class TestTheServiceRefusesToStart:
    def test_the_app_is_not_built_and_every_wrong_setting_is_named(self) -> None:
        settings = DemoSettings.model_validate({"CHEYOU_ENV": "production"})

        with pytest.raises(UnsafeProductionSettings) as refused:
            create_service_app(settings, routers=[])

        message = str(refused.value)
        assert message.startswith("demo-svc will not start with CHEYOU_ENV=production:")
        for env in (
            "DEMO_PROVIDER_SECRET",
            "EVENTS_PII_KEY",
            "DEMO_TOKEN_KEY",
            "DEMO_SIGNING_KEY_FILE",
            "PROVIDER_URL",
            "DEMO_SEED_DEMO",
            "INTERNAL_TOKEN_PUBLIC_KEY_FILE",
        ):
            assert env in message
        assert "dev-provider-secret" not in message  # names settings, never shows their values
