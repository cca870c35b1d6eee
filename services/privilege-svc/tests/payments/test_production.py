"""Production mode refuses the fake WeChat Pay and the keys generated for development."""

from pathlib import Path

from cheyou_fakes.wechatpay import DevCredentials
from cheyou_kit.production import production_problems
from privilege_svc.config import Settings


def test_the_fake_wechat_pay_and_its_generated_keys_are_refused_in_production(tmp_path: Path) -> None:
    keys = DevCredentials.load_or_generate(tmp_path)
    settings = Settings.model_validate(
        {
            "CHEYOU_ENV": "production",
            "wechatpay_api_base_url": "http://127.0.0.1:8192",
            "wechatpay_merchant_private_key_file": str(keys.merchant_private_key_file),
            "wechatpay_platform_public_key_file": str(keys.platform_public_key_file),
            "wechatpay_notify_url": "http://127.0.0.1:8080/api/v1/payments/wechatpay/notifications",
        }
    )

    problems = "\n".join(production_problems(settings))

    assert "PRIVILEGE_WECHATPAY_API_BASE_URL=http://127.0.0.1:8192 is not https" in problems
    assert "PRIVILEGE_WECHATPAY_MERCHANT_PRIVATE_KEY_FILE=" in problems
    assert "PRIVILEGE_WECHATPAY_PLATFORM_PUBLIC_KEY_FILE=" in problems
    assert problems.count("is a development key") == 2
    assert "PRIVILEGE_WECHATPAY_APIV3_KEY is not set" in problems
    assert "PRIVILEGE_WECHATPAY_NOTIFY_URL=http://127.0.0.1:8080" in problems


def test_real_settings_pass(tmp_path: Path) -> None:
    for name in ("apiclient_key.pem", "pub_key.pem", "internal.pub"):
        (tmp_path / name).write_text("-")
    settings = Settings.model_validate(
        {
            "CHEYOU_ENV": "production",
            "qr_secret": "q" * 40,
            "wechatpay_api_base_url": "https://api.mch.weixin.qq.com",
            "wechatpay_merchant_private_key_file": str(tmp_path / "apiclient_key.pem"),
            "wechatpay_platform_public_key_file": str(tmp_path / "pub_key.pem"),
            "wechatpay_apiv3_key": "a" * 32,
            "wechatpay_merchant_serial": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
            "wechatpay_platform_key_serial": "PUB_KEY_ID_0114232134912410000000000000",
            "wechatpay_notify_url": "https://club.example.cn/api/v1/payments/wechatpay/notifications",
            "INTERNAL_TOKEN_PUBLIC_KEY_FILE": str(tmp_path / "internal.pub"),
        }
    )

    assert [p for p in production_problems(settings) if "WECHATPAY" in p] == []
