"""Templates: typed variables, WeChat's rules, four-eyes approval, preview."""

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from notify_svc.config import Settings
from notify_svc.delivery.service import Notice, notify
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import member_id

WECHAT = {
    "code": "spring_rally",
    "channel": "wechat",
    "category": "marketing",
    "variables": {"city": "string", "starts_on": "date", "seats": "int"},
    "wechat_template_id": "TPL_RALLY",
    "wechat_fields": {"thing1": "{city}自驾活动", "date2": "{starts_on}", "number3": "{seats}"},
}


def _ops(identities: Identities, name: str = "ops1") -> dict[str, str]:
    return identities.headers("notify-svc", Role.OPS, subject=name, staff_id=name)


async def _create(client: httpx.AsyncClient, identities: Identities, **changes: Any) -> httpx.Response:
    return await client.post("/api/v1/templates", json={**WECHAT, **changes}, headers=_ops(identities))


class TestCreateTemplate:
    async def test_a_new_template_is_a_draft(self, client: httpx.AsyncClient, identities: Identities) -> None:
        response = await _create(client, identities)
        assert response.status_code == 201
        assert response.json()["status"] == "draft"

    async def test_unknown_variable_is_422(self, client: httpx.AsyncClient, identities: Identities) -> None:
        response = await _create(client, identities, wechat_fields={"thing1": "{town}"})
        assert response.status_code == 422
        assert response.json()["field"] == "wechat_fields.thing1"

    async def test_remark_line_is_422(self, client: httpx.AsyncClient, identities: Identities) -> None:
        response = await _create(client, identities, wechat_fields={"remark": "谢谢"})
        assert response.status_code == 422
        assert response.json()["type"].endswith("wechat-template-limit")

    async def test_field_over_20_characters_is_422(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        response = await _create(client, identities, wechat_fields={"thing1": "欢" * 21})
        assert response.status_code == 422

    async def test_line_break_is_422(self, client: httpx.AsyncClient, identities: Identities) -> None:
        response = await _create(client, identities, wechat_fields={"thing1": "a\nb"})
        assert response.status_code == 422

    async def test_members_cannot_author(self, client: httpx.AsyncClient, identities: Identities) -> None:
        headers = identities.headers(
            "notify-svc", Role.MEMBER, member_id="00000000-0000-0000-0000-000000000001"
        )
        response = await client.post("/api/v1/templates", json=WECHAT, headers=headers)
        assert response.status_code == 403


class TestApproveTemplate:
    async def test_the_author_cannot_approve(self, client: httpx.AsyncClient, identities: Identities) -> None:
        created = (await _create(client, identities)).json()
        response = await client.post(f"/api/v1/templates/{created['id']}/approve", headers=_ops(identities))
        assert response.status_code == 403

    async def test_someone_else_approves(self, client: httpx.AsyncClient, identities: Identities) -> None:
        created = (await _create(client, identities)).json()
        response = await client.post(
            f"/api/v1/templates/{created['id']}/approve", headers=_ops(identities, "admin")
        )
        assert response.json()["status"] == "approved"
        assert response.json()["approved_by"] == "admin"


class TestApprovedTemplatesInUse:
    """Approved templates are kept in-process; approving a new version drops the code at once."""

    async def test_a_newly_approved_version_is_used_for_the_next_notice(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        session: AsyncSession,
        service_settings: Settings,
    ) -> None:
        code = f"kept_{uuid.uuid4().hex[:8]}"
        inbox = {"code": code, "channel": "inbox", "category": "service", "variables": {"city": "string"}}

        async def approved_version(body: str) -> None:
            created = await client.post(
                "/api/v1/templates", json={**inbox, "title": "活动", "body": body}, headers=_ops(identities)
            )
            approved = await client.post(
                f"/api/v1/templates/{created.json()['id']}/approve", headers=_ops(identities, "admin")
            )
            assert approved.json()["status"] == "approved"

        async def told(member: str) -> str | None:
            now = datetime.now(UTC)
            assert await notify(
                session, Notice(member, code, f"t:{uuid.uuid4()}", {"city": "福州"}), now, service_settings
            ) == ("queued")
            body: str | None = await session.scalar(
                text("SELECT body FROM inbox_items WHERE member_id = :m"), {"m": member}
            )
            return body

        await approved_version("第一版：{city}")
        assert await told(member_id()) == "第一版：福州"  # now kept in-process
        await approved_version("第二版：{city}")
        assert await told(member_id()) == "第二版：福州"


class TestPreviewTemplate:
    async def test_renders_typed_values(self, client: httpx.AsyncClient, identities: Identities) -> None:
        created = (await _create(client, identities)).json()
        values = {"city": "福州", "starts_on": "2027-03-01", "seats": 30}
        response = await client.post(
            f"/api/v1/templates/{created['id']}/preview", json={"variables": values}, headers=_ops(identities)
        )
        data = response.json()["payload"]["data"]
        assert data == {
            "thing1": {"value": "福州自驾活动"},
            "date2": {"value": "2027年3月1日"},
            "number3": {"value": "30"},
        }

    async def test_long_values_are_cut_to_20_characters(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        created = (await _create(client, identities)).json()
        values = {"city": "福" * 30, "starts_on": "2027-03-01", "seats": 30}
        response = await client.post(
            f"/api/v1/templates/{created['id']}/preview", json={"variables": values}, headers=_ops(identities)
        )
        assert len(response.json()["payload"]["data"]["thing1"]["value"]) == 20

    async def test_unknown_variable_is_422(self, client: httpx.AsyncClient, identities: Identities) -> None:
        created = (await _create(client, identities)).json()
        values = {"city": "福州", "starts_on": "2027-03-01", "seats": 30, "extra": 1}
        response = await client.post(
            f"/api/v1/templates/{created['id']}/preview", json={"variables": values}, headers=_ops(identities)
        )
        assert response.status_code == 422
        assert response.json()["field"] == "variables.extra"

    async def test_wrong_type_is_422(self, client: httpx.AsyncClient, identities: Identities) -> None:
        created = (await _create(client, identities)).json()
        values = {"city": "福州", "starts_on": "2027-03-01", "seats": "many"}
        response = await client.post(
            f"/api/v1/templates/{created['id']}/preview", json={"variables": values}, headers=_ops(identities)
        )
        assert response.status_code == 422
        assert response.json()["field"] == "variables.seats"
