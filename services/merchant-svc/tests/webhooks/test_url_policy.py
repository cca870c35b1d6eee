"""Webhook URLs: http(s) only; no private or loopback address in production mode."""

from __future__ import annotations

import pytest
from merchant_svc.webhooks.url_policy import WebhookUrlRefused, check_url


class TestCheckUrl:
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:8080/hook",
            "https://10.1.2.3/hook",
            "https://192.168.0.8/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/hook",
            "http://localhost/hook",
            "http://0.0.0.0/hook",
        ],
    )
    async def test_internal_addresses_are_refused_in_production(self, url: str) -> None:
        with pytest.raises(WebhookUrlRefused) as refused:
            await check_url(url, allow_private=False)

        assert refused.value.extensions["field"] == "url"

    async def test_a_public_address_is_accepted_in_production(self) -> None:
        await check_url("https://8.8.8.8/hooks/cheyou", allow_private=False)

    async def test_private_addresses_are_accepted_when_allowed(self) -> None:
        await check_url("http://127.0.0.1:9/hook", allow_private=True)

    @pytest.mark.parametrize("url", ["ftp://8.8.8.8/x", "file:///etc/passwd", "https://user:pw@8.8.8.8/x"])
    async def test_other_schemes_and_credentials_are_refused_even_when_private_is_allowed(
        self, url: str
    ) -> None:
        with pytest.raises(WebhookUrlRefused):
            await check_url(url, allow_private=True)
