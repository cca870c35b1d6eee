"""Central publishing: author → approve (someone else) → publish → managers share with their customers."""

import random
from typing import Any

import httpx
from cheyou_events.catalogue.member import MemberProfileChanged
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities, eventually, publish
from notify_svc.audience import service as audience
from notify_svc.config import Settings
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import until_known
from tests.factories import AT, contact, manager_assigned, member_id, openid
from tests.reminders.helpers import inbox

MESSAGE = {
    "category": "claims",
    "title": "小额案件线上快赔",
    "summary": "五千元以下案件全程线上",
    "body": "……",
}


def _staff(identities: Identities, role: Role, name: str) -> dict[str, str]:
    return identities.headers("notify-svc", role, subject=name, staff_id=name)


async def _published(
    client: httpx.AsyncClient, identities: Identities, **publish_body: Any
) -> dict[str, Any]:
    author, approver = _staff(identities, Role.OPS, "ops1"), _staff(identities, Role.OPS, "ops2")
    created = (await client.post("/api/v1/publications", json=MESSAGE, headers=author)).json()
    await client.post(f"/api/v1/publications/{created['id']}/approve", headers=approver)
    response = await client.post(
        f"/api/v1/publications/{created['id']}/publish", json=publish_body, headers=author
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _customer(
    client: httpx.AsyncClient, identities: Identities, settings: Settings, manager: str
) -> str:
    member = member_id()
    await publish(
        settings.kafka_bootstrap_servers, contact(member, openid(), None), manager_assigned(member, manager)
    )

    async def assigned() -> bool | None:
        ops = _staff(identities, Role.OPS, "ops1")
        response = await client.get(f"/api/v1/audience/{member}", headers=ops)
        return (response.status_code == 200 and response.json()["manager_id"] == manager) or None

    await until_known(client, identities, member)
    await eventually(assigned)
    return member


class TestApproval:
    async def test_the_author_cannot_approve(self, client: httpx.AsyncClient, identities: Identities) -> None:
        author = _staff(identities, Role.OPS, "ops1")
        created = (await client.post("/api/v1/publications", json=MESSAGE, headers=author)).json()

        response = await client.post(f"/api/v1/publications/{created['id']}/approve", headers=author)

        assert response.status_code == 403
        assert response.json()["type"].endswith("publication-self-approval")
        stored = await client.get(f"/api/v1/publications/{created['id']}", headers=author)
        assert stored.json()["status"] == "draft"

    async def test_an_unapproved_message_is_not_published(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        author = _staff(identities, Role.OPS, "ops1")
        created = (await client.post("/api/v1/publications", json=MESSAGE, headers=author)).json()

        response = await client.post(f"/api/v1/publications/{created['id']}/publish", json={}, headers=author)

        assert response.status_code == 409

    async def test_managers_see_only_published_messages(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        author, approver = _staff(identities, Role.OPS, "ops1"), _staff(identities, Role.OPS, "ops2")
        manager = _staff(identities, Role.MANAGER, "manager1")
        draft = (await client.post("/api/v1/publications", json=MESSAGE, headers=author)).json()
        approved = (await client.post("/api/v1/publications", json=MESSAGE, headers=author)).json()
        await client.post(f"/api/v1/publications/{approved['id']}/approve", headers=approver)
        published = await _published(client, identities)

        assert (await client.get(f"/api/v1/publications/{draft['id']}", headers=manager)).status_code == 404
        assert (
            await client.get(f"/api/v1/publications/{approved['id']}", headers=manager)
        ).status_code == 404
        listed = (await client.get("/api/v1/publications?limit=100", headers=manager)).json()["items"]
        assert published["id"] in {p["id"] for p in listed}
        assert {p["status"] for p in listed} == {"published"}

    async def test_members_cannot_read_publications(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        headers = identities.headers("notify-svc", Role.MEMBER, member_id=member_id())
        assert (await client.get("/api/v1/publications", headers=headers)).status_code == 403

    async def test_an_unknown_category_is_422(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        author = _staff(identities, Role.OPS, "ops1")
        response = await client.post(
            "/api/v1/publications", json={**MESSAGE, "category": "gossip"}, headers=author
        )
        assert response.status_code == 422


class TestShare:
    async def test_a_manager_shares_with_own_customers_once_and_the_share_is_logged(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        customer = await _customer(client, identities, service_settings, "manager1")
        item = await _published(client, identities)
        manager = _staff(identities, Role.MANAGER, "manager1")

        first = await client.post(
            f"/api/v1/publications/{item['id']}/shares", json={"member_ids": [customer]}, headers=manager
        )
        again = await client.post(
            f"/api/v1/publications/{item['id']}/shares", json={"member_ids": [customer]}, headers=manager
        )

        assert first.json() == {"shared": [customer], "already_shared": []}
        assert again.json() == {"shared": [], "already_shared": [customer]}
        assert [i["title"] for i in await inbox(client, identities, customer)] == ["小额案件线上快赔"]
        log = (await client.get(f"/api/v1/publications/{item['id']}/shares", headers=manager)).json()
        assert [(s["manager_id"], s["member_id"]) for s in log["items"]] == [("manager1", customer)]

    async def test_a_manager_cannot_share_with_someone_elses_customer(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        mine = await _customer(client, identities, service_settings, "manager1")
        theirs = await _customer(client, identities, service_settings, "manager2")
        item = await _published(client, identities)
        manager = _staff(identities, Role.MANAGER, "manager1")

        response = await client.post(
            f"/api/v1/publications/{item['id']}/shares", json={"member_ids": [mine, theirs]}, headers=manager
        )

        assert response.status_code == 403
        assert response.json()["field"] == "member_ids"
        log = (
            await client.get(
                f"/api/v1/publications/{item['id']}/shares", headers=_staff(identities, Role.OPS, "o")
            )
        ).json()
        assert log["items"] == []
        assert await inbox(client, identities, mine) == []

    async def test_a_withdrawn_message_cannot_be_shared(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        customer = await _customer(client, identities, service_settings, "manager1")
        item = await _published(client, identities)
        await client.post(
            f"/api/v1/publications/{item['id']}/withdraw", headers=_staff(identities, Role.OPS, "o")
        )
        manager = _staff(identities, Role.MANAGER, "manager1")

        response = await client.post(
            f"/api/v1/publications/{item['id']}/shares", json={"member_ids": [customer]}, headers=manager
        )

        assert response.status_code == 404


class TestPublishToChannels:
    async def test_members_of_the_segment_get_it_once_even_if_their_manager_shares_it_too(
        self,
        client: httpx.AsyncClient,
        identities: Identities,
        service_settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        customer = await _customer(client, identities, service_settings, "manager1")
        region = f"7{random.randrange(10**6):06d}"
        async with sessions() as session, session.begin():
            await audience.record_profile(
                session,
                MemberProfileChanged(
                    member_id=customer,
                    region_code=region,
                    interests=[],
                    join_channel="wechat",
                    manager_id="manager1",
                    changed_at=AT,
                ),
            )
        item = await _published(
            client, identities, channels=["wechat", "inbox"], segment={"region_codes": [region]}
        )
        assert item["campaign_id"] is not None

        async def told() -> list[dict[str, Any]] | None:
            return await inbox(client, identities, customer) or None

        await eventually(told)
        manager = _staff(identities, Role.MANAGER, "manager1")
        shared = await client.post(
            f"/api/v1/publications/{item['id']}/shares", json={"member_ids": [customer]}, headers=manager
        )

        assert shared.json()["shared"] == [customer]  # the share is logged against the manager…
        assert len(await inbox(client, identities, customer)) == 1  # …but the member has it once

    async def test_pushing_to_members_needs_a_segment(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        author, approver = _staff(identities, Role.OPS, "ops1"), _staff(identities, Role.OPS, "ops2")
        created = (await client.post("/api/v1/publications", json=MESSAGE, headers=author)).json()
        await client.post(f"/api/v1/publications/{created['id']}/approve", headers=approver)

        response = await client.post(
            f"/api/v1/publications/{created['id']}/publish", json={"channels": ["inbox"]}, headers=author
        )

        assert response.status_code == 422
        assert response.json()["field"] == "segment"
        stored = await client.get(f"/api/v1/publications/{created['id']}", headers=author)
        assert stored.json()["status"] == "approved"
