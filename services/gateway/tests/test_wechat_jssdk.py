"""wx.config signed for pages of ours with the jsapi_ticket the (fake) WeChat server issues."""

import asyncio
import hashlib

import httpx
import pytest
from gateway.config import Settings
from gateway.wechat_jssdk import service
from redis.asyncio import Redis

from .conftest import GatewayFactory

JS_CONFIG = "/api/v1/wechat/js-config"
PAGE = "http://127.0.0.1:8080/h5/me?from=menu"


def test_the_signature_is_the_js_sdk_documented_example() -> None:
    """The JS-SDK documentation's sample (附录1-JS-SDK使用权限签名算法)."""
    signed = service.signature(
        "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
        "Wm3WZYTPz0wzccnW",
        1414587457,
        "http://mp.weixin.qq.com?params=value",
    )

    assert signed == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


async def _forget_ticket(settings: Settings) -> None:
    redis = Redis.from_url(settings.redis_url)
    await redis.delete(service.TICKET_KEY, service.TOKEN_KEY)
    await redis.aclose()


async def _wechat(wechat_url: str, path: str) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=wechat_url) as http:
        answer: dict[str, object] = (await http.get(path)).json()
    return answer


async def _latest_ticket(wechat_url: str) -> str:
    tickets = (await _wechat(wechat_url, "/_fake/jsapi-tickets"))["items"]
    assert isinstance(tickets, list)
    ticket: str = tickets[-1]["ticket"]
    return ticket


class TestJsConfig:
    async def test_signs_the_page_with_the_ticket_wechat_issued(
        self, client: httpx.AsyncClient, wechat_url: str, service_settings: Settings
    ) -> None:
        await _forget_ticket(service_settings)

        response = await client.get(JS_CONFIG, params={"url": PAGE + "#/ignored"})

        assert response.status_code == 200
        config = response.json()
        assert config["appId"] == "wx-test"
        assert config["url"] == PAGE
        assert "scanQRCode" in config["jsApiList"]
        ticket = await _latest_ticket(wechat_url)
        # Computed here from the JS-SDK's description, not with the gateway's function.
        expected = hashlib.sha1(
            f"jsapi_ticket={ticket}&noncestr={config['nonceStr']}&timestamp={config['timestamp']}&url={PAGE}".encode()
        ).hexdigest()
        assert config["signature"] == expected
        assert len(config["nonceStr"]) == 16

    async def test_a_member_may_ask_too(
        self, client: httpx.AsyncClient, member: tuple[object, dict[str, str]]
    ) -> None:
        response = await client.get(JS_CONFIG, params={"url": PAGE}, headers=member[1])

        assert response.status_code == 200

    async def test_the_ticket_is_fetched_once_by_many_replicas_at_once(
        self, client: httpx.AsyncClient, gateway: GatewayFactory, wechat_url: str, service_settings: Settings
    ) -> None:
        await _forget_ticket(service_settings)
        before = await _wechat(wechat_url, "/_fake/stats")

        async with gateway() as other:
            answers = await asyncio.gather(
                *(replica.get(JS_CONFIG, params={"url": PAGE}) for replica in [client, other] * 8)
            )

        after = await _wechat(wechat_url, "/_fake/stats")
        assert {a.status_code for a in answers} == {200}
        assert after["ticket_requests"] == before["ticket_requests"] + 1  # type: ignore[operator]
        assert after["stable_token_requests"] == before["stable_token_requests"] + 1  # type: ignore[operator]
        ticket = await _latest_ticket(wechat_url)
        for answer in answers:
            config = answer.json()
            assert config["signature"] == service.signature(
                ticket, config["nonceStr"], config["timestamp"], PAGE
            )

    async def test_a_cached_ticket_lives_until_shortly_before_wechat_expires_it(
        self, client: httpx.AsyncClient, service_settings: Settings
    ) -> None:
        await _forget_ticket(service_settings)
        await client.get(JS_CONFIG, params={"url": PAGE})

        redis = Redis.from_url(service_settings.redis_url)
        ttl = await redis.ttl(service.TICKET_KEY)
        await redis.aclose()

        assert 7200 - 300 - 5 <= ttl <= 7200 - 300

    async def test_an_expired_access_token_is_renewed_once(
        self, client: httpx.AsyncClient, wechat_url: str, service_settings: Settings
    ) -> None:
        await client.get(JS_CONFIG, params={"url": PAGE})  # a token cached in Redis
        async with httpx.AsyncClient(base_url=wechat_url) as http:
            await http.post("/_fake/expire-token")
        redis = Redis.from_url(service_settings.redis_url)
        await redis.delete(service.TICKET_KEY)  # the cached token is still there, expired at WeChat
        await redis.aclose()

        response = await client.get(JS_CONFIG, params={"url": PAGE})

        assert response.status_code == 200
        config = response.json()
        ticket = await _latest_ticket(wechat_url)
        assert config["signature"] == service.signature(ticket, config["nonceStr"], config["timestamp"], PAGE)

    @pytest.mark.parametrize(
        "url",
        [
            "https://evil.example/h5/",
            "http://127.0.0.1:8080@evil.example/h5/",
            "http://user@127.0.0.1:8080/h5/",
            "http://127.0.0.1:9999/h5/",
            "javascript:alert(1)//127.0.0.1:8080",
            "/h5/me/orders",
            "http://127.0.0.1:8080/h5/ me",
            "http://[::1:8080/h5/",
        ],
    )
    async def test_pages_elsewhere_get_no_signature(self, client: httpx.AsyncClient, url: str) -> None:
        """The attack: another site borrows our account's JS-SDK permissions with a signature for its page."""
        response = await client.get(JS_CONFIG, params={"url": url})

        assert response.status_code == 400
        assert response.json()["type"].endswith("/jssdk-url-invalid")

    async def test_wechat_being_down_is_a_502(
        self, gateway: GatewayFactory, service_settings: Settings
    ) -> None:
        await _forget_ticket(service_settings)
        async with gateway(WECHAT_API_BASE_URL="http://127.0.0.1:9") as broken:
            response = await broken.get(JS_CONFIG, params={"url": PAGE})

        assert response.status_code == 502

    async def test_anonymous_callers_are_rate_limited(self, gateway: GatewayFactory) -> None:
        async with gateway(rate_limit_per_ip=3, trusted_proxies=["127.0.0.0/8", "::1/128"]) as limited:
            headers = {"X-Forwarded-For": "203.0.113.77"}
            answers = [await limited.get(JS_CONFIG, params={"url": PAGE}, headers=headers) for _ in range(4)]

        assert [a.status_code for a in answers] == [200, 200, 200, 429]
