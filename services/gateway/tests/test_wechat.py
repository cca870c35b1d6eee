"""Members sign in through WeChat web authorization, against the fake WeChat server: the authorize URL
with its state, the browser on WeChat's page, the code and state back at the gateway."""

import uuid
from datetime import UTC, datetime

import httpx
from cheyou_events.catalogue.member import MemberRejected
from gateway.accounts import service as accounts
from gateway.config import Settings
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from .conftest import GatewayFactory
from .sign_in import wechat_authorize, wechat_code_sign_in, wechat_sign_in
from .stand_ins import World

SIGN_IN = "/api/v1/auth/wechat"


async def _register_code(wechat_url: str, openid: str) -> str:
    code = uuid.uuid4().hex
    async with httpx.AsyncClient() as http:
        await http.post(f"{wechat_url}/_fake/oauth-codes", json={"code": code, "openid": openid})
    return code


async def _state(client: httpx.AsyncClient) -> dict[str, str]:
    """A fresh state and verifier, as the H5 keeps them before leaving for WeChat."""
    answer = (await client.get(f"{SIGN_IN}/authorize-url", params={"redirect": "/h5/"})).json()
    return {"state": answer["state"], "verifier": answer["verifier"]}


class TestAuthorizeUrl:
    async def test_points_at_wechat_with_our_page_and_a_fresh_state(
        self, client: httpx.AsyncClient, wechat_url: str
    ) -> None:
        response = await client.get(
            f"{SIGN_IN}/authorize-url", params={"redirect": "/h5/orders?tab=open", "scope": "snsapi_userinfo"}
        )

        assert response.status_code == 200
        answer = response.json()
        url = httpx.URL(answer["url"])
        assert str(url).startswith(f"{wechat_url}/connect/oauth2/authorize?")
        assert url.fragment == "wechat_redirect"
        assert dict(url.params) == {
            "appid": "wx-test",
            "redirect_uri": "http://127.0.0.1:8080/h5/orders?tab=open",
            "response_type": "code",
            "scope": "snsapi_userinfo",
            "state": answer["state"],
        }
        assert answer["redirect_uri"] == "http://127.0.0.1:8080/h5/orders?tab=open"
        assert answer["expires_in"] == 600
        second = (await client.get(f"{SIGN_IN}/authorize-url", params={"redirect": "/h5/"})).json()
        assert second["state"] != answer["state"]
        assert second["verifier"] != answer["verifier"]

    async def test_a_url_on_another_of_our_origins_is_kept(self, client: httpx.AsyncClient) -> None:
        response = await client.get(
            f"{SIGN_IN}/authorize-url", params={"redirect": "http://localhost:5173/h5/me"}
        )

        assert response.json()["redirect_uri"] == "http://localhost:5173/h5/me"

    async def test_an_open_redirect_is_refused(self, client: httpx.AsyncClient) -> None:
        """The attack: make WeChat send the victim's code to a site of the attacker's."""
        for redirect in (
            "https://evil.example/steal",
            "//evil.example/steal",
            "http://127.0.0.1:8080@evil.example/",
            "http://user@127.0.0.1:8080/h5/",
            "/\\evil.example",
            "javascript:alert(1)",
            "h5/me",
            "/h5/#/me",
            "http://[::1/h5/",
        ):
            response = await client.get(f"{SIGN_IN}/authorize-url", params={"redirect": redirect})
            assert response.status_code == 400, redirect
            assert response.json()["type"].endswith("/wechat-redirect-invalid")

    async def test_a_scope_wechat_does_not_know_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.get(
            f"{SIGN_IN}/authorize-url", params={"redirect": "/h5/", "scope": "snsapi_login"}
        )

        assert response.status_code == 422


class TestWeChatLogin:
    async def test_a_bound_member_signs_in_as_themselves(
        self, client: httpx.AsyncClient, wechat_url: str, world: World
    ) -> None:
        member_id, tokens = await wechat_sign_in(client, wechat_url, world)

        whoami = await client.get(
            "/api/v1/auth/whoami", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )

        assert tokens["role"] == "member"
        assert tokens["redirect"] == "http://127.0.0.1:8080/h5/me"
        assert whoami.json()["member_id"] == str(member_id)
        assert whoami.json()["subject"] == f"member:{member_id}"

    async def test_a_state_works_once(self, client: httpx.AsyncClient, world: World) -> None:
        openid = f"o-{uuid.uuid4().hex}"
        world.member(openid=openid)
        started, back = await wechat_authorize(client, openid)
        body = {"code": back.params["code"], "state": back.params["state"], "verifier": started["verifier"]}
        assert (await client.post(SIGN_IN, json=body)).status_code == 200
        _, again = await wechat_authorize(client, openid)

        replayed = await client.post(SIGN_IN, json={**body, "code": again.params["code"]})

        assert replayed.status_code == 400
        assert replayed.json()["type"].endswith("/wechat-state-invalid")

    async def test_login_csrf_with_a_planted_code_and_state_is_refused(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        """The attack: the attacker starts a sign-in as themselves, stops at the redirect and makes the
        victim's browser open it. The victim's H5 holds its own verifier (or none), never the attacker's."""
        attacker = f"o-{uuid.uuid4().hex}"
        world.member(openid=attacker)
        _, planted = await wechat_authorize(client, attacker)
        victim = await _state(client)

        response = await client.post(
            SIGN_IN,
            json={
                "code": planted.params["code"],
                "state": planted.params["state"],
                "verifier": victim["verifier"],
            },
        )

        assert response.status_code == 400
        assert response.json()["type"].endswith("/wechat-state-invalid")

    async def test_a_state_the_gateway_never_issued_is_refused(
        self, client: httpx.AsyncClient, wechat_url: str, world: World
    ) -> None:
        openid = f"o-{uuid.uuid4().hex}"
        world.member(openid=openid)
        code = await _register_code(wechat_url, openid)

        made_up = await client.post(
            SIGN_IN, json={"code": code, "state": uuid.uuid4().hex, "verifier": "x" * 43}
        )
        missing = await client.post(SIGN_IN, json={"code": code})

        assert made_up.status_code == 400
        assert made_up.json()["type"].endswith("/wechat-state-invalid")
        assert missing.status_code == 422
        assert {e["field"] for e in missing.json()["errors"]} == {"body.state", "body.verifier"}

    async def test_an_unknown_code_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post(SIGN_IN, json={"code": "never-issued", **await _state(client)})

        assert response.status_code == 401
        assert response.json()["errcode"] == 40029

    async def test_a_code_works_once(self, client: httpx.AsyncClient, wechat_url: str, world: World) -> None:
        openid = f"o-{uuid.uuid4().hex}"
        world.member(openid=openid)
        code = await _register_code(wechat_url, openid)
        await client.post(SIGN_IN, json={"code": code, **await _state(client)})

        response = await client.post(SIGN_IN, json={"code": code, **await _state(client)})

        assert response.status_code == 401
        assert response.json()["errcode"] == 40163

    async def test_a_wechat_user_who_is_no_member_is_told_to_register(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await wechat_code_sign_in(client, f"o-{uuid.uuid4().hex}")

        assert response.status_code == 404
        assert response.json()["type"].endswith("/not-a-member")

    async def test_a_rejected_member_cannot_sign_in(
        self, client: httpx.AsyncClient, world: World, service_settings: Settings
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

        response = await wechat_code_sign_in(client, openid)

        assert response.status_code == 403
        assert response.json()["type"].endswith("/member-rejected")

    async def test_a_pending_member_signs_in_to_follow_the_application(
        self, client: httpx.AsyncClient, wechat_url: str, world: World
    ) -> None:
        _, tokens = await wechat_sign_in(client, wechat_url, world, status="pending")

        assert tokens["role"] == "member"

    async def test_wechat_being_down_is_a_502(self, gateway: GatewayFactory) -> None:
        async with gateway(WECHAT_API_BASE_URL="http://127.0.0.1:9") as broken:
            state = await _state(broken)
            response = await broken.post(SIGN_IN, json={"code": "c", **state})

        assert response.status_code == 502
