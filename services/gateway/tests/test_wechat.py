"""Members sign in through WeChat web authorization, against the fake WeChat server."""

import uuid
from datetime import UTC, datetime

import httpx
from cheyou_events.catalogue.member import MemberRejected
from gateway.accounts import service as accounts
from gateway.config import Settings
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from .conftest import GatewayFactory
from .sign_in import wechat_sign_in
from .stand_ins import World


async def _register_code(wechat_url: str, openid: str) -> str:
    code = uuid.uuid4().hex
    async with httpx.AsyncClient() as http:
        await http.post(f"{wechat_url}/_fake/oauth-codes", json={"code": code, "openid": openid})
    return code


class TestWeChatLogin:
    async def test_a_bound_member_signs_in_as_themselves(
        self, client: httpx.AsyncClient, wechat_url: str, world: World
    ) -> None:
        member_id, tokens = await wechat_sign_in(client, wechat_url, world)

        whoami = await client.get(
            "/api/v1/auth/whoami", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )

        assert tokens["role"] == "member"
        assert whoami.json()["member_id"] == str(member_id)
        assert whoami.json()["subject"] == f"member:{member_id}"

    async def test_an_unknown_code_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/v1/auth/wechat", json={"code": "never-issued"})

        assert response.status_code == 401
        assert response.json()["errcode"] == 40029

    async def test_a_code_works_once(self, client: httpx.AsyncClient, wechat_url: str, world: World) -> None:
        openid = f"o-{uuid.uuid4().hex}"
        world.member(openid=openid)
        code = await _register_code(wechat_url, openid)
        await client.post("/api/v1/auth/wechat", json={"code": code})

        response = await client.post("/api/v1/auth/wechat", json={"code": code})

        assert response.status_code == 401
        assert response.json()["errcode"] == 40163

    async def test_a_wechat_user_who_is_no_member_is_told_to_register(
        self, client: httpx.AsyncClient, wechat_url: str
    ) -> None:
        code = await _register_code(wechat_url, f"o-{uuid.uuid4().hex}")

        response = await client.post("/api/v1/auth/wechat", json={"code": code})

        assert response.status_code == 404
        assert response.json()["type"].endswith("/not-a-member")

    async def test_a_rejected_member_cannot_sign_in(
        self, client: httpx.AsyncClient, wechat_url: str, world: World, service_settings: Settings
    ) -> None:
        """Rejected as the account projection (fed by member.events) knows it."""
        openid = f"o-{uuid.uuid4().hex}"
        member_id = world.member(openid=openid, status="pending")
        engine = create_async_engine(service_settings.sqlalchemy_url)
        async with AsyncSession(engine) as session:
            await accounts.record(
                session,
                MemberRejected(
                    member_id=str(member_id),
                    reviewer_id="reviewer1",
                    reason="假资料",
                    rejected_at=datetime.now(UTC),
                ),
            )
            await session.commit()
        await engine.dispose()

        response = await client.post(
            "/api/v1/auth/wechat", json={"code": await _register_code(wechat_url, openid)}
        )

        assert response.status_code == 403
        assert response.json()["type"].endswith("/member-rejected")

    async def test_a_pending_member_signs_in_to_follow_the_application(
        self, client: httpx.AsyncClient, wechat_url: str, world: World
    ) -> None:
        _, tokens = await wechat_sign_in(client, wechat_url, world, status="pending")

        assert tokens["role"] == "member"

    async def test_wechat_being_down_is_a_502(self, gateway: GatewayFactory) -> None:
        async with gateway(WECHAT_API_BASE_URL="http://127.0.0.1:9") as broken:
            response = await broken.post("/api/v1/auth/wechat", json={"code": "c"})

        assert response.status_code == 502
