"""One operation may be public while the rest of its segment is not: WeChat Pay's notifications reach
privilege-svc without sign-in (the service checks WeChat Pay's signature), ``POST /payments`` does not."""

from gateway.config import Settings

from .conftest import GatewayFactory

NOTIFICATIONS = "POST /api/v1/payments/wechatpay/notifications"


class TestPublicOperations:
    def test_wechat_pays_notifications_are_the_default_public_operation(self) -> None:
        assert Settings.model_fields["public_operations"].default == [NOTIFICATIONS]

    async def test_exactly_that_operation_is_forwarded_without_identity(
        self, gateway: GatewayFactory
    ) -> None:
        async with gateway(public_operations=["POST /api/v1/orders/echo"]) as client:
            public = await client.post("/api/v1/orders/echo", json={"id": "n-1"})
            other_method = await client.get("/api/v1/orders/echo")
            other_path = await client.post("/api/v1/orders", json={})

        # The stand-in, like every kit service, refuses a request without identity: it was forwarded.
        assert (public.status_code, public.json()["detail"]) == (
            401,
            "requests must come through the gateway",
        )
        assert other_method.json()["detail"].startswith("sign in first")
        assert other_path.json()["detail"].startswith("sign in first")

    async def test_an_anonymous_body_over_the_limit_is_refused_before_the_service(
        self, gateway: GatewayFactory
    ) -> None:
        async with gateway(public_operations=["POST /api/v1/orders/echo"]) as client:
            response = await client.post(
                "/api/v1/orders/echo",
                content=b"{" + b" " * 20_000 + b"}",
                headers={"content-type": "application/json"},
            )

        assert response.status_code == 413
