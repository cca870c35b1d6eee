"""Insurance knowledge (保险知识): categorised articles members read and managers share."""

import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from notify_svc.config import Settings

from tests.factories import member_id
from tests.publishing.test_publications import _customer, _staff
from tests.reminders.helpers import inbox

ARTICLE = {
    "category": "claims_guide",
    "title": "小事故怎么拍照",
    "summary": "一招配一图，五分钟完成查勘",
    "body": "第一步：拍全车……",
}


async def _article(client: httpx.AsyncClient, identities: Identities, publish: bool = True) -> str:
    author, approver = _staff(identities, Role.OPS, "ops1"), _staff(identities, Role.OPS, "ops2")
    created = (await client.post("/api/v1/articles", json=ARTICLE, headers=author)).json()
    if publish:
        await client.post(f"/api/v1/articles/{created['id']}/approve", headers=approver)
        await client.post(f"/api/v1/articles/{created['id']}/publish", json={}, headers=author)
    article_id: str = created["id"]
    return article_id


class TestArticles:
    async def test_members_read_published_articles_by_category(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        published, draft = await _article(client, identities), await _article(client, identities, False)
        member = identities.headers("notify-svc", Role.MEMBER, member_id=member_id())

        listed = (
            await client.get("/api/v1/articles?category=claims_guide&limit=100", headers=member)
        ).json()["items"]
        other = (await client.get("/api/v1/articles?category=safe_driving", headers=member)).json()["items"]

        assert published in {a["id"] for a in listed}
        assert draft not in {a["id"] for a in listed}
        assert all(a["id"] != published for a in other)
        assert (await client.get(f"/api/v1/articles/{draft}", headers=member)).status_code == 404
        assert (await client.get(f"/api/v1/articles/{published}", headers=member)).json()["body"] == ARTICLE[
            "body"
        ]

    async def test_members_cannot_write_articles(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        member = identities.headers("notify-svc", Role.MEMBER, member_id=member_id())
        assert (await client.post("/api/v1/articles", json=ARTICLE, headers=member)).status_code == 403

    async def test_a_message_is_not_an_article(
        self, client: httpx.AsyncClient, identities: Identities
    ) -> None:
        article = await _article(client, identities)
        ops = _staff(identities, Role.OPS, "ops1")
        assert (await client.get(f"/api/v1/publications/{article}", headers=ops)).status_code == 404

    async def test_managers_share_articles_with_their_customers(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings
    ) -> None:
        customer = await _customer(client, identities, service_settings, "manager2")
        article = await _article(client, identities)
        manager = _staff(identities, Role.MANAGER, "manager2")

        response = await client.post(
            f"/api/v1/articles/{article}/shares", json={"member_ids": [customer]}, headers=manager
        )

        assert response.json()["shared"] == [customer]
        items = await inbox(client, identities, customer)
        assert [(i["title"], i["category"]) for i in items] == [("小事故怎么拍照", "marketing")]
